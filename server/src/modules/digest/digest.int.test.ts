import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeMember, settle, startTestServer, type TestServer } from '../../../test/harness.ts'
import { confirmAddress, mailHeaders, mailsTo, readMail } from '../../../test/mailpit.ts'
import { sendDigest } from './index.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => server?.close())

const box = async (memberId: string) => server.app.ctx.models.DigestBox.findById(memberId).lean()
const local = (at: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at)

/** Makes the member's digest due now (as the clock would at 07:00) and lets the job run; returns the job's key. */
async function digestNow(memberId: string): Promise<string> {
  const due = new Date()
  await server.app.ctx.models.DigestBox.updateOne({ _id: memberId }, { $set: { nextAt: due } })
  await server.app.ctx.jobs.enqueue('mail.digest', `${memberId}:${due.toISOString()}`, { memberId, due: due.toISOString() })
  await settle(server)
  return `${memberId}:${due.toISOString()}`
}
const digests = async (email: string, subject: RegExp) => (await mailsTo(email)).filter((m) => subject.test(m.Subject))
async function digestText(email: string, subject: RegExp, n = 1) {
  await expect.poll(async () => (await digests(email, subject)).length, { timeout: 10_000, interval: 100 }).toBe(n)
  const mail = (await digests(email, subject))[0]!
  return { mail, detail: await readMail(mail.ID) }
}

describe('digest mail', () => {
  it('tells a leader in German of new recruits, finished lessons, waiting requests and popular posts, and skips an empty one', async () => {
    const leader = await makeMember(server, { handle: 'dg-lea', displayName: 'Lea Leiterin' })
    await confirmAddress(server, leader.email)
    // Weekly by default: Monday 07:00 in the member's zone (Europe/Berlin unless they chose one).
    const first = await box(leader.me.id)
    expect(local(first!.nextAt!, 'Europe/Berlin')).toBe('Mon 07:00')

    const rita = await makeMember(server, { handle: 'dg-rita', displayName: 'Rita Rekrut', sponsor: leader.handle })
    const ben = await makeMember(server, { handle: 'dg-ben', displayName: 'Ben Zweite', sponsor: rita.handle })
    // A lesson finished by Rita, in a training group.
    await leader.client.post('/api/v1/groups', { name: 'Starter', slug: 'dg-starter', kind: 'training', visibility: 'public' })
    const lesson = (await leader.client.post('/api/v1/groups/dg-starter/lessons', { title: 'Willkommen im Team', body: 'Los gehts.' })).body as { id: string }
    expect((await rita.client.post('/api/v1/groups/dg-starter/join')).status).toBeLessThan(300)
    expect((await rita.client.post(`/api/v1/lessons/${lesson.id}/progress`, { done: true })).status).toBe(200)
    // A join request to the leader's private group, still waiting; another one decided already.
    await leader.client.post('/api/v1/groups', { name: 'Führungskreis', slug: 'dg-kreis', kind: 'community', visibility: 'private' })
    const olga = await makeMember(server, { handle: 'dg-olga', displayName: 'Olga Anfrage' })
    const paul = await makeMember(server, { handle: 'dg-paul', displayName: 'Paul Erledigt' })
    await olga.client.post('/api/v1/groups/dg-kreis/join')
    await paul.client.post('/api/v1/groups/dg-kreis/join')
    expect((await leader.client.post('/api/v1/groups/dg-kreis/requests', { handle: paul.handle, approve: true })).status).toBeLessThan(300)
    // A post by someone the leader follows, liked and discussed; a quieter one ranks below.
    const fritz = await makeMember(server, { handle: 'dg-fritz', displayName: 'Fritz Autor' })
    await leader.client.post(`/api/v1/profiles/${fritz.handle}/follow`)
    const loud = (await fritz.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'feed' }, body: 'Drei Fragen, die jeder neue Partner stellen sollte' }))
      .body as { id: string }
    await fritz.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'feed' }, body: 'Ein stiller Beitrag' })
    await rita.client.request('PUT', `/api/v1/posts/${loud.id}/like`)
    await ben.client.post(`/api/v1/posts/${loud.id}/comments`, { body: 'Sehr hilfreich!' })
    await settle(server)

    const key = await digestNow(leader.me.id)
    const { mail, detail } = await digestText(leader.email, /^Deine Woche bei /)
    const text = detail.Text
    expect(text).toContain('Hallo Lea Leiterin,')
    expect(text).toContain('2 neue Mitglieder in deinem Team')
    expect(text).toContain('Rita Rekrut (@dg-rita), direkt bei dir')
    expect(text).toContain('Ben Zweite (@dg-ben), Ebene 2')
    expect(text).toContain('1 abgeschlossene Lektion in deinem Team')
    expect(text).toContain('Rita Rekrut hat „Willkommen im Team“ abgeschlossen')
    expect(text).toContain(`${server.config.publicUrl}/lessons/${lesson.id}`)
    expect(text).toContain('1 Beitrittsanfrage wartet auf dich')
    expect(text).toContain('Olga Anfrage möchte in „Führungskreis“')
    expect(text).not.toContain('Paul Erledigt')
    expect(text).toContain('Beliebte Beiträge')
    expect(text).toContain('Fritz Autor: „Drei Fragen, die jeder neue Partner stellen sollte“ (1 Like, 1 Kommentar)')
    expect(text).not.toContain('Ein stiller Beitrag') // nobody reacted: not a popular post
    expect(detail.HTML).toMatch(/<h2 style="[^"]+">2 neue Mitglieder in deinem Team<\/h2>/)
    expect((await mailHeaders(mail.ID))['List-Unsubscribe-Post']).toEqual(['List-Unsubscribe=One-Click'])

    // The window moved on: the next one is due next Monday, and with nothing new it is not sent.
    const after = await box(leader.me.id)
    expect(local(after!.nextAt!, 'Europe/Berlin')).toBe('Mon 07:00')
    expect(after!.nextAt!.getTime()).toBeGreaterThan(Date.now())
    const quiet = await digestNow(leader.me.id)
    expect(await server.app.jobs.get('mail.send', `digest:${quiet}`)).toBeNull()
    expect(await server.app.jobs.get('mail.send', `digest:${key}`)).not.toBeNull()
    expect(await digests(leader.email, /^Deine Woche bei /)).toHaveLength(1)
  })

  it('comes daily in English when chosen, ends a replaced schedule, and stops by one-click unsubscribe', async () => {
    const emma = await makeMember(server, { handle: 'dg-emma', displayName: 'Emma English', lang: 'en' })
    await confirmAddress(server, emma.email)
    const weekly = (await box(emma.me.id))!.nextAt!
    const chosen = await emma.client.request('PUT', '/api/v1/me/notification-settings', {
      mail: { digest: 'daily' },
      quietHours: { timeZone: 'Europe/Zurich' },
    })
    expect(chosen.status).toBe(200)
    await settle(server)
    const daily = (await box(emma.me.id))!.nextAt!
    expect(local(daily, 'Europe/Zurich')).toMatch(/ 07:00$/)
    expect(daily.getTime() - Date.now()).toBeLessThanOrEqual(24 * 3_600_000)
    // The weekly job, when its time comes, finds itself replaced and sends nothing.
    expect(await sendDigest(server.app.ctx, { payload: { memberId: emma.me.id, due: weekly.toISOString() } })).toBe('replaced')

    await makeMember(server, { handle: 'dg-noah', displayName: 'Noah New', sponsor: emma.handle })
    await settle(server)
    await digestNow(emma.me.id)
    const { mail, detail } = await digestText(emma.email, /^Your day on /)
    expect(detail.Text).toContain('Hello Emma English,')
    expect(detail.Text).toContain('1 new member in your team')
    expect(detail.Text).toContain('Noah New (@dg-noah), your direct recruit')
    expect(detail.Text).toContain('This summary comes every morning when there is news.')
    expect(detail.Text).not.toMatch(/Mitglied|Hallo/)

    // The mail provider's one-click POST, without a session: no more digests.
    const oneClick = (await mailHeaders(mail.ID))['List-Unsubscribe']![0]!.slice(1, -1)
    const res = await fetch(`${server.url}${oneClick.replace(server.config.publicUrl, '')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    })
    expect(res.status).toBe(200)
    await settle(server)
    expect((await emma.client.get('/api/v1/me/notification-settings')).body.mail).toEqual({ messages: true, digest: 'off' })
    expect((await box(emma.me.id))!.nextAt).toBeNull()
  })

  it('sends nothing to a suspended member, however much happened', async () => {
    const sam = await makeMember(server, { handle: 'dg-sam' })
    await confirmAddress(server, sam.email)
    await makeMember(server, { handle: 'dg-sams-recruit', sponsor: sam.handle })
    await server.app.ctx.models.Member.updateOne({ _id: sam.me.id }, { $set: { suspension: { at: new Date(), reason: 'Test', by: 'admin' } } })
    const key = await digestNow(sam.me.id)
    expect(await server.app.jobs.get('mail.send', `digest:${key}`)).toBeNull()
    expect((await box(sam.me.id))!.nextAt!.getTime()).toBeGreaterThan(Date.now()) // the schedule goes on, for when it is lifted
  })
})
