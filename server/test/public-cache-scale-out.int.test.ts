import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureAdmin } from '../src/modules/referrals/index.ts'
import { Client, makeMember, settle, startTestServer, uniqueDbName, type TestServer, turnOnTwoFactor } from './harness.ts'
import { startRedis } from './redis.ts'

/**
 * The public cache across two nodes sharing one database and one Redis: an answer rendered on
 * one node is served by the other from Redis, and an edit on either forgets it on both (in
 * Redis, and in each node's memory through the cache.invalidated event). Each node also
 * remembers resolved sessions and member cards: a sign-out, a role change and a profile edit on
 * one node act on the other at once.
 */
let redis: Awaited<ReturnType<typeof startRedis>>
let nodeA: TestServer
let nodeB: TestServer
beforeAll(async () => {
  redis = await startRedis()
  const dbName = uniqueDbName('pcscale')
  const config = { redisUrl: redis.url }
  nodeA = await startTestServer({ dbName, config })
  nodeB = await startTestServer({ dbName, config })
})
afterAll(async () => {
  await nodeB?.app.close()
  await nodeB?.db.close()
  await nodeA?.close()
  await redis?.stop()
})

const read = async (node: TestServer, url: string) => {
  const res = await fetch(`${node.url}${url}`)
  return { state: res.headers.get('x-vernetzt-cache'), etag: res.headers.get('etag'), body: (await res.json()) as { displayName: string } }
}

describe('the public cache on two nodes', () => {
  it('serves what one node stored from the other, and forgets it on both after an edit', async () => {
    const anna = await makeMember(nodeA, { handle: 'pcs-anna', displayName: 'Anna Erste' })
    const first = await read(nodeA, '/api/v1/profiles/pcs-anna')
    expect(first.state).toBe('miss')
    const onB = await read(nodeB, '/api/v1/profiles/pcs-anna')
    expect(onB.state).toBe('hit') // from Redis: node B never rendered it
    expect(onB.etag).toBe(first.etag)
    expect((await read(nodeA, '/api/v1/profiles/pcs-anna')).state).toBe('hit')

    // Edited through node A: Redis forgets it at once, node A's memory before the edit answers.
    expect((await anna.client.patch('/api/v1/me/profile', { displayName: 'Anna Zweite' })).status).toBe(200)
    expect((await read(nodeA, '/api/v1/profiles/pcs-anna')).body.displayName).toBe('Anna Zweite')
    await expect.poll(async () => (await read(nodeB, '/api/v1/profiles/pcs-anna')).body.displayName, { timeout: 1_000, interval: 50 }).toBe('Anna Zweite')
  })

  it('forgets on node A what an edit made through node B changed, within a second', async () => {
    const bert = await makeMember(nodeA, { handle: 'pcs-bert', displayName: 'Bert Erster' })
    await read(nodeA, '/api/v1/profiles/pcs-bert')
    expect((await read(nodeA, '/api/v1/profiles/pcs-bert')).state).toBe('hit')
    const onB = Object.assign(new Client(nodeB.url), { cookie: bert.client.cookie })
    expect((await onB.patch('/api/v1/me/profile', { displayName: 'Bert Zweiter' })).status).toBe(200)
    await expect.poll(async () => (await read(nodeA, '/api/v1/profiles/pcs-bert')).body.displayName, { timeout: 1_000, interval: 50 }).toBe('Bert Zweiter')
  })

  it('signs a session out on every node at once, though each node remembers sessions', async () => {
    const carla = await makeMember(nodeA, { handle: 'pcs-carla' })
    const onB = Object.assign(new Client(nodeB.url), { cookie: carla.client.cookie })
    expect((await onB.get('/api/v1/me')).status).toBe(200)
    expect((await onB.get('/api/v1/me')).status).toBe(200) // remembered on node B now
    expect((await carla.client.post('/api/v1/auth/logout')).status).toBeLessThan(300)
    await expect.poll(async () => (await onB.get('/api/v1/me')).status, { timeout: 1_000, interval: 50 }).toBe(401)
  })

  it('gives a member made admin the new role on every node at once, once two-factor sign-in is on', async () => {
    const dora = await makeMember(nodeA, { handle: 'pcs-dora', password: 'dora password 1' })
    const onB = Object.assign(new Client(nodeB.url), { cookie: dora.client.cookie })
    expect((await onB.get('/api/v1/me')).body.role).toBe('partner')
    await ensureAdmin(nodeA.app.ctx, { email: 'pcs-dora@example.org', password: 'dora password 1', handle: 'pcs-dora' })
    await expect.poll(async () => (await onB.get('/api/v1/me')).body.twoFactorRequired, { timeout: 1_000, interval: 50 }).toBe(true)
    expect((await onB.get('/api/v1/moderation/queue')).status).toBe(403)
    await turnOnTwoFactor(dora.client, dora.email)
    await expect.poll(async () => (await onB.get('/api/v1/me')).body.role, { timeout: 1_000, interval: 50 }).toBe('admin')
    expect((await onB.get('/api/v1/moderation/queue')).status).toBe(200)
  })

  it("shows an author's new name in a follower's feed on the other node at once", async () => {
    const emil = await makeMember(nodeA, { handle: 'pcs-emil', displayName: 'Emil Alt' })
    const fritz = await makeMember(nodeA, { handle: 'pcs-fritz' })
    await fritz.client.post('/api/v1/profiles/pcs-emil/follow')
    await emil.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'feed' }, body: 'Neuigkeiten aus dem Team' })
    await settle(nodeA)
    const feedOnB = Object.assign(new Client(nodeB.url), { cookie: fritz.client.cookie })
    const author = async () => ((await feedOnB.get('/api/v1/feed')).body.items as Array<{ author: { displayName: string } }>)[0]?.author.displayName
    expect(await author()).toBe('Emil Alt')
    expect((await emil.client.patch('/api/v1/me/profile', { displayName: 'Emil Neu' })).status).toBe(200)
    await expect.poll(author, { timeout: 1_000, interval: 50 }).toBe('Emil Neu')
  })

  it('shows an edited and a deleted chat message on the other node at once, though each node keeps messages read', async () => {
    const gina = await makeMember(nodeA, { handle: 'pcs-gina' })
    const hansOnA = await makeMember(nodeA, { handle: 'pcs-hans', sponsor: 'pcs-gina' })
    const hans = Object.assign(new Client(nodeB.url), { cookie: hansOnA.client.cookie })
    const c = (await gina.client.post('/api/v1/conversations', { participants: ['pcs-hans'] })).body
    const seqs: number[] = []
    for (const [i, body] of ['Erste Nachricht', 'Zweite Nachricht'].entries()) {
      const sent = await gina.client.post(`/api/v1/conversations/${c.id}/messages`, { body, clientMessageId: `pcs-edit-000${i}` })
      expect(sent.status).toBe(201)
      seqs.push(sent.body.seq)
    }
    const history = async () =>
      ((await hans.get(`/api/v1/conversations/${c.id}/messages`)).body.items as Array<{ seq: number; html: string; deleted: boolean }>)
        .filter((m) => seqs.includes(m.seq))
        .map((m) => (m.deleted ? '(gelöscht)' : m.html.replace(/<[^>]+>/g, '').trim()))
    await expect.poll(history, { timeout: 2_000, interval: 50 }).toEqual(['Erste Nachricht', 'Zweite Nachricht'])
    expect((await gina.client.patch(`/api/v1/conversations/${c.id}/messages/${seqs[0]}`, { body: 'Erste, verbessert' })).status).toBe(200)
    await expect.poll(history, { timeout: 1_000, interval: 50 }).toEqual(['Erste, verbessert', 'Zweite Nachricht'])
    expect((await gina.client.request('DELETE', `/api/v1/conversations/${c.id}/messages/${seqs[1]}`)).status).toBe(200)
    await expect.poll(history, { timeout: 1_000, interval: 50 }).toEqual(['Erste, verbessert', '(gelöscht)'])
  })
})
