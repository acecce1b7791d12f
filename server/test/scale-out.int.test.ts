import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeSockets, makeMember, openSocket, startTestServer, uniqueDbName, type TestServer, privateRoom } from './harness.ts'
import { startRedis } from './redis.ts'

/**
 * Two server nodes on different ports, one database, one Redis: an event raised on node A must
 * reach a client connected to node B, exactly once (README "Scaling out").
 */
let redis: Awaited<ReturnType<typeof startRedis>>
let nodeA: TestServer
let nodeB: TestServer
beforeAll(async () => {
  redis = await startRedis()
  const dbName = uniqueDbName('scale')
  // A burst of 15 messages per sender is part of one test; the per-sender limit is not what is tested here.
  // Content (posts, conversations, …) is limited to 6 a minute per member, counted in Redis.
  const limits = { writes: 1000, content: 6, loginFailures: 5 }
  nodeA = await startTestServer({ dbName, config: { redisUrl: redis.url, messageRateLimit: 600, limits } })
  nodeB = await startTestServer({ dbName, config: { redisUrl: redis.url, messageRateLimit: 600, limits } })
})
afterAll(async () => {
  closeSockets()
  await nodeB?.app.close()
  await nodeB?.db.close()
  await nodeA?.close()
  await redis?.stop()
})

describe('two server nodes behind one Redis', () => {
  it('delivers an event raised on node A to a client on node B exactly once', async () => {
    const sponsor = await makeMember(nodeB, { handle: 'zwei-knoten' })
    const { socket, hello } = await openSocket(nodeB.url, { cookie: sponsor.client.cookie })
    expect(hello.handle).toBe('zwei-knoten')
    const seen: string[] = []
    socket.on('team:joined', (p) => seen.push(p.handle))
    // The recruit registers through node A; node A emits to the sponsor's room.
    await makeMember(nodeA, { handle: 'ueber-knoten-a', sponsor: 'zwei-knoten' })
    await expect.poll(() => seen, { timeout: 5000 }).toEqual(['ueber-knoten-a'])
    await new Promise((r) => setTimeout(r, 500))
    expect(seen).toEqual(['ueber-knoten-a'])
    // And the session made on node B is valid on node A: nothing lives in one node's memory.
    const me = await fetch(`${nodeA.url}/api/v1/me`, { headers: { cookie: sponsor.client.cookie } })
    expect(((await me.json()) as { handle: string }).handle).toBe('zwei-knoten')
  })

  it('delivers a message sent through node A to a participant connected to node B exactly once', async () => {
    const a = await makeMember(nodeA, { handle: 'knoten-a' })
    const b = await makeMember(nodeB, { handle: 'knoten-b', sponsor: 'knoten-a' })
    const [{ socket: socketA }, { socket: socketB }] = await Promise.all([
      openSocket(nodeA.url, { cookie: a.client.cookie }),
      openSocket(nodeB.url, { cookie: b.client.cookie }),
    ])
    const conversation = (await a.client.post('/api/v1/conversations', { participants: ['knoten-b'] })).body
    const got: string[] = []
    socketB.on('message:new', (m) => got.push(m.clientMessageId))
    const ack = await new Promise<{ ok: boolean }>((resolve) =>
      socketA.emit('message:send', { conversationId: conversation.id, body: 'Über zwei Knoten', clientMessageId: 'two-nodes-1' }, resolve),
    )
    expect(ack.ok).toBe(true)
    await expect.poll(() => got, { timeout: 5000 }).toContain('two-nodes-1')
    await new Promise((r) => setTimeout(r, 500))
    expect(got.filter((id) => id === 'two-nodes-1')).toHaveLength(1)
  })

  it("carries a group room's messages and a member's presence across nodes", async () => {
    const lead = await makeMember(nodeA, { handle: 'raum-lead' })
    const recruit = await makeMember(nodeB, { handle: 'raum-recruit', sponsor: 'raum-lead' })
    await lead.client.post('/api/v1/groups', { name: 'Team über Knoten', slug: 'raum-team', kind: 'team', visibility: 'private', teamDepth: 1 })
    const room = (await recruit.client.get('/api/v1/groups/raum-team/chat')).body
    const [{ socket: leadSocket }, { socket: recruitSocket }] = await Promise.all([
      openSocket(nodeA.url, { cookie: lead.client.cookie }),
      openSocket(nodeB.url, { cookie: recruit.client.cookie }),
    ])
    expect(await new Promise((resolve) => recruitSocket.emit('conversation:join', { conversationId: room.id }, resolve))).toEqual({ ok: true })
    const got: string[] = []
    recruitSocket.on('message:new', (m) => got.push(m.clientMessageId))
    const ack = await new Promise<{ ok: boolean }>((resolve) =>
      leadSocket.emit('message:send', { conversationId: room.id, body: 'Hallo Team', clientMessageId: 'room-two-nodes' }, resolve),
    )
    expect(ack.ok).toBe(true)
    await expect.poll(() => got, { timeout: 5000 }).toEqual(['room-two-nodes'])

    // The lead watches the recruit through node A; the recruit's second tab on node A closing
    // does not make them offline while their socket on node B is still open.
    const direct = (await lead.client.post('/api/v1/conversations', { participants: ['raum-recruit'] })).body
    const watched = await new Promise<{ presence: Array<{ online: boolean | null }> }>((resolve) =>
      leadSocket.emit('presence:watch', { conversationId: direct.id }, resolve),
    )
    expect(watched.presence[0]!.online).toBe(true)
    const seen: Array<boolean | null> = []
    leadSocket.on('presence', (p) => seen.push(p.online))
    const { socket: secondTab } = await openSocket(nodeA.url, { cookie: recruit.client.cookie })
    secondTab.disconnect()
    await new Promise((r) => setTimeout(r, 800))
    expect(seen).not.toContain(false)
    recruitSocket.disconnect()
    await expect.poll(() => seen.at(-1), { timeout: 5000 }).toBe(false)
  })

  it('keeps every message and gives each its own number when both nodes write into one conversation at once', async () => {
    const a = await makeMember(nodeA, { handle: 'zahl-a' })
    const b = await makeMember(nodeB, { handle: 'zahl-b', sponsor: 'zahl-a' })
    const [{ socket: socketA }, { socket: socketB }] = await Promise.all([
      openSocket(nodeA.url, { cookie: a.client.cookie }),
      openSocket(nodeB.url, { cookie: b.client.cookie }),
    ])
    const conversation = (await a.client.post('/api/v1/conversations', { participants: ['zahl-b'] })).body
    const send = (socket: typeof socketA, id: string) =>
      new Promise<{ ok: boolean; seq: number }>((resolve) =>
        socket.emit('message:send', { conversationId: conversation.id, body: id, clientMessageId: id }, resolve as never),
      )
    // Each node counts from what it knows; they collide, and the database sorts it out.
    const acks = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? send(socketB, `knoten-b-${i}`) : send(socketA, `knoten-a-${i}`))))
    expect(acks.filter((ack) => !ack.ok)).toEqual([])
    expect(new Set(acks.map((ack) => ack.seq)).size).toBe(30)
    // Read through either node right away: all 30, each once, in the order of their numbers.
    for (const client of [a.client, b.client]) {
      const { items } = (await client.get(`/api/v1/conversations/${conversation.id}/messages?limit=50`)).body as {
        items: Array<{ seq: number; clientMessageId: string }>
      }
      // (The sponsor's welcome opened the conversation.)
      expect(
        items
          .filter((m) => m.clientMessageId.startsWith('knoten-'))
          .map((m) => m.clientMessageId)
          .sort(),
      ).toEqual(Array.from({ length: 30 }, (_, i) => (i % 2 ? `knoten-b-${i}` : `knoten-a-${i}`)).sort())
      expect(items.map((m) => m.seq)).toEqual([...items.map((m) => m.seq)].sort((x, y) => x - y))
    }
  })

  it("counts a member's limits on both nodes together", async () => {
    const poster = await makeMember(nodeA, { handle: 'zwei-limits' })
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) {
      const node = i % 2 === 0 ? nodeA : nodeB
      const res = await fetch(`${node.url}/api/v1/posts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: poster.client.cookie },
        body: JSON.stringify({ kind: 'pr', area: { type: 'feed' }, body: `Beitrag ${i}` }),
      })
      statuses.push(res.status)
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 201, 429, 429])
  })

  it('takes a removed member out of the room on the other node, and closes a signed-out session there', async () => {
    const owner = await makeMember(nodeA, { handle: 'zwei-raum-chefin' })
    const member = await makeMember(nodeA, { handle: 'zwei-raum-mitglied' })
    const room = { id: (await privateRoom(owner, member, { slug: 'zwei-knoten-raum', name: 'Zwei Knoten Raum' })).roomId }
    const { socket: ownerSocket } = await openSocket(nodeA.url, { cookie: owner.client.cookie })
    const { socket: memberSocket } = await openSocket(nodeB.url, { cookie: member.client.cookie })
    expect(await new Promise((resolve) => memberSocket.emit('conversation:join', { conversationId: room.id }, resolve))).toEqual({ ok: true })
    const heard: string[] = []
    memberSocket.on('message:new', (m) => heard.push(m.html))
    const say = (body: string) =>
      new Promise((resolve) =>
        ownerSocket.emit('message:send', { conversationId: room.id, body, clientMessageId: `zwei-raum-${body.length}-${Date.now()}` }, resolve),
      )
    await say('Vorher')
    await expect.poll(() => heard, { timeout: 5000 }).toEqual(['<p>Vorher</p>\n'])

    // Removed through node A: the socket on node B leaves the room at once.
    expect((await owner.client.post('/api/v1/groups/zwei-knoten-raum/members/remove', { handle: member.handle })).status).toBe(200)
    await say('Nach dem Entfernen')
    await new Promise((r) => setTimeout(r, 700))
    expect(heard).toEqual(['<p>Vorher</p>\n'])

    // Signed out through node A: the socket on node B closes.
    const closed = new Promise<string>((resolve) => memberSocket.once('disconnect', resolve))
    expect((await member.client.post('/api/v1/auth/logout')).status).toBe(200)
    expect(await closed).toBe('io server disconnect')
  })
})
