import type { Message, Presence, SendAck } from '@vernetzt/shared/schemas/messages'
import type { OnboardingChecklist } from '@vernetzt/shared/schemas/onboarding'
import sharp from 'sharp'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { messagingIdle } from '../src/modules/messaging/index.ts'
import { Client, closeSockets, makeMember, openSocket, startTestServer, type ClientSocket, type TestServer, privateRoom, adminClient } from './harness.ts'

/**
 * Every subscriber of the domain event bus (server/src/compose.ts, SUBSCRIPTIONS), each driven by
 * the real user action through the HTTP API or a socket, asserted by what a member would see.
 * One `it` per subscriber; where a module test already covers the reaction at length, the test
 * here is the short version, so that a subscriber without a test shows in this list.
 *
 * module        kind        event                      → test (describe › it)
 * messaging     everyNode   group.member_left          → room gate › refuses the next message of a member removed from the group…
 * messaging     everyNode   group.member_joined        → room gate › lets a member write as soon as they joined…
 * messaging     everyNode   member.moved               → room gate › refuses the next message of a recruit an admin moved out of the team…
 * messaging     everyNode   member.block_changed       → chat caches › refuses a blocked member's next direct message at once…
 * messaging     everyNode   profile.updated            → chat caches › shows a new display name in the very next message
 * messaging     everyNode   profile.avatar_changed     → chat caches › shows a new profile picture in the very next message
 * messaging     subscribers member.joined              → a recruit registers › opens the sponsor's welcome chat…
 * messaging     subscribers group.member_left          → rooms › takes a member who leaves, or is removed, out of the room's live traffic
 * accounts      subscribers member.joined              → accounts/email.int.test.ts › sends a German verification mail at sign-up…
 * commerce      subscribers order.placed, order.paid, order.refunded
 *                                                      → commerce.int.test.ts › mails the buyer the order with its VAT and the right of withdrawal…
 * messaging     subscribers member.block_changed       → rooms › stops a blocked member's sockets from seeing the blocker's presence
 * messaging     subscribers message.stored (notices)   → chat notices › tells a participant of a new message and a mentioned one of the mention…
 * groups        subscribers member.joined              → a recruit registers › puts the recruit in the sponsor's onboarding course
 * groups        subscribers member.moved               → rooms › takes a recruit an admin moves out of the downline out of the old team room
 * referrals     subscribers member.joined              → a recruit registers › tells the sponsor's open tabs live (team:joined)
 * onboarding    subscribers profile.updated            → onboarding checklist › ticks "profile" when bio and location are filled in
 * onboarding    subscribers profile.avatar_changed     → onboarding checklist › ticks "photo" when a picture is uploaded
 * onboarding    subscribers post.created               → onboarding checklist › ticks "first PR post" (never for an ad) and "team group" for a post there
 * onboarding    subscribers group.visited              → onboarding checklist › ticks "team group" when the recruit opens the sponsor's team group
 * onboarding    subscribers lesson.completed           → onboarding checklist › ticks "first lesson"
 * onboarding    subscribers onboarding.updated         → onboarding checklist › pushes each tick live to the member and the sponsor
 * mentions      subscribers post.created               → mentions › notifies a member named in a PR post, never in an ad
 * mentions      subscribers comment.created            → mentions › notifies a member named in a comment…
 * notifications subscribers comment.created            → notifications › tells the post's author of a comment and the comment's author of a reply
 * notifications subscribers group.join_requested       → notifications › tells the owner of a request to join
 * notifications subscribers group.request_decided      → notifications › tells the member whether the request was approved or declined
 * notifications subscribers group.invited              → notifications › tells an invited member
 * notifications subscribers lesson.completed           → notifications › tells the course owner and the recruit's sponsor of a finished lesson
 * notifications subscribers post.moderated             → notifications › tells the author of a hidden or reclassified post, and warns a repeat offender
 * notifications subscribers member.posting_limited     → notifications › tells a member of a posting limit and of its end
 * notifications subscribers conversation.welcomed      → a recruit registers › tells the sponsor of the recruit (team.recruit)
 * notifications subscribers member.became_partner     → accounts/email-change.int.test.ts › keeps the account, sponsor and place in the team, tells the sponsor…
 * notifications subscribers onboarding.updated         → onboarding checklist › tells the sponsor once when the recruit has done every step
 *
 * And: a subscriber that throws leaves the publisher's request and the other subscribers alone,
 * and is logged with the event (describe "a failing subscriber").
 * Cross-node delivery (everyNode on another node): events-scale-out.int.test.ts; the bus itself:
 * events-bus.int.test.ts.
 */

let server: TestServer
let admin: Client
beforeAll(async () => {
  server = await startTestServer({ config: { messageRateLimit: 600 } })
  admin = await adminClient(server, { email: 'ev-admin@example.org', password: 'admin password 1', handle: 'ev-admin' })
})
afterEach(() => {
  closeSockets()
  vi.restoreAllMocks()
})
afterAll(async () => {
  await server.close()
})

type Member = Awaited<ReturnType<typeof makeMember>>
interface Note {
  type: string
  text: { de: string; en: string }
  data: Record<string, string>
}

/** A member's notifications, newest first, once the chat's follow-ups (notices after the acknowledgement) are done. */
async function notes(member: Member, type?: string): Promise<Note[]> {
  await messagingIdle(server.app.ctx)
  const items = (await member.client.get('/api/v1/notifications?limit=50')).body.items as Note[]
  return type ? items.filter((n) => n.type === type) : items
}
const checklistOf = async (viewer: Member, handle: string) => (await viewer.client.get(`/api/v1/onboarding/${handle}`)).body as OnboardingChecklist
const socketOf = async (member: Member) => (await openSocket(server.url, { cookie: member.client.cookie })).socket
const join = (socket: ClientSocket, conversationId: string) =>
  new Promise<{ ok: boolean }>((resolve) => socket.emit('conversation:join', { conversationId }, resolve))
let sent = 0
const send = (socket: ClientSocket, conversationId: string, body: string) =>
  new Promise<SendAck>((resolve) =>
    socket.emit('message:send', { conversationId, body, clientMessageId: `ev-${Date.now().toString(36)}-${(sent += 1)}` }, resolve),
  )
/** Sends over REST, which answers with the stored message as everyone receives it (author included). */
const post = async (member: Member, conversationId: string, body: string) =>
  (await member.client.post(`/api/v1/conversations/${conversationId}/messages`, { body, clientMessageId: `ev-rest-${(sent += 1)}` })) as {
    status: number
    body: Message & { error?: { code: string } }
  }
const heardBy = (socket: ClientSocket) => {
  const heard: string[] = []
  socket.on('message:new', (m) => heard.push(m.html))
  return heard
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function uploadAvatar(member: Member, color = '#c33') {
  const image = await sharp({ create: { width: 200, height: 200, channels: 3, background: color } })
    .png()
    .toBuffer()
  const form = new FormData()
  form.append('avatar', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'me.png')
  const res = await fetch(`${server.url}/api/v1/me/avatar`, { method: 'PUT', body: form, headers: { cookie: member.client.cookie } })
  expect(res.status).toBe(200)
  return (await res.json()) as { avatarUrl: string | null }
}

/** A sponsor and a recruit with their welcome chat (the one direct conversation the recruit has). */
async function pair(prefix: string) {
  const sponsor = await makeMember(server, { handle: `${prefix}-s`, displayName: `Sponsor ${prefix}` })
  const recruit = await makeMember(server, { handle: `${prefix}-r`, sponsor: sponsor.handle, displayName: `Recruit ${prefix}` })
  const chat = (await recruit.client.get('/api/v1/conversations')).body.items[0] as { id: string }
  return { sponsor, recruit, chatId: chat.id }
}

/** A private community group with one invited member who joined; its room's id. */
async function communityRoom(prefix: string) {
  const owner = await makeMember(server, { handle: `${prefix}-owner` })
  const member = await makeMember(server, { handle: `${prefix}-member` })
  const { slug, roomId } = await privateRoom(owner, member, { slug: `${prefix}-gruppe`, name: `Gruppe ${prefix}` })
  return { owner, member, slug, roomId }
}

/** A lead with a team group (one level) and two recruits, one of whom an admin will move away. */
async function teamRoom(prefix: string) {
  const lead = await makeMember(server, { handle: `${prefix}-lead` })
  const stays = await makeMember(server, { handle: `${prefix}-stays`, sponsor: lead.handle })
  const moves = await makeMember(server, { handle: `${prefix}-moves`, sponsor: lead.handle })
  const elsewhere = await makeMember(server, { handle: `${prefix}-elsewhere` })
  const slug = `${prefix}-team`
  expect((await lead.client.post('/api/v1/groups', { name: `Team ${prefix}`, slug, kind: 'team', visibility: 'private', teamDepth: 1 })).status).toBe(201)
  const room = (await stays.client.get(`/api/v1/groups/${slug}/chat`)).body as { id: string }
  const move = async () => {
    const res = await admin.post('/api/v1/admin/members/move', { member: moves.handle, newSponsor: elsewhere.handle, reason: 'Wechsel' })
    expect(res.status).toBe(200)
  }
  return { lead, stays, moves, slug, roomId: room.id, move }
}

describe('a recruit registers under a sponsor', () => {
  it("opens the sponsor's welcome chat with the sponsor's first message (messaging: member.joined)", async () => {
    const sponsor = await makeMember(server, { handle: 'ev-welcome-s' })
    expect((await sponsor.client.request('PUT', '/api/v1/me/welcome', { text: 'Hallo {name}, schön dass du da bist!' })).status).toBe(200)
    const recruit = await makeMember(server, { handle: 'ev-welcome-r', sponsor: 'ev-welcome-s', displayName: 'Wanda Neu' })
    const all = (await sponsor.client.get('/api/v1/conversations')).body.items as Array<{ id: string; participants: Array<{ handle: string }> }>
    // The sponsor's own welcome came from the company (they joined without a sponsor).
    const conversations = all.filter((c) => !c.participants.some((p) => p.handle === server.config.root.handle))
    expect(conversations).toHaveLength(1)
    expect(conversations[0]!.participants.map((p) => p.handle).sort()).toEqual(['ev-welcome-r', 'ev-welcome-s'])
    const messages = (await recruit.client.get(`/api/v1/conversations/${conversations[0]!.id}/messages`)).body.items as Message[]
    expect(messages.map((m) => [m.author.handle, m.html])).toEqual([['ev-welcome-s', '<p>Hallo Wanda Neu, schön dass du da bist!</p>\n']])
    // Whoever arrives without a sponsor is below the company root: the company's team inbox welcomes them.
    const loner = await makeMember(server, { handle: 'ev-welcome-alone' })
    const theirs = (await loner.client.get('/api/v1/conversations')).body.items as Array<{ participants: Array<{ handle: string }> }>
    expect(theirs.map((c) => c.participants.map((p) => p.handle).sort())).toEqual([[server.config.root.handle, 'ev-welcome-alone'].sort()])
  })

  it('tells the sponsor of the recruit, pointing at the welcome chat (notifications: conversation.welcomed)', async () => {
    const sponsor = await makeMember(server, { handle: 'ev-recruit-s' })
    const recruit = await makeMember(server, { handle: 'ev-recruit-r', sponsor: 'ev-recruit-s', displayName: 'Rita Neu' })
    const chat = (await recruit.client.get('/api/v1/conversations')).body.items[0] as { id: string }
    expect(await notes(sponsor, 'team.recruit')).toEqual([
      expect.objectContaining({
        data: { handle: 'ev-recruit-r', conversationId: chat.id },
        text: expect.objectContaining({ de: expect.stringContaining('Rita Neu (@ev-recruit-r)') }),
      }),
    ])
  })

  it("tells the sponsor's open tabs live (referrals: member.joined)", async () => {
    const sponsor = await makeMember(server, { handle: 'ev-live-s' })
    const socket = await socketOf(sponsor)
    const seen: Array<{ handle: string; displayName: string; level: number }> = []
    socket.on('team:joined', (p) => seen.push(p))
    await makeMember(server, { handle: 'ev-live-r', sponsor: 'ev-live-s', displayName: 'Lena Live' })
    await expect.poll(() => seen).toEqual([{ handle: 'ev-live-r', displayName: 'Lena Live', level: 1 }])
  })

  it("puts the recruit in the sponsor's onboarding course, if the sponsor chose one (groups: member.joined)", async () => {
    const sponsor = await makeMember(server, { handle: 'ev-course-s' })
    expect((await sponsor.client.post('/api/v1/groups', { name: 'Starterkurs', slug: 'ev-kurs', kind: 'training', visibility: 'private' })).status).toBe(201)
    expect((await sponsor.client.request('PUT', '/api/v1/me/onboarding-course', { slug: 'ev-kurs' })).status).toBe(200)
    const recruit = await makeMember(server, { handle: 'ev-course-r', sponsor: 'ev-course-s' })
    expect((await recruit.client.get('/api/v1/groups/ev-kurs')).body.myRole).toBe('member')
    // Someone else's recruit does not land in it.
    const other = await makeMember(server, { handle: 'ev-course-x' })
    expect((await other.client.get('/api/v1/groups/ev-kurs')).status).toBe(404)
  })
})

describe('notifications', () => {
  it("tells the post's author of a comment and the comment's author of a reply (notifications: comment.created)", async () => {
    const author = await makeMember(server, { handle: 'ev-cm-author' })
    const first = await makeMember(server, { handle: 'ev-cm-first' })
    const second = await makeMember(server, { handle: 'ev-cm-second' })
    const p = (await author.client.post('/api/v1/posts', { body: 'Was meint ihr?', kind: 'pr', area: { type: 'feed' } })).body
    const top = (await first.client.post(`/api/v1/posts/${p.id}/comments`, { body: 'Gute Frage.' })).body
    expect(await notes(author, 'post.comment')).toEqual([
      expect.objectContaining({
        data: { postId: p.id, commentId: top.id },
        text: expect.objectContaining({ de: '@ev-cm-first hat deinen Beitrag kommentiert.' }),
      }),
    ])
    const reply = (await second.client.post(`/api/v1/posts/${p.id}/comments`, { body: 'Finde ich auch.', parentId: top.id })).body
    expect(await notes(first, 'comment.reply')).toEqual([expect.objectContaining({ data: { postId: p.id, commentId: reply.id } })])
    expect(await notes(author, 'post.comment')).toHaveLength(2)
    // Nobody hears of their own comment.
    await author.client.post(`/api/v1/posts/${p.id}/comments`, { body: 'Danke!' })
    expect(await notes(author, 'post.comment')).toHaveLength(2)
  })

  it('tells the owner of a request to join a private group (notifications: group.join_requested)', async () => {
    const owner = await makeMember(server, { handle: 'ev-req-owner' })
    const asker = await makeMember(server, { handle: 'ev-req-asker' })
    await owner.client.post('/api/v1/groups', { name: 'Kreis', slug: 'ev-req-kreis', kind: 'community', visibility: 'private' })
    expect((await asker.client.post('/api/v1/groups/ev-req-kreis/join')).body.status).toBe('requested')
    expect(await notes(owner, 'group.request')).toEqual([expect.objectContaining({ data: { group: 'ev-req-kreis', handle: 'ev-req-asker' } })])
  })

  it('tells the member whether the request was approved or declined (notifications: group.request_decided)', async () => {
    const owner = await makeMember(server, { handle: 'ev-dec-owner' })
    const yes = await makeMember(server, { handle: 'ev-dec-yes' })
    const no = await makeMember(server, { handle: 'ev-dec-no' })
    await owner.client.post('/api/v1/groups', { name: 'Runde', slug: 'ev-dec-runde', kind: 'community', visibility: 'private' })
    for (const m of [yes, no]) await m.client.post('/api/v1/groups/ev-dec-runde/join')
    expect((await owner.client.post('/api/v1/groups/ev-dec-runde/requests', { handle: 'ev-dec-yes', approve: true })).status).toBe(200)
    expect((await owner.client.post('/api/v1/groups/ev-dec-runde/requests', { handle: 'ev-dec-no', approve: false })).status).toBe(200)
    expect((await notes(yes)).map((n) => n.type)).toEqual(['group.approved'])
    expect((await notes(no)).map((n) => n.type)).toEqual(['group.declined'])
    expect((await notes(yes))[0]).toMatchObject({ data: { group: 'ev-dec-runde' }, text: { de: 'Willkommen in der Gruppe „Runde“!' } })
  })

  it('tells an invited member (notifications: group.invited)', async () => {
    const owner = await makeMember(server, { handle: 'ev-inv-owner' })
    const guest = await makeMember(server, { handle: 'ev-inv-guest' })
    await owner.client.post('/api/v1/groups', { name: 'Salon', slug: 'ev-inv-salon', kind: 'community', visibility: 'private' })
    expect((await owner.client.post('/api/v1/groups/ev-inv-salon/invitations', { handle: 'ev-inv-guest' })).status).toBeLessThan(300)
    expect(await notes(guest, 'group.invite')).toEqual([
      expect.objectContaining({ data: { group: 'ev-inv-salon' }, text: expect.objectContaining({ de: '@ev-inv-owner lädt dich in die Gruppe „Salon“ ein.' }) }),
    ])
  })

  it("tells the course owner and the recruit's sponsor of a finished lesson (notifications: lesson.completed)", async () => {
    const sponsor = await makeMember(server, { handle: 'ev-les-sponsor' })
    const trainer = await makeMember(server, { handle: 'ev-les-trainer' })
    const recruit = await makeMember(server, { handle: 'ev-les-recruit', sponsor: 'ev-les-sponsor' })
    await trainer.client.post('/api/v1/groups', { name: 'Akademie', slug: 'ev-les-akademie', kind: 'training', visibility: 'public' })
    const lesson = (await trainer.client.post('/api/v1/groups/ev-les-akademie/lessons', { title: 'Produktwissen', body: 'Text' })).body
    await recruit.client.post('/api/v1/groups/ev-les-akademie/join')
    expect((await recruit.client.post(`/api/v1/lessons/${lesson.id}/progress`, { done: true })).status).toBe(200)
    expect(await notes(trainer, 'lesson.completed')).toEqual([
      expect.objectContaining({ text: expect.objectContaining({ de: '@ev-les-recruit hat die Lektion „Produktwissen“ abgeschlossen.' }) }),
    ])
    expect(await notes(sponsor, 'lesson.completed')).toEqual([
      expect.objectContaining({ text: expect.objectContaining({ de: 'Dein Neuer @ev-les-recruit hat die Lektion „Produktwissen“ abgeschlossen.' }) }),
    ])
  })

  it('tells the author of a hidden or reclassified post, and warns a repeat offender (notifications: post.moderated)', async () => {
    const author = await makeMember(server, { handle: 'ev-mod-author' })
    const reader = await makeMember(server, { handle: 'ev-mod-reader' })
    const moderate = async (body: string, action: 'hide' | 'reclassify' | 'dismiss') => {
      const p = (await author.client.post('/api/v1/posts', { body, kind: 'pr', area: { type: 'feed' } })).body
      expect((await reader.client.post(`/api/v1/posts/${p.id}/reports`, { reason: 'unflagged_ad' })).status).toBe(201)
      expect((await admin.post(`/api/v1/moderation/posts/${p.id}/actions`, { action, reason: 'Prüfung' })).status).toBe(200)
      return p.id as string
    }
    const hidden = await moderate('Beitrag eins', 'hide')
    expect((await notes(author)).map((n) => [n.type, n.data.postId])).toEqual([['post.hide', hidden]])
    await moderate('Beitrag zwei', 'dismiss')
    expect(await notes(author)).toHaveLength(1)
    const first = await moderate('Nur heute 20 % Rabatt!', 'reclassify')
    expect((await notes(author)).map((n) => [n.type, n.data.postId])).toEqual([
      ['post.reclassify', first],
      ['post.hide', hidden],
    ])
    const second = await moderate('Jetzt bestellen, 10 € Rabatt!', 'reclassify')
    expect((await notes(author)).slice(0, 2).map((n) => [n.type, n.data.postId ?? n.data.offences])).toEqual([
      ['moderation.warning', '2'],
      ['post.reclassify', second],
    ])
  })

  it('tells a member of a posting limit and of its end (notifications: member.posting_limited)', async () => {
    const member = await makeMember(server, { handle: 'ev-limit' })
    expect((await admin.post('/api/v1/admin/members/ev-limit/posting-limit', { days: 3, reason: 'Werbung im Feed' })).status).toBe(200)
    const [limit] = await notes(member, 'moderation.limit')
    expect(limit).toMatchObject({ text: { de: expect.stringContaining('Grund: Werbung im Feed') } })
    expect(Date.parse(limit!.data.until!)).toBeGreaterThan(Date.now() + 2.9 * 86_400_000)
    expect((await admin.post('/api/v1/admin/members/ev-limit/posting-limit', { days: 0, reason: 'Bewährung' })).status).toBe(200)
    expect((await notes(member, 'moderation.limit'))[0]).toMatchObject({ data: { until: '' }, text: { de: 'Deine Sperre für Feeds wurde aufgehoben.' } })
  })
})

describe('mentions', () => {
  it('notifies a member named in a PR post, never in an ad (mentions: post.created)', async () => {
    const seller = await makeMember(server, { handle: 'ev-pm-seller' })
    const friend = await makeMember(server, { handle: 'ev-pm-friend' })
    const pr = (await seller.client.post('/api/v1/posts', { body: 'Tolles Treffen mit @ev-pm-friend heute!', kind: 'pr', area: { type: 'feed' } })).body
    expect(
      (await seller.client.post('/api/v1/posts', { body: 'Jetzt kaufen, @ev-pm-friend: 20 % Rabatt!', kind: 'ad', area: { type: 'marketplace' } })).status,
    ).toBe(201)
    expect(await notes(friend, 'post.mention')).toEqual([
      expect.objectContaining({ data: { postId: pr.id }, text: expect.objectContaining({ de: expect.stringContaining('Tolles Treffen') }) }),
    ])
  })

  it('notifies a member named in a comment, but not the post author again (mentions: comment.created)', async () => {
    const author = await makeMember(server, { handle: 'ev-cmm-author' })
    const writer = await makeMember(server, { handle: 'ev-cmm-writer' })
    const named = await makeMember(server, { handle: 'ev-cmm-named' })
    const p = (await author.client.post('/api/v1/posts', { body: 'Frage in die Runde', kind: 'pr', area: { type: 'feed' } })).body
    const c = (await writer.client.post(`/api/v1/posts/${p.id}/comments`, { body: '@ev-cmm-named weiß das, frag @ev-cmm-author' })).body
    expect(await notes(named, 'comment.mention')).toEqual([
      expect.objectContaining({
        data: { postId: p.id, commentId: c.id },
        text: expect.objectContaining({ de: expect.stringContaining('hat dich in einem Kommentar erwähnt') }),
      }),
    ])
    expect((await notes(author)).map((n) => n.type)).toEqual(['post.comment'])
  })
})

describe('chat notices', () => {
  it('tells a participant of a new message and a mentioned one of the mention (messaging: message.stored)', async () => {
    const lead = await makeMember(server, { handle: 'ev-cn-lead' })
    const gina = await makeMember(server, { handle: 'ev-cn-gina', sponsor: 'ev-cn-lead' })
    const hans = await makeMember(server, { handle: 'ev-cn-hans', sponsor: 'ev-cn-lead' })
    const chat = (await lead.client.post('/api/v1/conversations', { participants: ['ev-cn-gina', 'ev-cn-hans'], title: 'Aktion' })).body as { id: string }
    expect((await post(lead, chat.id, 'Morgen um zehn, @ev-cn-hans bringt Kaffee')).status).toBe(201)
    const inChat = async (m: Member) => (await notes(m)).filter((n) => n.data.conversationId === chat.id).map((n) => n.type)
    expect(await inChat(gina)).toEqual(['message.new'])
    expect(await inChat(hans)).toEqual(['message.mention'])
    expect(await inChat(lead)).toEqual([])
  })

  it("notifies a mention in a group's room, and only the mention (messaging: message.stored)", async () => {
    const { owner, member, roomId } = await communityRoom('ev-cn-room')
    const ownerSocket = await socketOf(owner)
    expect(await send(ownerSocket, roomId, 'Hallo zusammen')).toMatchObject({ ok: true })
    expect(await send(ownerSocket, roomId, `Hallo @${member.handle}`)).toMatchObject({ ok: true })
    expect((await notes(member)).filter((n) => n.data.conversationId === roomId).map((n) => n.type)).toEqual(['message.mention'])
  })
})

describe('onboarding checklist', () => {
  // Reading the checklist first stores it (with what the member did before); from then on only
  // the subscribers tick it, so these tests see the subscriber's tick, not the backfill.
  it('ticks "profile" when bio and location are filled in (onboarding: profile.updated)', async () => {
    const { sponsor, recruit } = await pair('ev-ob-prof')
    expect((await checklistOf(sponsor, recruit.handle)).items.profile).toBeNull()
    await recruit.client.patch('/api/v1/me/profile', { bio: 'Neu hier.' })
    expect((await checklistOf(sponsor, recruit.handle)).items.profile).toBeNull()
    expect((await recruit.client.patch('/api/v1/me/profile', { location: 'Leipzig' })).status).toBe(200)
    expect((await checklistOf(sponsor, recruit.handle)).items.profile).toEqual(expect.any(String))
  })

  it('ticks "photo" when a picture is uploaded (onboarding: profile.avatar_changed)', async () => {
    const { sponsor, recruit } = await pair('ev-ob-photo')
    expect((await checklistOf(sponsor, recruit.handle)).items.photo).toBeNull()
    await uploadAvatar(recruit)
    expect((await checklistOf(sponsor, recruit.handle)).items.photo).toEqual(expect.any(String))
  })

  it('ticks "first PR post" (never for an ad) and "team group" for a post there (onboarding: post.created)', async () => {
    const { sponsor, recruit } = await pair('ev-ob-post')
    await sponsor.client.post('/api/v1/groups', { name: 'Team Post', slug: 'ev-ob-post-team', kind: 'team', visibility: 'private', teamDepth: 1 })
    expect((await checklistOf(sponsor, recruit.handle)).items).toMatchObject({ firstPrPost: null, teamGroup: null })
    expect((await recruit.client.post('/api/v1/posts', { kind: 'ad', area: { type: 'marketplace' }, body: 'Jetzt 20 % Rabatt!' })).status).toBe(201)
    expect((await checklistOf(sponsor, recruit.handle)).items.firstPrPost).toBeNull()
    const p = (await recruit.client.post('/api/v1/groups/ev-ob-post-team/posts', { kind: 'pr', body: 'Hallo Team!' })).body
    expect((await checklistOf(sponsor, recruit.handle)).items).toMatchObject({ firstPrPost: p.createdAt, teamGroup: p.createdAt })
  })

  it('ticks "team group" when the recruit opens the sponsor\'s team group (onboarding: group.visited)', async () => {
    const { sponsor, recruit } = await pair('ev-ob-visit')
    await sponsor.client.post('/api/v1/groups', { name: 'Team Besuch', slug: 'ev-ob-visit-team', kind: 'team', visibility: 'private', teamDepth: 1 })
    await sponsor.client.post('/api/v1/groups', { name: 'Offen', slug: 'ev-ob-visit-offen', kind: 'community', visibility: 'public' })
    expect((await checklistOf(sponsor, recruit.handle)).items.teamGroup).toBeNull()
    await recruit.client.post('/api/v1/groups/ev-ob-visit-offen/join')
    expect((await recruit.client.get('/api/v1/groups/ev-ob-visit-offen')).body.myRole).toBe('member')
    expect((await checklistOf(sponsor, recruit.handle)).items.teamGroup).toBeNull() // not a team group
    expect((await recruit.client.get('/api/v1/groups/ev-ob-visit-team')).body.myRole).toBe('member')
    expect((await checklistOf(sponsor, recruit.handle)).items.teamGroup).toEqual(expect.any(String))
  })

  it('ticks "first lesson" (onboarding: lesson.completed)', async () => {
    const { sponsor, recruit } = await pair('ev-ob-lesson')
    await sponsor.client.post('/api/v1/groups', { name: 'Kurs', slug: 'ev-ob-lesson-kurs', kind: 'training', visibility: 'public' })
    const lesson = (await sponsor.client.post('/api/v1/groups/ev-ob-lesson-kurs/lessons', { title: 'Eins', body: 'Text' })).body
    await recruit.client.post('/api/v1/groups/ev-ob-lesson-kurs/join')
    expect((await checklistOf(sponsor, recruit.handle)).items.firstLesson).toBeNull()
    expect((await recruit.client.post(`/api/v1/lessons/${lesson.id}/progress`, { done: true })).status).toBe(200)
    expect((await checklistOf(sponsor, recruit.handle)).items.firstLesson).toEqual(expect.any(String))
  })

  it('pushes each tick live to the member and the sponsor (onboarding: onboarding.updated)', async () => {
    const { sponsor, recruit } = await pair('ev-ob-live')
    const [sponsorSocket, recruitSocket] = await Promise.all([socketOf(sponsor), socketOf(recruit)])
    const bySponsor: OnboardingChecklist[] = []
    const byRecruit: OnboardingChecklist[] = []
    sponsorSocket.on('onboarding:update', (c) => bySponsor.push(c))
    recruitSocket.on('onboarding:update', (c) => byRecruit.push(c))
    await recruit.client.patch('/api/v1/me/profile', { bio: 'Hallo', location: 'Köln' })
    await expect.poll(() => bySponsor.length).toBe(1)
    await expect.poll(() => byRecruit.length).toBe(1)
    expect(bySponsor[0]).toMatchObject({ member: { handle: recruit.handle }, items: { profile: expect.any(String), photo: null }, done: 1 })
    expect(byRecruit[0]).toEqual(bySponsor[0])
  })

  it('tells the sponsor once when the recruit has done every step (notifications: onboarding.updated)', async () => {
    const { sponsor, recruit } = await pair('ev-ob-done')
    await sponsor.client.post('/api/v1/groups', { name: 'Team Fertig', slug: 'ev-ob-done-team', kind: 'team', visibility: 'private', teamDepth: 1 })
    await sponsor.client.post('/api/v1/groups', { name: 'Kurs Fertig', slug: 'ev-ob-done-kurs', kind: 'training', visibility: 'public' })
    const lesson = (await sponsor.client.post('/api/v1/groups/ev-ob-done-kurs/lessons', { title: 'Start', body: 'Text' })).body
    await recruit.client.post('/api/v1/groups/ev-ob-done-kurs/join')
    await checklistOf(sponsor, recruit.handle)
    await recruit.client.patch('/api/v1/me/profile', { bio: 'Hallo', location: 'Köln' })
    await uploadAvatar(recruit)
    await recruit.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'feed' }, body: 'Mein erster Beitrag' })
    await recruit.client.get('/api/v1/groups/ev-ob-done-team')
    expect(await notes(sponsor, 'onboarding.complete')).toEqual([])
    await recruit.client.post(`/api/v1/lessons/${lesson.id}/progress`, { done: true })
    expect((await checklistOf(sponsor, recruit.handle)).done).toBe(5)
    const done = await notes(sponsor, 'onboarding.complete')
    expect(done).toEqual([
      expect.objectContaining({
        data: { handle: recruit.handle },
        text: expect.objectContaining({ de: `Recruit ev-ob-done (@${recruit.handle}) hat alle Schritte der Einarbeitung geschafft.` }),
      }),
    ])
    // Doing a step again tells nobody again.
    await uploadAvatar(recruit, '#3c3')
    expect(await notes(sponsor, 'onboarding.complete')).toHaveLength(1)
  })
})

describe('rooms', () => {
  it("takes a member who leaves, or is removed, out of the room's live traffic (messaging: group.member_left)", async () => {
    const { owner, member, slug, roomId } = await communityRoom('ev-left')
    const leaver = await makeMember(server, { handle: 'ev-left-leaver' })
    await owner.client.post(`/api/v1/groups/${slug}/invitations`, { handle: leaver.handle })
    await leaver.client.post(`/api/v1/groups/${slug}/join`)
    const [ownerSocket, memberSocket, leaverSocket] = await Promise.all([socketOf(owner), socketOf(member), socketOf(leaver)])
    for (const socket of [memberSocket, leaverSocket]) expect(await join(socket, roomId)).toEqual({ ok: true })
    const heardMember = heardBy(memberSocket)
    const heardLeaver = heardBy(leaverSocket)
    expect(await send(ownerSocket, roomId, 'Vorher')).toMatchObject({ ok: true })
    await expect.poll(() => [heardMember.length, heardLeaver.length]).toEqual([1, 1])

    expect((await owner.client.post(`/api/v1/groups/${slug}/members/remove`, { handle: member.handle })).status).toBe(200)
    expect((await leaver.client.post(`/api/v1/groups/${slug}/leave`)).status).toBe(200)
    expect(await send(ownerSocket, roomId, 'Nachher')).toMatchObject({ ok: true })
    await pause(500)
    expect(heardMember).toEqual(['<p>Vorher</p>\n'])
    expect(heardLeaver).toEqual(['<p>Vorher</p>\n'])
  })

  it('takes a recruit an admin moves out of the downline out of the old team room, and keeps the others (groups: member.moved)', async () => {
    const { lead, stays, moves, roomId, move } = await teamRoom('ev-mv-live')
    const [leadSocket, staysSocket, movesSocket] = await Promise.all([socketOf(lead), socketOf(stays), socketOf(moves)])
    for (const socket of [staysSocket, movesSocket]) expect(await join(socket, roomId)).toEqual({ ok: true })
    const heardStays = heardBy(staysSocket)
    const heardMoves = heardBy(movesSocket)
    await move()
    expect(await send(leadSocket, roomId, 'Nach dem Umzug')).toMatchObject({ ok: true })
    await expect.poll(() => heardStays).toEqual(['<p>Nach dem Umzug</p>\n'])
    await pause(300)
    expect(heardMoves).toEqual([])
  })

  it("stops a blocked member's sockets from seeing the blocker's presence (messaging: member.block_changed)", async () => {
    const { sponsor: anna, recruit: ben, chatId } = await pair('ev-pres')
    const annaSocket = await socketOf(anna)
    const benSocket = await socketOf(ben)
    const watch = () => new Promise<{ ok: boolean; presence: Presence[] }>((resolve) => benSocket.emit('presence:watch', { conversationId: chatId }, resolve))
    // Anna's socket counts as online once the server has registered it (a moment under load).
    await expect.poll(async () => (await watch()).presence.map((p) => [p.handle, p.online]), { timeout: 5_000 }).toEqual([[anna.handle, true]])
    const seen: Array<[string, boolean | null]> = []
    benSocket.on('presence', (p) => seen.push([p.handle, p.online]))
    expect((await anna.client.request('PUT', `/api/v1/me/blocks/${ben.handle}`)).status).toBe(200)
    annaSocket.disconnect() // Anna goes offline: Ben's open socket must not hear of it
    await pause(700)
    expect(seen).toEqual([])
  })
})

describe("the chat room's gate", () => {
  // The gate remembers "may write here" for 10 s (messaging/state.ts admittedToRoom); losing
  // access must not wait for that: the subscribers make the node forget it at once.
  it('refuses the next message of a member removed from the group, though the gate remembered them (messaging everyNode: group.member_left)', async () => {
    const { owner, member, slug, roomId } = await communityRoom('ev-gate')
    const memberSocket = await socketOf(member)
    expect(await send(memberSocket, roomId, 'Ich bin da')).toMatchObject({ ok: true })
    expect((await owner.client.post(`/api/v1/groups/${slug}/members/remove`, { handle: member.handle })).status).toBe(200)
    expect(await send(memberSocket, roomId, 'Noch da?')).toMatchObject({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } })
    expect((await post(member, roomId, 'Und über REST?')).body.error?.code).toBe('CONVERSATION_NOT_FOUND')
  })

  it('lets a member write as soon as they joined, though the gate remembered their earlier "no" (messaging everyNode: group.member_joined)', async () => {
    const owner = await makeMember(server, { handle: 'ev-join-owner' })
    const newcomer = await makeMember(server, { handle: 'ev-join-new' })
    expect((await owner.client.post('/api/v1/groups', { name: 'Offene Runde', slug: 'ev-join-runde', kind: 'community', visibility: 'public' })).status).toBe(
      201,
    )
    // The room exists once someone opened it; it has the group's id, which the group's page shows.
    expect((await owner.client.get('/api/v1/groups/ev-join-runde/chat')).status).toBe(200)
    const roomId = ((await newcomer.client.get('/api/v1/groups/ev-join-runde')).body as { id: string }).id
    const newcomerSocket = await socketOf(newcomer)
    expect(await send(newcomerSocket, roomId, 'Darf ich?')).toMatchObject({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } })
    expect((await newcomer.client.post('/api/v1/groups/ev-join-runde/join')).body.status).toBe('joined')
    expect(await send(newcomerSocket, roomId, 'Jetzt bin ich dabei')).toMatchObject({ ok: true })
  })

  it('refuses the next message of a recruit an admin moved out of the team, though the gate remembered them (messaging everyNode: member.moved)', async () => {
    const { stays, moves, roomId, move } = await teamRoom('ev-mv-gate')
    const [staysSocket, movesSocket] = await Promise.all([socketOf(stays), socketOf(moves)])
    expect(await send(movesSocket, roomId, 'Hallo Team')).toMatchObject({ ok: true })
    expect(await send(staysSocket, roomId, 'Hallo zurück')).toMatchObject({ ok: true })
    await move()
    expect(await send(movesSocket, roomId, 'Noch da?')).toMatchObject({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } })
    expect(await send(staysSocket, roomId, 'Ich schon')).toMatchObject({ ok: true })
  })
})

describe("the chat's memory of members", () => {
  // The chat remembers each author (name, picture, blocks) for 10 s (messaging/state.ts authorInfo).
  it("refuses a blocked member's next direct message at once, and lets them write again once unblocked (messaging everyNode: member.block_changed)", async () => {
    const { sponsor, recruit, chatId } = await pair('ev-blk')
    expect((await post(recruit, chatId, 'Hallo!')).status).toBe(201)
    expect((await post(sponsor, chatId, 'Hallo zurück!')).status).toBe(201)
    expect((await sponsor.client.request('PUT', `/api/v1/me/blocks/${recruit.handle}`)).status).toBe(200)
    // Both the blocked member and the blocker were remembered without the block.
    expect((await post(recruit, chatId, 'Bist du noch da?')).body.error?.code).toBe('BLOCKED')
    expect((await post(sponsor, chatId, 'Tschüss')).body.error?.code).toBe('BLOCKED')
    expect((await sponsor.client.request('DELETE', `/api/v1/me/blocks/${recruit.handle}`)).status).toBe(200)
    expect((await post(recruit, chatId, 'Wieder da')).status).toBe(201)
  })

  it('shows a new display name in the very next message (messaging everyNode: profile.updated)', async () => {
    const { sponsor, recruit, chatId } = await pair('ev-name')
    const socket = await socketOf(sponsor)
    const live: Message[] = []
    socket.on('message:new', (m) => live.push(m))
    expect((await post(recruit, chatId, 'Vorher')).body.author.displayName).toBe('Recruit ev-name')
    expect((await recruit.client.patch('/api/v1/me/profile', { displayName: 'Rebecca Neu' })).status).toBe(200)
    expect((await post(recruit, chatId, 'Nachher')).body.author.displayName).toBe('Rebecca Neu')
    await expect.poll(() => live.map((m) => m.author.displayName)).toEqual(['Recruit ev-name', 'Rebecca Neu'])
  })

  it('shows a new profile picture in the very next message (messaging everyNode: profile.avatar_changed)', async () => {
    const { recruit, chatId } = await pair('ev-pic')
    expect((await post(recruit, chatId, 'Vorher')).body.author.avatarUrl).toBeNull()
    const { avatarUrl } = await uploadAvatar(recruit)
    expect(avatarUrl).toEqual(expect.any(String))
    expect((await post(recruit, chatId, 'Nachher')).body.author.avatarUrl).toBe(avatarUrl)
  })
})

describe('a failing subscriber', () => {
  const failures = () => vi.spyOn(server.app.log, 'error')

  it('neither fails the comment nor stops the other subscribers, and is logged with the event', async () => {
    const author = await makeMember(server, { handle: 'ev-boom-author' })
    const writer = await makeMember(server, { handle: 'ev-boom-writer' })
    const p = (await author.client.post('/api/v1/posts', { body: 'Kommentiert mich', kind: 'pr', area: { type: 'feed' } })).body
    const after: string[] = []
    // Registered after the app's own: it runs after mentions and notifications, and one more
    // handler after it must still run. (Only this post's comments fail, so other tests are untouched.)
    server.app.events.register({
      module: 'test-boom',
      subscribers: {
        'comment.created': (_ctx, e) => {
          if (e.postId === p.id) throw new Error('boom')
        },
      },
    })
    server.app.events.register({ module: 'test-after', subscribers: { 'comment.created': (_ctx, e) => void after.push(e.commentId) } })
    const logged = failures()

    const res = await writer.client.post(`/api/v1/posts/${p.id}/comments`, { body: 'Trotzdem da @ev-boom-author' })
    expect(res.status).toBe(201)
    expect((await author.client.get(`/api/v1/posts/${p.id}/comments`)).body.items.map((c: { id: string }) => c.id)).toEqual([res.body.id])
    expect((await author.client.get(`/api/v1/posts/${p.id}`)).body.commentCount).toBe(1)
    expect((await notes(author, 'post.comment')).map((n) => n.data.commentId)).toEqual([res.body.id])
    expect(after).toEqual([res.body.id])
    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({
        event: 'comment.created',
        subscriber: 'test-boom',
        origin: 'local',
        err: expect.objectContaining({ message: 'boom' }),
        payload: expect.objectContaining({ commentId: res.body.id }),
      }),
      'an event subscriber failed',
    )
    expect(logged).toHaveBeenCalledTimes(1)
  })

  it('that runs before the others (on every node) leaves the profile saved and the checklist ticked', async () => {
    const { sponsor, recruit } = await pair('ev-boom-prof')
    await checklistOf(sponsor, recruit.handle)
    // everyNode handlers run before the once-only ones: this one fails before onboarding's tick.
    server.app.events.register({
      module: 'test-boom-first',
      everyNode: {
        'profile.updated': async (_ctx, e) => {
          if (e.memberId === recruit.me.id) throw new Error('kaputt')
        },
      },
    })
    const logged = failures()
    const res = await recruit.client.patch('/api/v1/me/profile', { bio: 'Trotz allem', location: 'Bonn' })
    expect(res.status).toBe(200)
    expect((await recruit.client.get(`/api/v1/profiles/${recruit.handle}`)).body).toMatchObject({ location: 'Bonn' })
    expect((await checklistOf(sponsor, recruit.handle)).items.profile).toEqual(expect.any(String))
    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({ event: 'profile.updated', subscriber: 'test-boom-first', err: expect.objectContaining({ message: 'kaputt' }) }),
      'an event subscriber failed',
    )
  })
})
