import type { Message, SendAck } from '@vernetzt/shared/schemas/messages'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { closeSockets, makeMember, openSocket, startTestServer, type ClientSocket, type TestServer, adminClient } from './harness.ts'

/** Losing access takes effect on open sockets at once (issue 10, finding 4). */
let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterEach(() => closeSockets())
afterAll(async () => {
  await server.close()
})

const socketFor = async (cookie: string) => (await openSocket(server.url, { cookie })).socket
const join = (socket: ClientSocket, conversationId: string) =>
  new Promise<{ ok: boolean }>((resolve) => socket.emit('conversation:join', { conversationId }, resolve))
const send = (socket: ClientSocket, conversationId: string, body: string) =>
  new Promise<SendAck>((resolve) =>
    socket.emit('message:send', { conversationId, body, clientMessageId: `live-${Math.random().toString(36).slice(2, 12)}` }, resolve),
  )
const heardBy = (socket: ClientSocket) => {
  const heard: string[] = []
  socket.on('message:new', (m: Message) => heard.push(m.html))
  return heard
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))
const closed = (socket: ClientSocket) => new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)))

async function communityRoom(prefix: string) {
  const owner = await makeMember(server, { handle: `${prefix}-owner` })
  const member = await makeMember(server, { handle: `${prefix}-member` })
  await owner.client.post('/api/v1/groups', { name: `Gruppe ${prefix}`, slug: `${prefix}-gruppe`, kind: 'community', visibility: 'private' })
  await owner.client.post(`/api/v1/groups/${prefix}-gruppe/invitations`, { handle: member.handle })
  expect((await member.client.post(`/api/v1/groups/${prefix}-gruppe/join`)).body.status).toBe('joined')
  const room = (await member.client.get(`/api/v1/groups/${prefix}-gruppe/chat`)).body as { id: string }
  return { owner, member, slug: `${prefix}-gruppe`, roomId: room.id }
}

describe("a group's room after losing access", () => {
  it('stops live delivery to a member the moment they are removed', async () => {
    const { owner, member, slug, roomId } = await communityRoom('removed')
    const [ownerSocket, memberSocket] = await Promise.all([socketFor(owner.client.cookie), socketFor(member.client.cookie)])
    expect(await join(memberSocket, roomId)).toEqual({ ok: true })
    const heard = heardBy(memberSocket)
    expect(await send(ownerSocket, roomId, 'Vorher')).toMatchObject({ ok: true })
    await expect.poll(() => heard).toEqual(['<p>Vorher</p>\n'])

    expect((await owner.client.post(`/api/v1/groups/${slug}/members/remove`, { handle: member.handle })).status).toBe(200)
    expect(await send(ownerSocket, roomId, 'Nachher')).toMatchObject({ ok: true })
    await pause(500)
    expect(heard).toEqual(['<p>Vorher</p>\n'])
    // Nor can the old socket write there or join again.
    expect(await send(memberSocket, roomId, 'Noch da?')).toMatchObject({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } })
    expect(await join(memberSocket, roomId)).toEqual({ ok: false })
  })

  it('stops live delivery to a member who leaves', async () => {
    const { owner, member, slug, roomId } = await communityRoom('leaver')
    const [ownerSocket, memberSocket] = await Promise.all([socketFor(owner.client.cookie), socketFor(member.client.cookie)])
    expect(await join(memberSocket, roomId)).toEqual({ ok: true })
    const heard = heardBy(memberSocket)
    expect((await member.client.post(`/api/v1/groups/${slug}/leave`)).status).toBe(200)
    expect(await send(ownerSocket, roomId, 'Nach dem Austritt')).toMatchObject({ ok: true })
    await pause(500)
    expect(heard).toEqual([])
  })
})

describe('team rooms after a move', () => {
  it("takes a recruit an admin moves out of the downline out of the team's room, and keeps the others", async () => {
    const lead = await makeMember(server, { handle: 'move-lead' })
    const stays = await makeMember(server, { handle: 'move-stays', sponsor: 'move-lead' })
    const moves = await makeMember(server, { handle: 'move-moves', sponsor: 'move-lead' })
    await makeMember(server, { handle: 'move-elsewhere' })
    await lead.client.post('/api/v1/groups', { name: 'Team Umzug', slug: 'move-team', kind: 'team', visibility: 'private', teamDepth: 1 })
    const room = (await stays.client.get('/api/v1/groups/move-team/chat')).body as { id: string }
    const [leadSocket, staysSocket, movesSocket] = await Promise.all([lead, stays, moves].map((m) => socketFor(m.client.cookie)))
    for (const socket of [staysSocket!, movesSocket!]) expect(await join(socket, room.id)).toEqual({ ok: true })
    const heardStays = heardBy(staysSocket!)
    const heardMoves = heardBy(movesSocket!)
    const admin = await adminClient(server, { email: 'move-admin@example.org', password: 'admin password 1' })
    expect((await admin.post('/api/v1/admin/members/move', { member: 'move-moves', newSponsor: 'move-elsewhere', reason: 'Umzug' })).status).toBe(200)
    expect(await send(leadSocket!, room.id, 'Nach dem Umzug')).toMatchObject({ ok: true })
    await expect.poll(() => heardStays).toEqual(['<p>Nach dem Umzug</p>\n'])
    await pause(300)
    expect(heardMoves).toEqual([])
  })
})

describe('signing out', () => {
  it('closes the sockets opened with that session, and only those', async () => {
    const anna = await makeMember(server, { handle: 'logout-anna' })
    const ben = await makeMember(server, { handle: 'logout-ben', sponsor: 'logout-anna' })
    const chat = (await ben.client.post('/api/v1/conversations', { participants: ['logout-anna'] })).body as { id: string }
    const otherDevice = await makeMember(server, { handle: 'logout-anna2' }) // a different member entirely
    const [annaSocket, benSocket, otherSocket] = await Promise.all([
      socketFor(anna.client.cookie),
      socketFor(ben.client.cookie),
      socketFor(otherDevice.client.cookie),
    ])
    const heard = heardBy(annaSocket)
    const gone = closed(annaSocket)

    expect((await anna.client.post('/api/v1/auth/logout')).status).toBe(200)
    expect(await gone).toBe('io server disconnect')
    expect(await send(benSocket, chat.id, 'Bist du noch da?')).toMatchObject({ ok: true })
    await pause(300)
    expect(heard).toEqual([])
    expect(annaSocket.connected).toBe(false)
    expect(otherSocket.connected).toBe(true)
    expect(benSocket.connected).toBe(true)
  })

  it('ends a socket whose session ran out at its next event', async () => {
    const cara = await makeMember(server, { handle: 'expired-cara' })
    const socket = await socketFor(cara.client.cookie)
    // The session ends in the database (as the sweeper or its end date would have it).
    const sessions = await server.app.ctx.models.Session.find({}).lean()
    const member = await server.app.ctx.models.Member.findOne({ handle: 'expired-cara' }).lean()
    const own = sessions.filter((s) => s.userId.equals(member!._id))
    expect(own).toHaveLength(1)
    const [serverSocket] = await server.app.io.in(`user:${member!._id.toString()}`).fetchSockets()
    serverSocket!.data.sessionEndsAt = Date.now() - 1
    const gone = closed(socket)
    socket.emit('typing', { conversationId: '0'.repeat(24) })
    expect(await gone).toBe('io server disconnect')
  })
})

describe('blocking', () => {
  it("stops a blocked member's open sockets from seeing the blocker come and go", async () => {
    const anna = await makeMember(server, { handle: 'block-live-anna' })
    const ben = await makeMember(server, { handle: 'block-live-ben', sponsor: 'block-live-anna' })
    const chat = (await ben.client.post('/api/v1/conversations', { participants: ['block-live-anna'] })).body as { id: string }
    const annaSocket = await socketFor(anna.client.cookie)
    const benSocket = await socketFor(ben.client.cookie)
    const watch = () =>
      new Promise<{ ok: boolean; presence: Array<{ handle: string }> }>((resolve) => benSocket.emit('presence:watch', { conversationId: chat.id }, resolve))
    expect((await watch()).presence.map((p) => p.handle)).toEqual(['block-live-anna'])
    const seen: string[] = []
    benSocket.on('presence', (p) => seen.push(p.handle))

    expect((await anna.client.request('PUT', '/api/v1/me/blocks/block-live-ben')).status).toBe(200)
    annaSocket.disconnect() // Anna goes offline: Ben must not hear of it
    await pause(700)
    expect(seen).toEqual([])
    expect((await watch()).presence).toEqual([])
  })
})
