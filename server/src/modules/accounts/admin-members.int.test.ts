import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminClient, Client, makeMember, startTestServer, type TestServer } from '../../../test/harness.ts'
import { mailsTo } from '../../../test/mailpit.ts'

let server: TestServer
let admin: Client
beforeAll(async () => {
  server = await startTestServer()
  admin = await adminClient(server, { email: 'am-admin@example.org', password: 'admin password 1', handle: 'am-admin' })
})
afterAll(async () => server?.close())

const reason = 'Wiederholt Werbung per Direktnachricht'

describe('/admin/members', () => {
  it('finds a member by handle or exact email and shows role, sponsor, status, joined and last seen; only for admins', async () => {
    const sponsor = await makeMember(server, { handle: 'am-sponsor', displayName: 'Sara Sponsor' })
    const anna = await makeMember(server, { handle: 'am-anna', displayName: 'Anna Admin-Sicht', sponsor: sponsor.handle })
    for (const q of ['am-anna', '@am-anna', 'AM-ANNA@example.org']) {
      const found = await admin.get(`/api/v1/admin/members?q=${encodeURIComponent(q)}`)
      expect(found.status).toBe(200)
      expect(found.body.items).toHaveLength(1)
      expect(found.body.items[0]).toMatchObject({
        handle: 'am-anna',
        displayName: 'Anna Admin-Sicht',
        email: 'am-anna@example.org',
        role: 'partner',
        moderator: false,
        sponsor: { handle: 'am-sponsor' },
        status: 'active',
        emailVerified: false,
        sessions: 1,
        joinedAt: anna.me.createdAt,
        lastSeenAt: expect.any(String),
      })
    }
    // A part of an address finds nothing (exact match only), and neither does the company account.
    expect((await admin.get('/api/v1/admin/members?q=am-anna@example')).body.items).toEqual([])
    expect((await admin.get(`/api/v1/admin/members?q=${server.config.root.handle}`)).body.items).toEqual([])
    expect((await admin.get('/api/v1/admin/members?q=')).body.error.code).toBe('VALIDATION_FAILED')
    expect((await admin.get('/api/v1/admin/members/am-nobody')).body.error.code).toBe('MEMBER_NOT_FOUND')
    // Not for members, nor for the signed out.
    expect((await sponsor.client.get('/api/v1/admin/members?q=am-anna')).body.error.code).toBe('FORBIDDEN')
    expect((await new Client(server.url).get('/api/v1/admin/members?q=am-anna')).status).toBe(401)
  })

  it('suspends a member: sessions end, sign-in is refused, the profile is unavailable; restoring undoes it, both audited', async () => {
    const ben = await makeMember(server, { handle: 'am-ben', displayName: 'Ben Gesperrt' })
    const visitor = new Client(server.url)
    expect((await visitor.get('/api/v1/profiles/am-ben')).status).toBe(200) // now in the public cache
    expect((await admin.post('/api/v1/admin/members/am-ben/suspend', { reason: ' ' })).body.error.code).toBe('VALIDATION_FAILED')

    const suspended = await admin.post('/api/v1/admin/members/am-ben/suspend', { reason })
    expect(suspended.status).toBe(200)
    expect(suspended.body).toMatchObject({ status: 'suspended', suspension: { reason, by: 'am-admin' }, sessions: 0 })
    expect(suspended.body.history[0]).toMatchObject({ action: 'member.suspended', by: 'am-admin', reason })
    expect((await ben.client.get('/api/v1/me')).status).toBe(401)
    const login = await new Client(server.url).post('/api/v1/auth/login', { email: ben.email, password: ben.password })
    expect(login.status).toBe(403)
    expect(login.body.error.code).toBe('ACCOUNT_SUSPENDED')
    // A wrong password says only that: nothing about the suspension.
    expect((await new Client(server.url).post('/api/v1/auth/login', { email: ben.email, password: 'wrong password!' })).body.error.code).toBe(
      'INVALID_CREDENTIALS',
    )
    const profile = await visitor.get('/api/v1/profiles/am-ben')
    expect(profile.status).toBe(404)
    expect(profile.body.error.code).toBe('PROFILE_UNAVAILABLE')
    expect((await visitor.get('/api/v1/profiles/am-ben/posts')).body.error.code).toBe('PROFILE_UNAVAILABLE')
    expect((await admin.post('/api/v1/admin/members/am-ben/suspend', { reason })).body.error.code).toBe('ALREADY_SUSPENDED')

    const restored = await admin.post('/api/v1/admin/members/am-ben/unsuspend', { reason: 'Einsicht gezeigt' })
    expect(restored.body).toMatchObject({ status: 'active', suspension: null })
    expect(restored.body.history.map((h: { action: string }) => h.action)).toEqual(['member.unsuspended', 'member.suspended'])
    const again = new Client(server.url)
    expect((await again.post('/api/v1/auth/login', { email: ben.email, password: ben.password })).status).toBe(200)
    expect((await visitor.get('/api/v1/profiles/am-ben')).status).toBe(200)
    expect((await admin.post('/api/v1/admin/members/am-ben/unsuspend', { reason: 'Noch einmal' })).body.error.code).toBe('NOT_SUSPENDED')
    // Administrators and the company account cannot be suspended.
    expect((await admin.post('/api/v1/admin/members/am-admin/suspend', { reason })).body.error.code).toBe('CANNOT_SUSPEND_ADMIN')
    expect((await admin.post(`/api/v1/admin/members/${server.config.root.handle}/suspend`, { reason })).body.error.code).toBe('ROOT_ACCOUNT')
  })

  it('makes a site moderator who works the moderation queue, promotes and demotes admins, and never the last one', async () => {
    const mia = await makeMember(server, { handle: 'am-mia', role: 'customer' })
    expect((await mia.client.get('/api/v1/moderation/queue')).body.error.code).toBe('FORBIDDEN')
    const moderator = await admin.request('PUT', '/api/v1/admin/members/am-mia/standing', { standing: 'moderator', reason: 'Hilft im Support' })
    expect(moderator.body).toMatchObject({ role: 'customer', moderator: true })
    // At once, in the session she has open.
    expect((await mia.client.get('/api/v1/moderation/queue')).status).toBe(200)
    expect((await mia.client.get('/api/v1/me')).body.moderator).toBe(true)
    // Moderators are no admins.
    expect((await mia.client.get('/api/v1/admin/members?q=am-admin')).body.error.code).toBe('FORBIDDEN')
    expect((await admin.request('PUT', '/api/v1/admin/members/am-mia/standing', { standing: 'moderator', reason: 'Doppelt' })).body.error.code).toBe(
      'ROLE_UNCHANGED',
    )

    const promoted = await admin.request('PUT', '/api/v1/admin/members/am-mia/standing', { standing: 'admin', reason: 'Übernimmt die Verwaltung' })
    expect(promoted.body).toMatchObject({ role: 'admin', moderator: false })
    // An admin without two-factor sign-in acts as a partner until it is on.
    expect((await mia.client.get('/api/v1/me')).body).toMatchObject({ role: 'partner', twoFactorRequired: true })
    const demoted = await admin.request('PUT', '/api/v1/admin/members/am-mia/standing', { standing: 'member', reason: 'Zurück ins Team' })
    expect(demoted.body).toMatchObject({ role: 'customer', moderator: false })
    expect(demoted.body.history[0]).toMatchObject({ action: 'member.role_changed', to: 'member', reason: 'Zurück ins Team', by: 'am-admin' })

    // The only admin cannot step down, and stays admin.
    const last = await admin.request('PUT', '/api/v1/admin/members/am-admin/standing', { standing: 'member', reason: 'Rücktritt' })
    expect(last.status).toBe(409)
    expect(last.body.error.code).toBe('LAST_ADMIN')
    expect((await admin.get('/api/v1/me')).body.role).toBe('admin')
    expect((await admin.request('PUT', '/api/v1/admin/members/am-mia/standing', { standing: 'chef', reason: 'Ungültig' })).body.error.code).toBe(
      'VALIDATION_FAILED',
    )
  })

  it('sends the verification mail again, at most once a minute, and not to a confirmed address', async () => {
    const lea = await makeMember(server, { handle: 'am-lea' })
    expect((await admin.post('/api/v1/admin/members/am-lea/verification')).body.error.code).toBe('RATE_LIMITED')
    await server.app.ctx.models.Member.updateOne({ _id: lea.me.id }, { $set: { verificationSentAt: new Date(Date.now() - 120_000) } })
    const sent = await admin.post('/api/v1/admin/members/am-lea/verification')
    expect(sent.status).toBe(200)
    expect(sent.body.history[0]).toMatchObject({ action: 'member.verification_resent', by: 'am-admin' })
    await expect
      .poll(async () => (await mailsTo(lea.email)).filter((m) => m.Subject === 'Bitte bestätige deine E-Mail-Adresse').length, { timeout: 10_000 })
      .toBe(2)
    await server.app.ctx.models.Member.updateOne({ _id: lea.me.id }, { $set: { emailVerifiedAt: new Date() } })
    expect((await admin.post('/api/v1/admin/members/am-lea/verification')).body.error.code).toBe('EMAIL_ALREADY_VERIFIED')
  })
})
