import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, settle, startTestServer, type TestServer, adminClient } from '../../../test/harness.ts'

let server: TestServer
let mod: Client
beforeAll(async () => {
  server = await startTestServer()
  mod = await adminClient(server, { email: 'mod@example.org', password: 'moderator password', handle: 'moderatorin' })
})
afterAll(async () => {
  await server.close()
})

const bodies = (res: { body: { items: Array<{ body: string }> } }) => res.body.items.map((p) => p.body)

async function setup(prefix: string) {
  const author = await makeMember(server, { handle: `${prefix}-author` })
  const reader = await makeMember(server, { handle: `${prefix}-reader` })
  await reader.client.post(`/api/v1/profiles/${prefix}-author/follow`)
  const hidden = await author.client.post('/api/v1/posts', { body: `Nur heute 20 % Rabatt, jetzt bestellen! (${prefix})`, kind: 'pr', area: { type: 'feed' } })
  await settle(server)
  return { author, reader, postId: hidden.body.id as string, post: hidden.body }
}

describe('reports and the moderation queue', () => {
  it('stores the ad score, queues a reported post once with all its reports, and is for moderators only', async () => {
    const { author, reader, postId, post } = await setup('q')
    expect(post.adScore).toBeGreaterThanOrEqual(0.5)
    const other = await makeMember(server, { handle: 'q-other' })
    const first = await reader.client.post(`/api/v1/posts/${postId}/reports`, { reason: 'unflagged_ad', text: 'Das ist Werbung.' })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ reason: 'unflagged_ad', status: 'open' })
    expect((await reader.client.post(`/api/v1/posts/${postId}/reports`, { reason: 'spam' })).body.reason).toBe('unflagged_ad')
    await other.client.post(`/api/v1/posts/${postId}/reports`, { reason: 'spam' })
    const queue = await mod.get('/api/v1/moderation/queue')
    expect(queue.status).toBe(200)
    const item = queue.body.items.find((i: { post: { id: string } }) => i.post.id === postId)
    expect(item.reports.map((r: { reporter: { handle: string } }) => r.reporter.handle).sort()).toEqual(['q-other', 'q-reader'])
    expect(queue.body.items.filter((i: { post: { id: string } }) => i.post.id === postId)).toHaveLength(1)
    expect((await author.client.get('/api/v1/moderation/queue')).status).toBe(403)
    expect((await author.client.post(`/api/v1/moderation/posts/${postId}/actions`, { action: 'hide', reason: 'selbst' })).body.error.code).toBe('FORBIDDEN')
    expect((await reader.client.post('/api/v1/posts/0123456789abcdef01234567/reports', { reason: 'spam' })).body.error.code).toBe('POST_NOT_FOUND')
  })

  it('reclassifies an unflagged ad: it leaves the feed, moves to the marketplace, and the author is told', async () => {
    const { author, reader, postId } = await setup('rc')
    expect(bodies(await reader.client.get('/api/v1/feed'))).toHaveLength(1)
    await reader.client.post(`/api/v1/posts/${postId}/reports`, { reason: 'unflagged_ad' })
    const res = await mod.post(`/api/v1/moderation/posts/${postId}/actions`, { action: 'reclassify', reason: 'Rabatt und Bestellaufruf' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ action: 'reclassify', resolvedReports: 1, authorOffences: 1, authorWarned: false })
    expect(bodies(await reader.client.get('/api/v1/feed'))).toEqual([])
    expect(bodies(await reader.client.get('/api/v1/profiles/rc-author/posts?kind=pr'))).toEqual([])
    expect(bodies(await reader.client.get('/api/v1/marketplace?author=rc-author'))).toHaveLength(1)
    expect(bodies(await reader.client.get('/api/v1/profiles/rc-author/posts?kind=ad'))).toHaveLength(1)
    expect((await reader.client.get(`/api/v1/posts/${postId}`)).body.kind).toBe('ad')
    const notes = await author.client.get('/api/v1/notifications')
    expect(notes.body.unread).toBe(1)
    expect(notes.body.items[0]).toMatchObject({ type: 'post.reclassify', data: { postId }, text: { de: expect.stringContaining('Werbung') } })
    const audit = await server.app.ctx.models.Audit.findOne({ action: 'post.reclassify', subjectId: postId }).lean()
    expect(audit).toMatchObject({ reason: 'Rabatt und Bestellaufruf' })
    expect(audit!.actorId!.toString()).toBe((await mod.get('/api/v1/me')).body.id)
    expect((await mod.get('/api/v1/moderation/queue')).body.items.some((i: { post: { id: string } }) => i.post.id === postId)).toBe(false)
    expect((await mod.post(`/api/v1/moderation/posts/${postId}/actions`, { action: 'hide', reason: 'again' })).body.error.code).toBe('REPORT_CLOSED')
    expect((await author.client.post('/api/v1/notifications/read-all')).status).toBe(200)
    expect((await author.client.get('/api/v1/notifications')).body.unread).toBe(0)
  })

  it('hides a post from every listing, and dismissing leaves it where it is', async () => {
    const { reader, postId } = await setup('hd')
    await reader.client.post(`/api/v1/posts/${postId}/reports`, { reason: 'abuse' })
    expect((await mod.post(`/api/v1/moderation/posts/${postId}/actions`, { action: 'hide', reason: 'beleidigend' })).status).toBe(200)
    expect(bodies(await reader.client.get('/api/v1/feed'))).toEqual([])
    expect(bodies(await reader.client.get('/api/v1/profiles/hd-author/posts'))).toEqual([])
    expect((await reader.client.get(`/api/v1/posts/${postId}`)).status).toBe(404)

    const kept = await setup('ds')
    await kept.reader.client.post(`/api/v1/posts/${kept.postId}/reports`, { reason: 'other', text: 'unsicher' })
    expect((await mod.post(`/api/v1/moderation/posts/${kept.postId}/actions`, { action: 'dismiss', reason: 'keine Werbung' })).body.resolvedReports).toBe(1)
    expect(bodies(await kept.reader.client.get('/api/v1/feed'))).toHaveLength(1)
    // Reported again later, it is back in the queue — once.
    const third = await makeMember(server, { handle: 'ds-third' })
    await third.client.post(`/api/v1/posts/${kept.postId}/reports`, { reason: 'unflagged_ad' })
    const queue = await mod.get('/api/v1/moderation/queue?limit=50')
    expect(queue.body.items.filter((i: { post: { id: string } }) => i.post.id === kept.postId)).toHaveLength(1)
  })
})

describe('repeat offenders', () => {
  it('warns after the second reclassified post, and an admin can limit posting to feeds', async () => {
    const author = await makeMember(server, { handle: 'wiederholer' })
    const reader = await makeMember(server, { handle: 'wiederholer-leser' })
    let last: { authorWarned: boolean; authorOffences: number } | undefined
    for (let i = 1; i <= 2; i++) {
      const post = await author.client.post('/api/v1/posts', { body: `Angebot ${i}: 10 € Rabatt mit Code SPAR${i}0`, kind: 'pr', area: { type: 'feed' } })
      await reader.client.post(`/api/v1/posts/${post.body.id}/reports`, { reason: 'unflagged_ad' })
      last = (await mod.post(`/api/v1/moderation/posts/${post.body.id}/actions`, { action: 'reclassify', reason: 'Werbung' })).body
    }
    expect(last).toMatchObject({ authorOffences: 2, authorWarned: true })
    const notes = await author.client.get('/api/v1/notifications')
    expect(notes.body.items[0].type).toBe('moderation.warning')

    expect((await author.client.post('/api/v1/admin/members/wiederholer/posting-limit', { days: 3, reason: 'selbst gesperrt' })).status).toBe(403)
    const limit = await mod.post('/api/v1/admin/members/wiederholer/posting-limit', { days: 3, reason: 'Wiederholte Werbung im Feed' })
    expect(limit.status).toBe(200)
    expect(new Date(limit.body.limitedUntil).getTime()).toBeGreaterThan(Date.now() + 2.9 * 86_400_000)
    const refused = await author.client.post('/api/v1/posts', { body: 'Darf ich?', kind: 'pr', area: { type: 'feed' } })
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('POSTING_LIMITED')
    expect((await author.client.post('/api/v1/posts', { body: 'Im Marktplatz: 5 €', kind: 'ad', area: { type: 'marketplace' } })).status).toBe(201)
    expect((await mod.post('/api/v1/admin/members/wiederholer/posting-limit', { days: 0, reason: 'Bewährung' })).body.limitedUntil).toBeNull()
    expect((await author.client.post('/api/v1/posts', { body: 'Wieder da', kind: 'pr', area: { type: 'feed' } })).status).toBe(201)
  })
})
