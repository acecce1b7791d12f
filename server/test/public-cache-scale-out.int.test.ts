import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, startTestServer, uniqueDbName, type TestServer } from './harness.ts'
import { startRedis } from './redis.ts'

/**
 * The public cache across two nodes sharing one database and one Redis: an answer rendered on
 * one node is served by the other from Redis, and an edit on either forgets it on both (in
 * Redis, and in each node's memory through the cache.invalidated event).
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
})
