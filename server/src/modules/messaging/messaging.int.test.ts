import type { Message, SendAck } from '@vernetzt/shared/schemas/messages'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, closeSockets, makeMember, openSocket, startTestServer, type ClientSocket, type TestServer } from '../../../test/harness.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  closeSockets()
  await server.close()
})

const socketFor = async (cookie: string) => (await openSocket(server.url, { cookie })).socket
const send = (socket: ClientSocket, payload: { conversationId: string; body: string; clientMessageId: string }) =>
  new Promise<SendAck>((resolve) => socket.emit('message:send', payload, resolve))

describe('conversations', () => {
  it('stores a burst of messages sent at the same moment once each, numbered without gaps, resends included', async () => {
    // Its own server: the per-sender limit (tested elsewhere) would refuse most of the burst.
    const roomy = await startTestServer({ config: { messageRateLimit: 6000 } })
    const lea = await makeMember(roomy, { handle: 'burst-lea' })
    await makeMember(roomy, { handle: 'burst-max', sponsor: 'burst-lea' })
    const conversation = (await lea.client.post('/api/v1/conversations', { participants: ['burst-max'] })).body
    const socket = (await openSocket(roomy.url, { cookie: lea.client.cookie })).socket
    // 40 messages in one go, and each of the first 10 sent a second time before any answer came.
    const ids = Array.from({ length: 40 }, (_, i) => `burst-message-${i}`)
    const acks = await Promise.all([...ids, ...ids.slice(0, 10)].map((id) => send(socket, { conversationId: conversation.id, body: id, clientMessageId: id })))
    expect(acks.filter((a) => !a.ok)).toEqual([])
    const seqOf = new Map<string, number>()
    ;[...ids, ...ids.slice(0, 10)].forEach((id, i) => {
      const ack = acks[i] as SendAck & { seq: number }
      if (seqOf.has(id)) expect(ack.seq).toBe(seqOf.get(id)) // the resend got the first send's message
      seqOf.set(id, ack.seq)
    })
    // The sponsor's welcome is message 1.
    expect([...seqOf.values()].sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 2))
    const { items } = (await lea.client.get(`/api/v1/conversations/${conversation.id}/messages?limit=50`)).body as { items: Message[] }
    expect(items.filter((m) => m.clientMessageId.startsWith('burst-')).map((m) => m.clientMessageId)).toEqual(
      [...ids].sort((x, y) => seqOf.get(x)! - seqOf.get(y)!),
    )
    // Writing is reading: none of her own messages count as unread for her.
    expect((await lea.client.get(`/api/v1/conversations/${conversation.id}`)).body).toMatchObject({ unread: 0, lastSeq: 41 })
    socket.disconnect()
    await roomy.close()
  })

  it('sends over the socket, acknowledges after storing, delivers live, and never duplicates a resent message', async () => {
    const anna = await makeMember(server, { handle: 'chat-anna' })
    const ben = await makeMember(server, { handle: 'chat-ben', sponsor: 'chat-anna' })
    const conversation = (await anna.client.post('/api/v1/conversations', { participants: ['chat-ben'] })).body
    expect(conversation).toMatchObject({ kind: 'direct', status: 'active', unread: 0 })
    // Ben's welcome conversation from his sponsor is the same direct conversation.
    expect((await ben.client.get('/api/v1/conversations')).body.items.map((c: { id: string }) => c.id)).toEqual([conversation.id])

    const annaSocket = await socketFor(anna.client.cookie)
    const benSocket = await socketFor(ben.client.cookie)
    const received: Message[] = []
    benSocket.on('message:new', (m) => received.push(m))
    const ack = await send(annaSocket, { conversationId: conversation.id, body: 'Hallo **Ben**!', clientMessageId: 'msg-0001-aaaa' })
    expect(ack).toMatchObject({ ok: true, seq: expect.any(Number) })
    const stored = await ben.client.get(`/api/v1/conversations/${conversation.id}/messages`)
    expect(stored.body.items.at(-1)).toMatchObject({ id: (ack as { id: string }).id, html: '<p>Hallo <strong>Ben</strong>!</p>\n' })
    await expect.poll(() => received.map((m) => m.clientMessageId)).toContain('msg-0001-aaaa')

    // A lost acknowledgement: the client sends the same message again, twice at once.
    const again = await Promise.all([
      send(annaSocket, { conversationId: conversation.id, body: 'Hallo **Ben**!', clientMessageId: 'msg-0001-aaaa' }),
      send(annaSocket, { conversationId: conversation.id, body: 'Hallo **Ben**!', clientMessageId: 'msg-0001-aaaa' }),
    ])
    expect(again.map((a) => (a as { id: string }).id)).toEqual([(ack as { id: string }).id, (ack as { id: string }).id])
    const history = await ben.client.get(`/api/v1/conversations/${conversation.id}/messages`)
    expect(history.body.items.filter((m: Message) => m.clientMessageId === 'msg-0001-aaaa')).toHaveLength(1)

    const bad = await send(annaSocket, { conversationId: conversation.id, body: '   ', clientMessageId: 'msg-0002-aaaa' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } })
  })

  it('lets a client that was offline catch up in order, and counts unread messages', async () => {
    const a = await makeMember(server, { handle: 'catch-a' })
    const b = await makeMember(server, { handle: 'catch-b', sponsor: 'catch-a' })
    const c = (await a.client.post('/api/v1/conversations', { participants: ['catch-b'] })).body
    const before = (await b.client.get(`/api/v1/conversations/${c.id}/messages`)).body.items as Message[]
    const lastSeen = before.at(-1)?.seq ?? 0
    for (let i = 1; i <= 5; i++) {
      await a.client.post(`/api/v1/conversations/${c.id}/messages`, { body: `Nachricht ${i}`, clientMessageId: `offline-${i}-xxxx` })
    }
    const missed = await b.client.get(`/api/v1/conversations/${c.id}/messages?after=${lastSeen}`)
    expect(missed.body.items.map((m: Message) => m.html)).toEqual([1, 2, 3, 4, 5].map((i) => `<p>Nachricht ${i}</p>\n`))
    const inbox = (await b.client.get('/api/v1/conversations')).body.items[0]
    expect(inbox).toMatchObject({ id: c.id, lastMessage: { text: 'Nachricht 5', author: 'catch-a' } })
    expect(inbox.unread).toBeGreaterThanOrEqual(5)
    await b.client.post(`/api/v1/conversations/${c.id}/read`, { seq: inbox.lastSeq })
    expect((await b.client.get('/api/v1/conversations')).body.items[0].unread).toBe(0)
    const older = await b.client.get(`/api/v1/conversations/${c.id}/messages?before=${inbox.lastSeq}&limit=2`)
    expect(older.body.items.map((m: Message) => m.html)).toEqual(['<p>Nachricht 3</p>\n', '<p>Nachricht 4</p>\n'])
  })

  it('keeps conversations private, also against guessed ids and sockets', async () => {
    const a = await makeMember(server, { handle: 'priv-a' })
    await makeMember(server, { handle: 'priv-b', sponsor: 'priv-a' })
    const eve = await makeMember(server, { handle: 'priv-eve' })
    const c = (await a.client.post('/api/v1/conversations', { participants: ['priv-b'] })).body
    await a.client.post(`/api/v1/conversations/${c.id}/messages`, { body: 'Geheim', clientMessageId: 'secret-0001' })
    expect((await eve.client.get(`/api/v1/conversations/${c.id}/messages`)).body.error.code).toBe('CONVERSATION_NOT_FOUND')
    expect((await eve.client.post(`/api/v1/conversations/${c.id}/messages`, { body: 'x', clientMessageId: 'eve-00001' })).status).toBe(404)
    expect((await eve.client.get('/api/v1/conversations/0123456789abcdef01234567/messages')).status).toBe(404)
    const eveSocket = await socketFor(eve.client.cookie)
    const leaked: Message[] = []
    eveSocket.on('message:new', (m) => leaked.push(m))
    expect(await send(eveSocket, { conversationId: c.id, body: 'Hallo?', clientMessageId: 'eve-socket-1' })).toMatchObject({
      ok: false,
      error: { code: 'CONVERSATION_NOT_FOUND' },
    })
    await a.client.post(`/api/v1/conversations/${c.id}/messages`, { body: 'Noch geheimer', clientMessageId: 'secret-0002' })
    await new Promise((r) => setTimeout(r, 300))
    expect(leaked).toEqual([])
    expect((await new Client(server.url).get('/api/v1/conversations')).status).toBe(401)
  })

  it('turns a first message from outside the circle into a request the recipient accepts', async () => {
    const stranger = await makeMember(server, { handle: 'req-stranger' })
    const target = await makeMember(server, { handle: 'req-target' })
    const c = (await stranger.client.post('/api/v1/conversations', { participants: ['req-target'] })).body
    expect(c.status).toBe('active')
    expect((await target.client.get('/api/v1/conversations')).body.items[0]).toMatchObject({ id: c.id, status: 'request' })
    expect((await target.client.post(`/api/v1/conversations/${c.id}/accept`)).body.status).toBe('active')
    // Following each other puts people in each other's circle.
    await target.client.post('/api/v1/profiles/req-stranger/follow')
    await stranger.client.post('/api/v1/profiles/req-target/follow')
    const friend = await makeMember(server, { handle: 'req-friend' })
    await friend.client.post('/api/v1/profiles/req-target/follow')
    await target.client.post('/api/v1/profiles/req-friend/follow')
    const d = (await friend.client.post('/api/v1/conversations', { participants: ['req-target'] })).body
    expect((await target.client.get('/api/v1/conversations')).body.items.find((x: { id: string }) => x.id === d.id).status).toBe('active')
  })
})

describe('typing and read receipts', () => {
  it('shows typing to the others for a few seconds, and read receipts unless switched off', async () => {
    const a = await makeMember(server, { handle: 'typ-a' })
    const b = await makeMember(server, { handle: 'typ-b', sponsor: 'typ-a' })
    const eve = await makeMember(server, { handle: 'typ-eve' })
    const c = (await a.client.post('/api/v1/conversations', { participants: ['typ-b'] })).body
    const [sa, sb, se] = await Promise.all([socketFor(a.client.cookie), socketFor(b.client.cookie), socketFor(eve.client.cookie)])
    const typing: Array<{ handle: string; until: string }> = []
    const reads: Array<{ handle: string; seq: number }> = []
    const eveSaw: string[] = []
    sb.on('typing', (p) => typing.push(p))
    sa.on('typing', () => eveSaw.push('self-typing'))
    sa.on('read', (p) => reads.push(p))
    se.on('typing', () => eveSaw.push('typing'))
    se.on('read', () => eveSaw.push('read'))

    const before = Date.now()
    sa.emit('typing', { conversationId: c.id })
    await expect.poll(() => typing.length).toBe(1)
    expect(typing[0]!.handle).toBe('typ-a')
    const until = new Date(typing[0]!.until).getTime()
    expect(until - before).toBeGreaterThanOrEqual(4000)
    expect(until - before).toBeLessThanOrEqual(7000)
    se.emit('typing', { conversationId: c.id }) // not a participant: nothing happens

    const sent = (await a.client.post(`/api/v1/conversations/${c.id}/messages`, { body: 'Gelesen?', clientMessageId: 'read-0001' })).body
    sb.emit('read', { conversationId: c.id, seq: sent.seq })
    await expect.poll(() => reads).toEqual([{ conversationId: c.id, handle: 'typ-b', seq: sent.seq }])
    expect((await b.client.get('/api/v1/conversations')).body.items[0].unread).toBe(0)

    expect((await b.client.request('PUT', '/api/v1/me/privacy', { readReceipts: false })).body).toEqual({ readReceipts: false, presence: true })
    const next = (await a.client.post(`/api/v1/conversations/${c.id}/messages`, { body: 'Und jetzt?', clientMessageId: 'read-0002' })).body
    sb.emit('read', { conversationId: c.id, seq: next.seq })
    await new Promise((r) => setTimeout(r, 400))
    expect(reads).toHaveLength(1)
    expect((await b.client.get('/api/v1/conversations')).body.items[0].unread).toBe(0) // still recorded for b
    expect(eveSaw).toEqual([])
  })
})

describe('editing and deleting messages', () => {
  it('lets only the author change a message, keeps its place when deleted, and tells the others live', async () => {
    const a = await makeMember(server, { handle: 'edit-a' })
    const b = await makeMember(server, { handle: 'edit-b', sponsor: 'edit-a' })
    const c = (await a.client.post('/api/v1/conversations', { participants: ['edit-b'] })).body
    const sent = (await a.client.post(`/api/v1/conversations/${c.id}/messages`, { body: 'Tippfeler', clientMessageId: 'edit-0001' })).body
    const sb = await socketFor(b.client.cookie)
    const updates: Message[] = []
    sb.on('message:update', (m) => updates.push(m))
    expect((await b.client.patch(`/api/v1/conversations/${c.id}/messages/${sent.seq}`, { body: 'gehackt' })).body.error.code).toBe('NOT_AUTHOR')
    const edited = await a.client.patch(`/api/v1/conversations/${c.id}/messages/${sent.seq}`, { body: 'Tippfehler' })
    expect(edited.body).toMatchObject({ html: '<p>Tippfehler</p>\n', editedAt: expect.any(String), deleted: false })
    const removed = await a.client.request('DELETE', `/api/v1/conversations/${c.id}/messages/${sent.seq}`)
    expect(removed.body).toMatchObject({ deleted: true, html: '' })
    await expect.poll(() => updates.map((u) => u.deleted)).toEqual([false, true])
    const history = (await b.client.get(`/api/v1/conversations/${c.id}/messages`)).body.items
    expect(history.find((m: Message) => m.seq === sent.seq)).toMatchObject({ deleted: true, html: '' })
  })
})

describe('onboarding', () => {
  it("uses the sponsor's own welcome text when they wrote one", async () => {
    const sponsor = await makeMember(server, { handle: 'own-welcome' })
    expect((await sponsor.client.get('/api/v1/me/welcome')).body).toMatchObject({ text: null, defaultText: expect.stringContaining('{name}') })
    expect((await sponsor.client.request('PUT', '/api/v1/me/welcome', { text: 'Servus {name}! Morgen rufe ich dich an.' })).status).toBe(200)
    const recruit = await makeMember(server, { handle: 'own-welcome-r', sponsor: 'own-welcome', displayName: 'Rudi' })
    const conversation = (await recruit.client.get('/api/v1/conversations')).body.items[0]
    const first = (await recruit.client.get(`/api/v1/conversations/${conversation.id}/messages`)).body.items[0]
    expect(first.html).toBe('<p>Servus Rudi! Morgen rufe ich dich an.</p>\n')
    expect((await sponsor.client.request('PUT', '/api/v1/me/welcome', { text: '   ' })).status).toBe(400)
  })

  it("opens a chat with the sponsor's welcome on the day a recruit joins, and tells the sponsor", async () => {
    const sponsor = await makeMember(server, { handle: 'welcome-sponsor' })
    const recruit = await makeMember(server, { handle: 'welcome-recruit', sponsor: 'welcome-sponsor', displayName: 'Wilma Neu' })
    const conversations = (await recruit.client.get('/api/v1/conversations')).body.items
    expect(conversations).toHaveLength(1)
    expect(conversations[0].participants.map((p: { handle: string }) => p.handle).sort()).toEqual(['welcome-recruit', 'welcome-sponsor'])
    const messages = (await recruit.client.get(`/api/v1/conversations/${conversations[0].id}/messages`)).body.items
    expect(messages[0]).toMatchObject({ author: { handle: 'welcome-sponsor' }, html: expect.stringContaining('Hallo Wilma Neu, herzlich willkommen') })
    expect((await sponsor.client.get('/api/v1/notifications')).body.items[0]).toMatchObject({ type: 'team.recruit', data: { handle: 'welcome-recruit' } })
  })
})
