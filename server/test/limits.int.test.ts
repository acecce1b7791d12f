import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Client, closeSockets, makeMember, openSocket, startTestServer, type TestServer } from './harness.ts'

/** Every write that costs work or reaches other people has a per-member limit (issue 10, finding 6). */
let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ config: { trustProxy: true, limits: { writes: 40, content: 5, loginFailures: 3 } } })
})
afterEach(() => closeSockets())
afterAll(async () => {
  await server.close()
})

describe('per-member limits', () => {
  it('refuses a sixth post or comment within a minute, with the wait, and stores nothing of it', async () => {
    const author = await makeMember(server, { handle: 'vielposter' })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await author.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'feed' }, body: `Beitrag ${i}` })).status)
    const first = (await author.client.get('/api/v1/profiles/vielposter/posts')).body.items[0].id as string
    statuses.push((await author.client.post(`/api/v1/posts/${first}/comments`, { body: 'Kommentar' })).status)
    const refused = await author.client.post(`/api/v1/posts/${first}/comments`, { body: 'Noch einer' })
    expect(statuses).toEqual([201, 201, 201, 201, 201])
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('RATE_LIMITED')
    expect(refused.body.error.details.retryAfter).toBeGreaterThan(0)
    expect(refused.headers.get('retry-after')).toBe(String(refused.body.error.details.retryAfter))
    expect((await author.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'feed' }, body: 'Zu viel' })).status).toBe(429)
    expect((await author.client.get('/api/v1/profiles/vielposter/posts')).body.items).toHaveLength(4)
    // Someone else is not affected.
    const other = await makeMember(server, { handle: 'wenigposter' })
    expect((await other.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'feed' }, body: 'Hallo' })).status).toBe(201)
  })

  it('caps all other changes per member too', async () => {
    const member = await makeMember(server, { handle: 'klicker' })
    const results: number[] = []
    for (let i = 0; i < 45; i++) results.push((await member.client.request('PUT', '/api/v1/me/privacy', { readReceipts: i % 2 === 0 })).status)
    expect(results.slice(0, 39).every((s) => s === 200)).toBe(true)
    expect(results.filter((s) => s === 200).length).toBeLessThanOrEqual(40)
    expect(results.at(-1)).toBe(429)
  })
})

describe('sign-in', () => {
  it('makes one account wait after three wrong passwords, whichever addresses they come from', async () => {
    const victim = await makeMember(server, { handle: 'opfer', password: 'the right password' })
    const from = (ip: string) => ({ 'x-forwarded-for': ip })
    const attempt = (password: string, ip: string) => new Client(server.url).post('/api/v1/auth/login', { email: victim.email, password }, from(ip))
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) expect((await attempt('wrong guess', ip)).body.error.code).toBe('INVALID_CREDENTIALS')
    const locked = await attempt('the right password', '10.0.0.4')
    expect(locked.status).toBe(429)
    expect(locked.body.error.details.retryAfter).toBeGreaterThanOrEqual(29)
    // The wait ends; the right password then signs in and clears the count.
    await server.app.ctx.models.LoginFailure.updateOne({ _id: `login:${victim.email}` }, { $set: { lockedUntil: new Date(Date.now() - 1) } })
    expect((await attempt('the right password', '10.0.0.5')).status).toBe(200)
    expect(await server.app.ctx.models.LoginFailure.countDocuments({ _id: `login:${victim.email}` })).toBe(0)
    // An unknown email gets the same answers: the wait says nothing about which accounts exist.
    const ghost = (password: string) => new Client(server.url).post('/api/v1/auth/login', { email: 'niemand@example.org', password }, from('10.0.0.9'))
    for (let i = 0; i < 3; i++) expect((await ghost('x-guess-x')).status).toBe(401)
    expect((await ghost('x-guess-x')).status).toBe(429)
  })
})

describe('socket floods', () => {
  it('lets one socket send 1,500 typing and read events without reaching the other side 1,500 times, and keeps the last read mark', async () => {
    const anna = await makeMember(server, { handle: 'flut-anna' })
    const ben = await makeMember(server, { handle: 'flut-ben', sponsor: 'flut-anna' })
    const chat = (await ben.client.post('/api/v1/conversations', { participants: ['flut-anna'] })).body as { id: string }
    let last = 0
    for (let i = 0; i < 3; i++)
      last = (await anna.client.post(`/api/v1/conversations/${chat.id}/messages`, { body: `Nachricht ${i}`, clientMessageId: `flut-${i}-xyzxyz` })).body.seq
    const annaSocket = (await openSocket(server.url, { cookie: anna.client.cookie })).socket
    const benSocket = (await openSocket(server.url, { cookie: ben.client.cookie })).socket
    let typing = 0
    let reads = 0
    annaSocket.on('typing', () => (typing += 1))
    annaSocket.on('read', () => (reads += 1))
    for (let i = 0; i < 1500; i++) {
      benSocket.emit('typing', { conversationId: chat.id })
      benSocket.emit('read', { conversationId: chat.id, seq: i < 1499 ? 1 : last })
    }
    const health = await fetch(`${server.url}/healthz`)
    expect(health.status).toBe(200)
    await expect
      .poll(async () => (await ben.client.get('/api/v1/conversations')).body.items.find((c: { id: string }) => c.id === chat.id)?.unread, { timeout: 5_000 })
      .toBe(0)
    expect(typing).toBeLessThan(20)
    expect(reads).toBeLessThan(25)
  })
})
