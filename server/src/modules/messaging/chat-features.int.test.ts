import type { Message, Presence, SendAck } from '@vernetzt/shared/schemas/messages'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, closeSockets, makeMember, openSocket, startTestServer, type ClientSocket, type TestServer } from '../../../test/harness.ts'
import { chatMemory } from './state.ts'
import { messagingIdle } from './send.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ config: { messageRateLimit: 40 } })
})
afterAll(async () => {
  closeSockets()
  await server.close()
})

const socketFor = async (cookie: string) => (await openSocket(server.url, { cookie })).socket
const send = (socket: ClientSocket, payload: { conversationId: string; body: string; clientMessageId: string; attachments?: string[] }) =>
  new Promise<SendAck>((resolve) => socket.emit('message:send', payload, resolve))
const join = (socket: ClientSocket, conversationId: string) =>
  new Promise<{ ok: boolean }>((resolve) => socket.emit('conversation:join', { conversationId }, resolve))
let ids = 0
const nextId = () => `cid-${Date.now().toString(36)}-${(ids += 1)}`

async function upload(client: Client, conversationId: string, bytes: Buffer, filename: string, type: string) {
  const form = new FormData()
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), filename)
  const res = await fetch(`${server.url}/api/v1/conversations/${conversationId}/attachments`, {
    method: 'POST',
    body: form,
    headers: { cookie: client.cookie },
  })
  return { status: res.status, body: (await res.json()) as any }
}

describe("a group's chat room", () => {
  it('admits exactly the members of the group, also the team that follows the downline, and delivers live to those who joined', async () => {
    const lead = await makeMember(server, { handle: 'room-lead' })
    const recruit = await makeMember(server, { handle: 'room-recruit', sponsor: 'room-lead' })
    const outsider = await makeMember(server, { handle: 'room-outsider' })
    expect((await lead.client.post('/api/v1/groups', { name: 'Team Lead', slug: 'room-team', kind: 'team', visibility: 'private', teamDepth: 2 })).status).toBe(
      201,
    )

    const room = await recruit.client.get('/api/v1/groups/room-team/chat')
    expect(room.status).toBe(200)
    expect(room.body).toMatchObject({ kind: 'room', title: 'Team Lead', groupSlug: 'room-team', unread: 0 })
    // The room is listed with the member's conversations, without anyone writing first.
    expect((await recruit.client.get('/api/v1/conversations')).body.rooms.map((r: { id: string }) => r.id)).toContain(room.body.id)

    // An outsider learns nothing: not by slug, not by the room's id over REST or socket.
    expect((await outsider.client.get('/api/v1/groups/room-team/chat')).status).toBe(404)
    expect((await outsider.client.get(`/api/v1/conversations/${room.body.id}/messages`)).body.error.code).toBe('CONVERSATION_NOT_FOUND')
    const outsiderSocket = await socketFor(outsider.client.cookie)
    expect(await join(outsiderSocket, room.body.id)).toEqual({ ok: false })
    expect(await send(outsiderSocket, { conversationId: room.body.id, body: 'Hallo?', clientMessageId: nextId() })).toMatchObject({
      ok: false,
      error: { code: 'CONVERSATION_NOT_FOUND' },
    })

    const leadSocket = await socketFor(lead.client.cookie)
    const recruitSocket = await socketFor(recruit.client.cookie)
    expect(await join(leadSocket, room.body.id)).toEqual({ ok: true })
    const heard: Message[] = []
    const leaked: Message[] = []
    leadSocket.on('message:new', (m) => heard.push(m))
    outsiderSocket.on('message:new', (m) => leaked.push(m))
    const ack = await send(recruitSocket, { conversationId: room.body.id, body: 'Hallo Team!', clientMessageId: nextId() })
    expect(ack).toMatchObject({ ok: true, seq: 1 })
    await expect.poll(() => heard.map((m) => m.html)).toEqual(['<p>Hallo Team!</p>\n'])
    expect((await lead.client.get('/api/v1/conversations')).body.rooms.find((r: { id: string }) => r.id === room.body.id)).toMatchObject({
      unread: 1,
      lastMessage: { text: 'Hallo Team!' },
    })
    expect(leaked).toEqual([])
  })
})

describe('blocking and muting', () => {
  it('stops a blocked member from writing to the blocker and hides their messages in shared chats', async () => {
    const carla = await makeMember(server, { handle: 'block-carla' })
    const dirk = await makeMember(server, { handle: 'block-dirk', sponsor: 'block-carla' })
    const eva = await makeMember(server, { handle: 'block-eva', sponsor: 'block-carla' })
    const direct = (await dirk.client.post('/api/v1/conversations', { participants: ['block-carla'] })).body
    const group = (await carla.client.post('/api/v1/conversations', { participants: ['block-dirk', 'block-eva'], title: 'Planung' })).body

    const blocked = await carla.client.request('PUT', '/api/v1/me/blocks/block-dirk')
    expect(blocked.body.items.map((m: { handle: string }) => m.handle)).toEqual(['block-dirk'])
    expect((await carla.client.request('PUT', '/api/v1/me/blocks/block-carla')).body.error.code).toBe('VALIDATION_FAILED')

    const dirkSocket = await socketFor(dirk.client.cookie)
    const carlaSocket = await socketFor(carla.client.cookie)
    const carlaHeard: Message[] = []
    carlaSocket.on('message:new', (m) => carlaHeard.push(m))
    expect(await send(dirkSocket, { conversationId: direct.id, body: 'Hallo?', clientMessageId: nextId() })).toMatchObject({
      ok: false,
      error: { code: 'BLOCKED' },
    })
    expect((await dirk.client.post('/api/v1/conversations', { participants: ['block-carla'], title: 'Neu' })).body.error.code).toBe('BLOCKED')

    // In the group conversation Dirk still writes; Eva sees it, Carla does not, live or later.
    const evaSocket = await socketFor(eva.client.cookie)
    const evaHeard: Message[] = []
    evaSocket.on('message:new', (m) => evaHeard.push(m))
    expect(await send(dirkSocket, { conversationId: group.id, body: 'Von Dirk', clientMessageId: nextId() })).toMatchObject({ ok: true })
    expect(await send(evaSocket, { conversationId: group.id, body: 'Von Eva', clientMessageId: nextId() })).toMatchObject({ ok: true })
    await expect.poll(() => carlaHeard.map((m) => m.html)).toEqual(['<p>Von Eva</p>\n'])
    expect(evaHeard.map((m) => m.html)).toContain('<p>Von Dirk</p>\n')
    const carlaHistory = (await carla.client.get(`/api/v1/conversations/${group.id}/messages`)).body.items as Message[]
    expect(carlaHistory.map((m) => m.author.handle)).not.toContain('block-dirk')

    // Unblocking restores both directions.
    expect((await carla.client.request('DELETE', '/api/v1/me/blocks/block-dirk')).body.items).toEqual([])
    expect(await send(dirkSocket, { conversationId: direct.id, body: 'Wieder da', clientMessageId: nextId() })).toMatchObject({ ok: true })
  })

  it('sends one "new message" notice per unread stretch, none when muted, and mentions even when muted', async () => {
    const fritz = await makeMember(server, { handle: 'note-fritz' })
    const gina = await makeMember(server, { handle: 'note-gina', sponsor: 'note-fritz' })
    const hans = await makeMember(server, { handle: 'note-hans', sponsor: 'note-fritz' })
    const chat = (await fritz.client.post('/api/v1/conversations', { participants: ['note-gina', 'note-hans'], title: 'Aktion' })).body
    // (Gina and Hans also got their sponsor's welcome in another conversation.)
    // Notices follow the acknowledgement; wait for the server to finish what it accepted.
    const notices = async (client: Client) => {
      await messagingIdle(server.app.ctx)
      return (await client.get('/api/v1/notifications')).body.items.filter((n: { data: { conversationId?: string } }) => n.data.conversationId === chat.id)
    }

    for (const body of ['Eins', 'Zwei', 'Drei']) await fritz.client.post(`/api/v1/conversations/${chat.id}/messages`, { body, clientMessageId: nextId() })
    const ginas = await notices(gina.client)
    expect(ginas).toHaveLength(1)
    expect(ginas[0]).toMatchObject({ type: 'message.new', data: { conversationId: chat.id }, text: { de: expect.stringContaining('Eins') } })
    // After reading, the next message is a new stretch.
    await gina.client.post(`/api/v1/conversations/${chat.id}/read`, { seq: 3 })
    // Reading just now counts as looking at the chat; pretend a minute passed.
    await server.db.connection
      .collection('conversation_participants')
      .updateOne({ _id: `${chat.id}:${gina.me.id}` } as never, { $set: { lastReadAt: new Date(Date.now() - 120_000) } })
    chatMemory(server.app.ctx).participants.clear() // the write went around the server, so must its memory
    await fritz.client.post(`/api/v1/conversations/${chat.id}/messages`, { body: 'Vier', clientMessageId: nextId() })
    expect(await notices(gina.client)).toHaveLength(2)

    expect((await hans.client.request('PUT', `/api/v1/conversations/${chat.id}/settings`, { muted: true })).body).toMatchObject({ muted: true })
    const before = (await notices(hans.client)).length
    await fritz.client.post(`/api/v1/conversations/${chat.id}/messages`, { body: 'Fünf', clientMessageId: nextId() })
    expect(await notices(hans.client)).toHaveLength(before)
    await fritz.client.post(`/api/v1/conversations/${chat.id}/messages`, { body: 'Bitte übernimm das, @note-hans', clientMessageId: nextId() })
    const mentions = (await notices(hans.client)).filter((n: { type: string }) => n.type === 'message.mention')
    expect(mentions).toHaveLength(1)
    expect(mentions[0].text.de).toContain('hat dich im Chat erwähnt')
  })
})

describe('limits', () => {
  it('refuses a sender who floods, with the seconds to wait, and keeps what was stored', async () => {
    const ina = await makeMember(server, { handle: 'flood-ina' })
    await makeMember(server, { handle: 'flood-jan', sponsor: 'flood-ina' })
    const chat = (await ina.client.post('/api/v1/conversations', { participants: ['flood-jan'] })).body
    const socket = await socketFor(ina.client.cookie)
    const acks: SendAck[] = []
    for (let i = 0; i < 13; i++) acks.push(await send(socket, { conversationId: chat.id, body: `Nachricht ${i}`, clientMessageId: nextId() }))
    const refused = acks.filter((a) => !a.ok)
    expect(acks.filter((a) => a.ok)).toHaveLength(10) // burst: a quarter of 40 a minute
    expect(refused[0]).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', details: { retryAfter: expect.any(Number) } } })
    const stored = (await ina.client.get(`/api/v1/conversations/${chat.id}/messages`)).body.items as Message[]
    expect(stored.filter((m) => m.clientMessageId.startsWith('cid-'))).toHaveLength(10) // besides Ina's welcome to Jan
    // A resend of a stored message is not a new message and is always answered.
    const first = acks[0] as { id: string }
    const resend = await send(socket, { conversationId: chat.id, body: 'Nachricht 0', clientMessageId: stored.find((m) => m.id === first.id)!.clientMessageId })
    expect(resend).toMatchObject({ ok: true, id: first.id })
  })

  it('lets a message request carry a few messages only until it is accepted', async () => {
    const kai = await makeMember(server, { handle: 'req-kai' })
    const lena = await makeMember(server, { handle: 'req-lena' })
    const chat = (await kai.client.post('/api/v1/conversations', { participants: ['req-lena'] })).body
    for (let i = 0; i < 3; i++)
      expect((await kai.client.post(`/api/v1/conversations/${chat.id}/messages`, { body: `Hallo ${i}`, clientMessageId: nextId() })).status).toBe(201)
    const fourth = await kai.client.post(`/api/v1/conversations/${chat.id}/messages`, { body: 'Hallo?', clientMessageId: nextId() })
    expect(fourth.status).toBe(403)
    expect(fourth.body.error.code).toBe('MESSAGE_REQUEST_PENDING')
    expect((await lena.client.get('/api/v1/notifications')).body.items.filter((n: { type: string }) => n.type === 'message.request')).toHaveLength(1)
    await lena.client.post(`/api/v1/conversations/${chat.id}/accept`)
    expect((await kai.client.post(`/api/v1/conversations/${chat.id}/messages`, { body: 'Danke!', clientMessageId: nextId() })).status).toBe(201)
  })
})

describe('presence', () => {
  it('shows online and last seen to people who share a conversation, and nothing when switched off', async () => {
    const mia = await makeMember(server, { handle: 'pres-mia' })
    const nils = await makeMember(server, { handle: 'pres-nils', sponsor: 'pres-mia' })
    const stranger = await makeMember(server, { handle: 'pres-stranger' })
    const chat = (await mia.client.post('/api/v1/conversations', { participants: ['pres-nils'] })).body
    const miaSocket = await socketFor(mia.client.cookie)
    const watch = (socket: ClientSocket, conversationId: string) =>
      new Promise<{ ok: boolean; presence: Presence[] }>((resolve) => socket.emit('presence:watch', { conversationId }, resolve))

    expect(await watch(miaSocket, chat.id)).toEqual({ ok: true, presence: [{ handle: 'pres-nils', online: false, lastSeenAt: null }] })
    const seen: Presence[] = []
    miaSocket.on('presence', (p) => seen.push(p))
    const nilsSocket = await socketFor(nils.client.cookie)
    await expect.poll(() => seen.at(-1)).toMatchObject({ handle: 'pres-nils', online: true })
    nilsSocket.disconnect()
    await expect.poll(() => seen.at(-1)).toMatchObject({ handle: 'pres-nils', online: false, lastSeenAt: expect.any(String) })

    // Someone outside the conversation cannot watch it.
    const strangerSocket = await socketFor(stranger.client.cookie)
    expect(await watch(strangerSocket, chat.id)).toEqual({ ok: false, presence: [] })

    expect((await nils.client.request('PUT', '/api/v1/me/privacy', { presence: false })).body).toEqual({ readReceipts: true, presence: false })
    await expect.poll(() => seen.at(-1)).toEqual({ handle: 'pres-nils', online: null, lastSeenAt: null })
    await socketFor(nils.client.cookie)
    expect((await watch(miaSocket, chat.id)).presence).toEqual([{ handle: 'pres-nils', online: null, lastSeenAt: null }])
    expect((await nils.client.get('/api/v1/me/privacy')).body).toEqual({ readReceipts: true, presence: false })
  })
})

describe('attachments', () => {
  it('sends images (re-encoded) and PDFs with a message, served only to the participants', async () => {
    const olga = await makeMember(server, { handle: 'file-olga' })
    const paul = await makeMember(server, { handle: 'file-paul', sponsor: 'file-olga' })
    const stranger = await makeMember(server, { handle: 'file-stranger' })
    const chat = (await olga.client.post('/api/v1/conversations', { participants: ['file-paul'] })).body
    const photo = await sharp({ create: { width: 2400, height: 1200, channels: 3, background: '#36c' } })
      .jpeg()
      .withMetadata({ exif: { IFD0: { Copyright: 'secret' } } })
      .toBuffer()
    const image = await upload(olga.client, chat.id, photo, 'Urlaub.jpg', 'image/jpeg')
    expect(image.status).toBe(201)
    expect(image.body).toMatchObject({ kind: 'image', name: 'Urlaub.webp', width: 1600, height: 800 })
    const pdf = await upload(olga.client, chat.id, Buffer.from('%PDF-1.4\n% Preisliste\n'), 'Preisliste Herbst.pdf', 'application/pdf')
    expect(pdf.body).toMatchObject({ kind: 'pdf', name: 'Preisliste Herbst.pdf', size: 22 })
    expect((await upload(olga.client, chat.id, Buffer.from('MZ not a document'), 'tool.exe', 'application/octet-stream')).body.error.code).toBe(
      'UNSUPPORTED_MEDIA',
    )
    expect((await upload(stranger.client, chat.id, photo, 'x.jpg', 'image/jpeg')).status).toBe(404)

    // Only the uploader can attach it, and only in this conversation.
    const paulsChat = (await paul.client.post('/api/v1/conversations', { participants: ['file-olga'] })).body
    expect(
      (await paul.client.post(`/api/v1/conversations/${paulsChat.id}/messages`, { body: 'Meins?', clientMessageId: nextId(), attachments: [pdf.body.id] })).body
        .error.code,
    ).toBe('ATTACHMENT_INVALID')

    const sent = await olga.client.post(`/api/v1/conversations/${chat.id}/messages`, {
      body: '',
      clientMessageId: nextId(),
      attachments: [image.body.id, pdf.body.id],
    })
    expect(sent.status).toBe(201)
    expect(sent.body.attachments.map((a: { kind: string }) => a.kind)).toEqual(['image', 'pdf'])
    const [img, doc] = (await paul.client.get(`/api/v1/conversations/${chat.id}/messages`)).body.items.at(-1).attachments
    const imageRes = await fetch(`${server.url}${img.url}`, { headers: { cookie: paul.client.cookie } })
    expect(imageRes.headers.get('content-type')).toBe('image/webp')
    expect((await sharp(Buffer.from(await imageRes.arrayBuffer())).metadata()).exif).toBeUndefined()
    const docRes = await fetch(`${server.url}${doc.url}`, { headers: { cookie: paul.client.cookie } })
    expect(docRes.headers.get('content-disposition')).toContain('attachment')
    expect(Buffer.from(await docRes.arrayBuffer()).toString('latin1')).toContain('Preisliste')
    expect((await fetch(`${server.url}${doc.url}`, { headers: { cookie: stranger.client.cookie } })).status).toBe(404)
    expect((await fetch(`${server.url}${doc.url}`)).status).toBe(401)

    // Deleting the message deletes its files.
    await olga.client.request('DELETE', `/api/v1/conversations/${chat.id}/messages/${sent.body.seq}`)
    expect((await fetch(`${server.url}${doc.url}`, { headers: { cookie: paul.client.cookie } })).status).toBe(404)
  })
})
