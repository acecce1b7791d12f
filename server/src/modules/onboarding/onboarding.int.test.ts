import sharp from 'sharp'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Client, closeSockets, makeMember, openSocket, settle, startTestServer, type TestServer, adminClient } from '../../../test/harness.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterEach(() => closeSockets())
afterAll(async () => {
  await server.close()
})

async function uploadAvatar(client: Client, color = '#c33') {
  const image = await sharp({ create: { width: 200, height: 200, channels: 3, background: color } })
    .png()
    .toBuffer()
  const form = new FormData()
  form.append('avatar', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'me.png')
  const res = await fetch(`${server.url}/api/v1/me/avatar`, { method: 'PUT', body: form, headers: { cookie: client.cookie } })
  expect(res.status).toBe(200)
}

const checklistOf = async (viewer: Client, handle: string) => (await viewer.get(`/api/v1/onboarding/${handle}`)).body
const notificationsOf = async (viewer: Client) =>
  (await viewer.get('/api/v1/notifications?limit=50')).body.items as Array<{ type: string; text: { de: string }; data: Record<string, string> }>

describe('onboarding checklist', () => {
  it("ticks every step from the recruit's own actions and shows the sponsor when each was done", async () => {
    const sponsor = await makeMember(server, { handle: 'ob-sponsorin', displayName: 'Sabine Sponsor' })
    expect(
      (await sponsor.client.post('/api/v1/groups', { name: 'Team Sabine', slug: 'ob-team', kind: 'team', visibility: 'private', teamDepth: 2 })).status,
    ).toBe(201)
    await sponsor.client.post('/api/v1/groups', { name: 'Starterkurs Sabine', slug: 'ob-kurs', kind: 'training', visibility: 'private' })
    const lesson = (await sponsor.client.post('/api/v1/groups/ob-kurs/lessons', { title: 'Willkommen', body: 'Los geht es.' })).body
    await sponsor.client.request('PUT', '/api/v1/me/onboarding-course', { slug: 'ob-kurs' })
    const recruit = await makeMember(server, { handle: 'ob-anna', sponsor: 'ob-sponsorin', displayName: 'Anna Neu' })

    const fresh = await checklistOf(sponsor.client, 'ob-anna')
    expect(fresh).toMatchObject({
      member: { handle: 'ob-anna', displayName: 'Anna Neu' },
      sponsor: { handle: 'ob-sponsorin' },
      items: { profile: null, photo: null, firstPrPost: null, teamGroup: null, firstLesson: null },
      done: 0,
      total: 5,
      completedAt: null,
    })

    // An ad in the marketplace is not public relations.
    expect((await recruit.client.post('/api/v1/posts', { kind: 'ad', area: { type: 'marketplace' }, body: 'Jetzt 20 % Rabatt auf alles!' })).status).toBe(201)
    expect((await checklistOf(sponsor.client, 'ob-anna')).items.firstPrPost).toBeNull()

    await uploadAvatar(recruit.client)
    const withPhoto = await checklistOf(sponsor.client, 'ob-anna')
    expect(withPhoto.items.photo).toEqual(expect.any(String))
    expect(withPhoto.done).toBe(1)

    // A bio alone is not a complete profile; bio and location are.
    await recruit.client.patch('/api/v1/me/profile', { bio: 'Ich bin Anna und neu hier.' })
    expect((await checklistOf(sponsor.client, 'ob-anna')).items.profile).toBeNull()
    await recruit.client.patch('/api/v1/me/profile', { location: 'Leipzig' })
    expect((await checklistOf(sponsor.client, 'ob-anna')).items.profile).toEqual(expect.any(String))

    const post = (await recruit.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'feed' }, body: 'Mein erster Tag im Team!' })).body
    expect((await checklistOf(sponsor.client, 'ob-anna')).items.firstPrPost).toBe(post.createdAt)

    expect((await recruit.client.get('/api/v1/groups/ob-team')).body.myRole).toBe('member')
    expect((await checklistOf(sponsor.client, 'ob-anna')).items.teamGroup).toEqual(expect.any(String))

    expect((await recruit.client.post(`/api/v1/lessons/${lesson.id}/progress`, { done: true })).status).toBe(200)
    // The sponsor leads the course: one notice for the completion, not one as owner and one as sponsor.
    const lessonNotes = (await notificationsOf(sponsor.client)).filter((n) => n.type === 'lesson.completed' && n.data.handle === 'ob-anna')
    expect(lessonNotes).toHaveLength(1)
    const complete = await checklistOf(sponsor.client, 'ob-anna')
    expect(complete.done).toBe(5)
    expect(Object.values(complete.items).every((at) => typeof at === 'string' && !Number.isNaN(Date.parse(at as string)))).toBe(true)
    expect(complete.completedAt).toBe(complete.items.firstLesson)

    // Repeating a step keeps the first date; the sponsor was told of the completion once.
    await uploadAvatar(recruit.client, '#3c3')
    await recruit.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'feed' }, body: 'Noch ein Beitrag.' })
    await recruit.client.post(`/api/v1/lessons/${lesson.id}/progress`, { done: false })
    await recruit.client.post(`/api/v1/lessons/${lesson.id}/progress`, { done: true })
    const again = await checklistOf(sponsor.client, 'ob-anna')
    expect({ items: again.items, done: again.done, completedAt: again.completedAt }).toEqual({
      items: complete.items,
      done: 5,
      completedAt: complete.completedAt,
    })
    const notes = await notificationsOf(sponsor.client)
    expect(notes.filter((n) => n.type === 'onboarding.complete')).toEqual([expect.objectContaining({ data: { handle: 'ob-anna' } })])

    // The recruit sees their own checklist; the page of recruits shows them at 5 of 5.
    expect(await checklistOf(recruit.client, 'ob-anna')).toEqual(again)
    const page = (await sponsor.client.get('/api/v1/me/recruits/onboarding')).body
    expect(page.items).toEqual([again])
    expect(page.nextCursor).toBeNull()
  })

  it('is for the member, their upline and admins only; everyone else gets the same 404 as for nobody', async () => {
    const top = await makeMember(server, { handle: 'ob-top' })
    const sponsor = await makeMember(server, { handle: 'ob-mid', sponsor: 'ob-top' })
    await makeMember(server, { handle: 'ob-ben', sponsor: 'ob-mid' })
    const sibling = await makeMember(server, { handle: 'ob-sibling', sponsor: 'ob-mid' })
    const stranger = await makeMember(server, { handle: 'ob-stranger' })

    expect((await sponsor.client.get('/api/v1/onboarding/ob-ben')).status).toBe(200)
    expect((await top.client.get('/api/v1/onboarding/ob-ben')).status).toBe(200)
    for (const [viewer, handle] of [
      [stranger.client, 'ob-ben'],
      [sibling.client, 'ob-ben'],
      [stranger.client, 'ob-nobody-here'],
    ] as const) {
      const res = await viewer.get(`/api/v1/onboarding/${handle}`)
      expect(res.status).toBe(404)
      expect(res.body.error.code).toBe('PROFILE_NOT_FOUND')
    }
    // A recruit cannot read their sponsor's checklist either.
    expect((await sibling.client.get('/api/v1/onboarding/ob-mid')).status).toBe(404)
    expect((await new Client(server.url).get('/api/v1/onboarding/ob-ben')).status).toBe(401)
    // The list holds only the actor's own direct recruits.
    expect((await stranger.client.get('/api/v1/me/recruits/onboarding')).body).toEqual({ items: [], nextCursor: null })
    expect((await top.client.get('/api/v1/me/recruits/onboarding')).body.items.map((c: { member: { handle: string } }) => c.member.handle)).toEqual(['ob-mid'])

    // Admins see every checklist; after an admin moves a recruit, it goes with them to the new sponsor.
    const admin = await adminClient(server, { email: 'ob-admin@example.org', password: 'admin password 1', handle: 'ob-admin' })
    expect((await admin.get('/api/v1/onboarding/ob-ben')).body.sponsor.handle).toBe('ob-mid')
    expect((await admin.post('/api/v1/admin/members/move', { member: 'ob-ben', newSponsor: 'ob-stranger', reason: 'Wechsel' })).status).toBe(200)
    expect((await sponsor.client.get('/api/v1/onboarding/ob-ben')).status).toBe(404)
    expect((await stranger.client.get('/api/v1/onboarding/ob-ben')).body.sponsor.handle).toBe('ob-stranger')
    const handlesOf = async (c: Client) =>
      (await c.get('/api/v1/me/recruits/onboarding')).body.items.map((x: { member: { handle: string } }) => x.member.handle)
    expect(await handlesOf(sponsor.client)).toEqual(['ob-sibling'])
    expect(await handlesOf(stranger.client)).toEqual(['ob-ben'])
  })

  it("lists the sponsor's direct recruits newest first, a page at a time", async () => {
    const sponsor = await makeMember(server, { handle: 'ob-pager' })
    for (const handle of ['ob-p1', 'ob-p2', 'ob-p3']) await makeMember(server, { handle, sponsor: 'ob-pager' })
    await makeMember(server, { handle: 'ob-p3-kid', sponsor: 'ob-p3' }) // level 2: not on this page
    const first = (await sponsor.client.get('/api/v1/me/recruits/onboarding?limit=2')).body
    expect(first.items.map((c: { member: { handle: string } }) => c.member.handle)).toEqual(['ob-p3', 'ob-p2'])
    expect(first.items[0]).toMatchObject({ sponsor: { handle: 'ob-pager' }, done: 0, joinedAt: expect.any(String) })
    const second = (await sponsor.client.get(`/api/v1/me/recruits/onboarding?limit=2&cursor=${first.nextCursor}`)).body
    expect(second.items.map((c: { member: { handle: string } }) => c.member.handle)).toEqual(['ob-p1'])
    expect(second.nextCursor).toBeNull()
  })

  it('pushes each tick live to the recruit and the sponsor', async () => {
    const sponsor = await makeMember(server, { handle: 'ob-live-sponsor' })
    const recruit = await makeMember(server, { handle: 'ob-live-recruit', sponsor: 'ob-live-sponsor' })
    const { socket: sponsorSocket } = await openSocket(server.url, { cookie: sponsor.client.cookie })
    const { socket: recruitSocket } = await openSocket(server.url, { cookie: recruit.client.cookie })
    // 'onboarding:update' is not in the typed socket contract yet.
    const next = (socket: typeof sponsorSocket) =>
      new Promise<any>((resolve) => (socket as unknown as { once(e: string, f: (p: unknown) => void): void }).once('onboarding:update', resolve))
    const seen = Promise.all([next(sponsorSocket), next(recruitSocket)])
    await uploadAvatar(recruit.client)
    const [bySponsor, byRecruit] = await seen
    expect(bySponsor).toMatchObject({ member: { handle: 'ob-live-recruit' }, items: { photo: expect.any(String), profile: null }, done: 1 })
    expect(byRecruit).toEqual(bySponsor)
  })

  it("tells the sponsor of a lesson finished in someone else's course, and names it only if the sponsor may see the course", async () => {
    const sponsor = await makeMember(server, { handle: 'ob-les-sponsor' })
    const trainer = await makeMember(server, { handle: 'ob-les-trainer' })
    const recruit = await makeMember(server, { handle: 'ob-les-recruit', sponsor: 'ob-les-sponsor' })
    await trainer.client.post('/api/v1/groups', { name: 'Offene Akademie', slug: 'ob-akademie', kind: 'training', visibility: 'public' })
    await trainer.client.post('/api/v1/groups', { name: 'Geheimkurs', slug: 'ob-geheim', kind: 'training', visibility: 'private' })
    const open = (await trainer.client.post('/api/v1/groups/ob-akademie/lessons', { title: 'Produktwissen', body: 'Text' })).body
    const secret = (await trainer.client.post('/api/v1/groups/ob-geheim/lessons', { title: 'Verhandeln wie ein Profi', body: 'Text' })).body
    await recruit.client.post('/api/v1/groups/ob-akademie/join')
    await trainer.client.post('/api/v1/groups/ob-geheim/invitations', { handle: 'ob-les-recruit' })
    await recruit.client.post('/api/v1/groups/ob-geheim/join')

    await recruit.client.post(`/api/v1/lessons/${open.id}/progress`, { done: true })
    await recruit.client.post(`/api/v1/lessons/${secret.id}/progress`, { done: true })
    const toSponsor = (await notificationsOf(sponsor.client)).filter((n) => n.type === 'lesson.completed')
    expect(toSponsor.map((n) => n.text.de)).toEqual([
      'Dein Neuer @ob-les-recruit hat eine Lektion abgeschlossen.',
      'Dein Neuer @ob-les-recruit hat die Lektion „Produktwissen“ abgeschlossen.',
    ])
    expect((await notificationsOf(trainer.client)).filter((n) => n.type === 'lesson.completed')).toHaveLength(2)
    const checklist = await checklistOf(sponsor.client, 'ob-les-recruit')
    expect(Date.parse(checklist.items.firstLesson)).toBeLessThanOrEqual(Date.now())
    expect(checklist.done).toBe(1)
  })

  it('fills in what a member did before the checklist existed, with the dates the data has', async () => {
    const sponsor = await makeMember(server, { handle: 'ob-old-sponsor' })
    await sponsor.client.post('/api/v1/groups', { name: 'Alter Kurs', slug: 'ob-alt-kurs', kind: 'training', visibility: 'private' })
    const lesson = (await sponsor.client.post('/api/v1/groups/ob-alt-kurs/lessons', { title: 'Lektion 1', body: 'Text' })).body
    await sponsor.client.request('PUT', '/api/v1/me/onboarding-course', { slug: 'ob-alt-kurs' })
    const veteran = await makeMember(server, { handle: 'ob-veteran', sponsor: 'ob-old-sponsor' })
    await uploadAvatar(veteran.client)
    await veteran.client.patch('/api/v1/me/profile', { bio: 'Seit Jahren dabei.', location: 'Köln' })
    const post = (await veteran.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'profile' }, body: 'Mein Erfahrungsbericht.' })).body
    await veteran.client.post(`/api/v1/lessons/${lesson.id}/progress`, { done: true })
    const live = await checklistOf(sponsor.client, 'ob-veteran')

    // As if all of that had happened before this feature: no checklist stored.
    const { Member, Onboarding } = server.app.ctx.models
    const member = await Member.findOne({ handle: 'ob-veteran' }).lean()
    await Onboarding.deleteOne({ _id: member!._id })
    const derived = await checklistOf(sponsor.client, 'ob-veteran')
    expect(derived.items).toMatchObject({
      photo: live.items.photo, // the avatar's upload time
      firstPrPost: post.createdAt,
      firstLesson: live.items.firstLesson,
      teamGroup: null, // visits were never recorded
    })
    expect(Date.parse(derived.items.profile)).toBeGreaterThanOrEqual(Date.parse(live.items.profile))
    expect(derived.done).toBe(4)
  })

  it('treats a customer as a customer: a welcome about products and orders, not the team, and no place among the recruits', async () => {
    const partner = await makeMember(server, { handle: 'ob-cu-partner', displayName: 'Paula Partner' })
    const recruit = await makeMember(server, { handle: 'ob-cu-recruit', sponsor: 'ob-cu-partner' })
    const customer = await makeMember(server, { handle: 'ob-cu-kunde', role: 'customer', sponsor: 'ob-cu-partner', displayName: 'Karl Kunde' })
    await settle(server)
    const chats = (await customer.client.get('/api/v1/conversations')).body.items as Array<{ id: string }>
    const messages = (await customer.client.get(`/api/v1/conversations/${chats[0]!.id}/messages`)).body.items as Array<{ html: string }>
    expect(messages[0]!.html).toContain('Hallo Karl Kunde')
    expect(messages[0]!.html).toContain('Ich bin Paula Partner')
    expect(messages[0]!.html).not.toContain('Team')
    // The partner's recruits page lists the recruit, not the customer.
    const page = (await partner.client.get('/api/v1/me/recruits/onboarding')).body
    expect(page.items.map((c: { member: { handle: string } }) => c.member.handle)).toEqual([recruit.handle])
  })
})
