import type { Message, SendAck } from '@vernetzt/shared/schemas/messages'
import sharp from 'sharp'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { messagingIdle } from '../src/modules/messaging/index.ts'
import {
  Client,
  closeSockets,
  makeMember,
  openSocket,
  startTestServer,
  uniqueDbName,
  type ClientSocket,
  type TestServer,
  privateRoom,
  adminClient,
} from './harness.ts'
import { startRedis } from './redis.ts'

/**
 * Domain events across two server nodes (one database, one Redis, as in scale-out.int.test.ts):
 * an event in CROSS_NODE_EVENTS published on node A runs its `everyNode` subscribers on node B,
 * so what node B remembers (the room gate, the chat's author cache; both trusted for 10 s, see
 * messaging/state.ts) is forgotten at once. Events that do not travel run once, on node A only.
 */
let redis: Awaited<ReturnType<typeof startRedis>>
let nodeA: TestServer
let nodeB: TestServer
let adminOnA: Client
beforeAll(async () => {
  redis = await startRedis()
  const dbName = uniqueDbName('evscale')
  const config = { redisUrl: redis.url, messageRateLimit: 600, limits: { writes: 1000, content: 1000, loginFailures: 5 } }
  nodeA = await startTestServer({ dbName, config })
  nodeB = await startTestServer({ dbName, config })
  adminOnA = await adminClient(nodeA, { email: 'evs-admin@example.org', password: 'admin password 1', handle: 'evs-admin' })
})
afterEach(() => closeSockets())
afterAll(async () => {
  closeSockets()
  await nodeB?.app.close()
  await nodeB?.db.close()
  await nodeA?.close()
  await redis?.stop()
})

type Member = Awaited<ReturnType<typeof makeMember>>
/** The same member (same session cookie) talking to another node. */
const via = (node: TestServer, member: Member) => Object.assign(new Client(node.url), { cookie: member.client.cookie })
const socketOn = async (node: TestServer, member: Member) => (await openSocket(node.url, { cookie: member.client.cookie })).socket
let sent = 0
const send = (socket: ClientSocket, conversationId: string, body: string) =>
  new Promise<SendAck>((resolve) =>
    socket.emit('message:send', { conversationId, body, clientMessageId: `evs-${Date.now().toString(36)}-${(sent += 1)}` }, resolve),
  )
const refusal = (ack: SendAck) => (ack.ok ? null : ack.error.code)
const post = async (client: Client, conversationId: string, body: string) =>
  (await client.post(`/api/v1/conversations/${conversationId}/messages`, { body, clientMessageId: `evs-rest-${(sent += 1)}` })) as {
    status: number
    body: Message & { error?: { code: string } }
  }
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** Redis pub/sub takes a moment; the cache it replaces would hold for 10 s. */
const AT_ONCE = { timeout: 2_000, interval: 50 }

async function uploadAvatar(node: TestServer, member: Member) {
  const image = await sharp({ create: { width: 120, height: 120, channels: 3, background: '#36c' } })
    .png()
    .toBuffer()
  const form = new FormData()
  form.append('avatar', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'me.png')
  const res = await fetch(`${node.url}/api/v1/me/avatar`, { method: 'PUT', body: form, headers: { cookie: member.client.cookie } })
  expect(res.status).toBe(200)
  return ((await res.json()) as { avatarUrl: string }).avatarUrl
}

/** A sponsor and a recruit (registered on node A) with their welcome chat. */
async function pair(prefix: string) {
  const sponsor = await makeMember(nodeA, { handle: `${prefix}-s` })
  const recruit = await makeMember(nodeA, { handle: `${prefix}-r`, sponsor: sponsor.handle, displayName: `Recruit ${prefix}` })
  const chat = (await recruit.client.get('/api/v1/conversations')).body.items[0] as { id: string }
  return { sponsor, recruit, chatId: chat.id }
}

describe('every-node subscribers across two nodes', () => {
  it("ends a removed member's access to the room on node B at once (group.member_left)", async () => {
    const owner = await makeMember(nodeA, { handle: 'evs-gate-owner' })
    const member = await makeMember(nodeA, { handle: 'evs-gate-member' })
    const room = { id: (await privateRoom(owner, member, { slug: 'evs-gate', name: 'Zwei Knoten' })).roomId }
    const [ownerSocket, memberSocket] = await Promise.all([socketOn(nodeA, owner), socketOn(nodeB, member)])
    expect(await new Promise((resolve) => memberSocket.emit('conversation:join', { conversationId: room.id }, resolve))).toEqual({ ok: true })
    const heard: string[] = []
    memberSocket.on('message:new', (m) => heard.push(m.html))
    // Node B's gate now remembers that the member may write here.
    expect(await send(memberSocket, room.id, 'Ich bin da')).toMatchObject({ ok: true })

    const removedAt = Date.now()
    expect((await owner.client.post('/api/v1/groups/evs-gate/members/remove', { handle: member.handle })).status).toBe(200)
    await expect.poll(async () => refusal(await send(memberSocket, room.id, 'Noch da?')), AT_ONCE).toBe('CONVERSATION_NOT_FOUND')
    expect(Date.now() - removedAt).toBeLessThan(5_000)
    expect((await post(via(nodeB, member), room.id, 'Über REST?')).body.error?.code).toBe('CONVERSATION_NOT_FOUND')
    // And the socket on node B is out of the room: the owner's next message does not reach it.
    const before = heard.length
    expect(await send(ownerSocket, room.id, 'Nach dem Entfernen')).toMatchObject({ ok: true })
    await pause(500)
    expect(heard.slice(before)).toEqual([])
  })

  it("ends a moved recruit's access to the old team room on node B at once (member.moved)", async () => {
    const lead = await makeMember(nodeA, { handle: 'evs-mv-lead' })
    const moves = await makeMember(nodeA, { handle: 'evs-mv-moves', sponsor: 'evs-mv-lead' })
    await makeMember(nodeA, { handle: 'evs-mv-elsewhere' })
    await lead.client.post('/api/v1/groups', { name: 'Team Umzug', slug: 'evs-mv-team', kind: 'team', visibility: 'private', teamDepth: 1 })
    const room = (await moves.client.get('/api/v1/groups/evs-mv-team/chat')).body as { id: string }
    const socket = await socketOn(nodeB, moves)
    expect(await send(socket, room.id, 'Hallo Team')).toMatchObject({ ok: true })
    expect((await adminOnA.post('/api/v1/admin/members/move', { member: 'evs-mv-moves', newSponsor: 'evs-mv-elsewhere', reason: 'Wechsel' })).status).toBe(200)
    await expect.poll(async () => refusal(await send(socket, room.id, 'Noch da?')), AT_ONCE).toBe('CONVERSATION_NOT_FOUND')
  })

  it('refuses a blocked member writing through node B at once (member.block_changed)', async () => {
    const { sponsor, recruit, chatId } = await pair('evs-blk')
    const recruitOnB = via(nodeB, recruit)
    expect((await post(recruitOnB, chatId, 'Hallo!')).status).toBe(201)
    expect((await sponsor.client.request('PUT', `/api/v1/me/blocks/${recruit.handle}`)).status).toBe(200)
    await expect.poll(async () => (await post(recruitOnB, chatId, 'Bist du noch da?')).body.error?.code, AT_ONCE).toBe('BLOCKED')
  })

  it('shows a name changed through node A in the next message sent through node B (profile.updated)', async () => {
    const { sponsor, recruit, chatId } = await pair('evs-name')
    const sponsorSocket = await socketOn(nodeA, sponsor)
    const live: string[] = []
    sponsorSocket.on('message:new', (m) => live.push(m.author.displayName))
    const recruitOnB = via(nodeB, recruit)
    expect((await post(recruitOnB, chatId, 'Vorher')).body.author.displayName).toBe('Recruit evs-name')
    expect((await recruit.client.patch('/api/v1/me/profile', { displayName: 'Neuer Name' })).status).toBe(200)
    await expect.poll(async () => (await post(recruitOnB, chatId, 'Nachher')).body.author.displayName, AT_ONCE).toBe('Neuer Name')
    await expect.poll(() => live.at(-1)).toBe('Neuer Name')
  })

  it('shows a picture uploaded through node A in the next message sent through node B (profile.avatar_changed)', async () => {
    const { recruit, chatId } = await pair('evs-pic')
    const recruitOnB = via(nodeB, recruit)
    expect((await post(recruitOnB, chatId, 'Vorher')).body.author.avatarUrl).toBeNull()
    const avatarUrl = await uploadAvatar(nodeA, recruit)
    await expect.poll(async () => (await post(recruitOnB, chatId, 'Nachher')).body.author.avatarUrl, AT_ONCE).toBe(avatarUrl)
  })
})

describe('the bus between the nodes', () => {
  it('runs every-node handlers once on each node, with the payload as published, and once-only handlers on the publishing node only', async () => {
    const member = await makeMember(nodeA, { handle: 'evs-probe' })
    const runs: string[] = []
    const payloads: unknown[] = []
    for (const [name, node] of [
      ['A', nodeA],
      ['B', nodeB],
    ] as const) {
      // Probes next to the app's own subscribers; they look at this member's events only.
      node.app.events.register({
        module: `probe-${name}`,
        everyNode: {
          'profile.updated': (_ctx, e) => {
            if (e.memberId !== member.me.id) return
            runs.push(`everyNode on ${name}`)
            payloads.push(e)
          },
        },
        subscribers: { 'profile.updated': (_ctx, e) => void (e.memberId === member.me.id && runs.push(`once on ${name}`)) },
      })
    }
    expect((await member.client.patch('/api/v1/me/profile', { location: 'Hamburg' })).status).toBe(200)
    await expect.poll(() => runs, AT_ONCE).toContain('everyNode on B')
    await pause(300) // anything that would come twice, or come back to node A, has arrived by now
    await Promise.all([nodeA.app.events.idle(), nodeB.app.events.idle()])
    expect([...runs].sort()).toEqual(['everyNode on A', 'everyNode on B', 'once on A'])
    expect(payloads[1]).toEqual(payloads[0])
    expect(payloads[0]).toEqual({ memberId: member.me.id, fields: ['location'], complete: false })
  })
})

describe('events that do not travel', () => {
  it('run once, on the node that published them: one notification for one comment', async () => {
    const author = await makeMember(nodeB, { handle: 'evs-once-author' })
    const writer = await makeMember(nodeA, { handle: 'evs-once-writer' })
    const p = (await author.client.post('/api/v1/posts', { body: 'Kommentiert mich', kind: 'pr', area: { type: 'feed' } })).body
    expect((await writer.client.post(`/api/v1/posts/${p.id}/comments`, { body: 'Gern' })).status).toBe(201)
    await pause(300)
    await Promise.all([nodeA.app.events.idle(), nodeB.app.events.idle(), messagingIdle(nodeA.app.ctx), messagingIdle(nodeB.app.ctx)])
    const notes = (await author.client.get('/api/v1/notifications')).body.items as Array<{ type: string }>
    expect(notes.map((n) => n.type)).toEqual(['post.comment'])
  })
})
