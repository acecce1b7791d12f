import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, settle, startTestServer, type TestServer } from '../../../test/harness.ts'
import { linkIn, mailsTo, readMail, waitForMails } from '../../../test/mailpit.ts'
import { issueToken } from './email.ts'

describe('confirming the email address', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ config: { publicUrl: 'https://vernetzt.example' } })
  })
  afterAll(async () => server?.close())

  const tokenOf = (link: string) => new URL(link).searchParams.get('token')!

  it('sends a German verification mail at sign-up whose link confirms the address once', async () => {
    const anna = await makeMember(server, { displayName: 'Anna Berger' })
    expect(anna.me.emailVerified).toBe(false)
    const [arrived] = await waitForMails(anna.email)
    const mail = await readMail(arrived!.ID)
    expect(mail.Subject).toBe('Bitte bestätige deine E-Mail-Adresse')
    expect(mail.Text).toContain('Hallo Anna Berger,')
    expect(mail.HTML).toContain('E-Mail-Adresse bestätigen')
    const link = linkIn(mail.Text, 'https://vernetzt.example/verify-email?token=')
    expect(mail.HTML).toContain(link.replace(/&/g, '&amp;'))

    // The link opens in any browser: no session needed.
    const stranger = new Client(server.url)
    const first = await stranger.post('/api/v1/auth/verify-email', { token: tokenOf(link) })
    expect(first.status).toBe(200)
    expect(first.body).toEqual({ email: anna.email })
    expect((await anna.client.get('/api/v1/me')).body.emailVerified).toBe(true)

    const again = await stranger.post('/api/v1/auth/verify-email', { token: tokenOf(link) })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('TOKEN_USED')
  })

  it('writes the mail in English for a member who signed up in English', async () => {
    const handle = `en-${randomBytes(3).toString('hex')}`
    const client = new Client(server.url)
    const res = await client.post('/api/v1/auth/register', {
      email: `${handle}@example.org`,
      password: 'correct horse battery',
      handle,
      displayName: 'Ben',
      role: 'customer',
      lang: 'en',
    })
    expect(res.status).toBe(201)
    const [arrived] = await waitForMails(`${handle}@example.org`)
    const mail = await readMail(arrived!.ID)
    expect(mail.Subject).toBe('Please confirm your email address')
    expect(mail.Text).toContain('Hello Ben,')
  })

  it('refuses forged, malformed and expired tokens with clear codes, and changes nothing', async () => {
    const member = await makeMember(server)
    const client = new Client(server.url)
    const forged = await client.post('/api/v1/auth/verify-email', { token: randomBytes(32).toString('base64url') })
    expect(forged.status).toBe(400)
    expect(forged.body.error.code).toBe('TOKEN_INVALID')
    const malformed = await client.post('/api/v1/auth/verify-email', { token: 'not a token' })
    expect(malformed.status).toBe(400)
    expect(malformed.body.error.code).toBe('TOKEN_INVALID')
    const missing = await client.post('/api/v1/auth/verify-email', {})
    expect(missing.status).toBe(400)
    expect(missing.body.error.code).toBe('VALIDATION_FAILED')

    const doc = await server.app.ctx.models.Member.findOne({ handle: member.handle }).lean()
    const expired = await issueToken(server.app.ctx, 'verify', doc!, -1000)
    const late = await client.post('/api/v1/auth/verify-email', { token: expired })
    expect(late.status).toBe(410)
    expect(late.body.error.code).toBe('TOKEN_EXPIRED')
    expect((await member.client.get('/api/v1/me')).body.emailVerified).toBe(false)
    await settle(server)
  })

  it('sends the mail again on request, once a minute, and not once the address is confirmed', async () => {
    const member = await makeMember(server)
    await waitForMails(member.email)
    // Within the first minute after sign-up the first mail is still fresh.
    const tooSoon = await member.client.post('/api/v1/me/email/verification', {})
    expect(tooSoon.status).toBe(429)
    expect(tooSoon.body.error.code).toBe('RATE_LIMITED')
    await server.app.ctx.models.Member.updateOne({ handle: member.handle }, { $set: { verificationSentAt: new Date(Date.now() - 61_000) } })
    const resent = await member.client.post('/api/v1/me/email/verification', {})
    expect(resent.status).toBe(202)
    const both = await waitForMails(member.email, 2)
    // The newer link works; the older one still does too, until either confirms the address.
    const newest = await readMail(both[0]!.ID)
    const ok = await member.client.post('/api/v1/auth/verify-email', { token: tokenOf(linkIn(newest.Text, 'https://vernetzt.example/verify-email?token=')) })
    expect(ok.status).toBe(200)
    await server.app.ctx.models.Member.updateOne({ handle: member.handle }, { $set: { verificationSentAt: new Date(0) } })
    const done = await member.client.post('/api/v1/me/email/verification', {})
    expect(done.status).toBe(409)
    expect(done.body.error.code).toBe('EMAIL_ALREADY_VERIFIED')
    const anonymous = await new Client(server.url).post('/api/v1/me/email/verification', {})
    expect(anonymous.status).toBe(401)
    await settle(server)
    expect(await mailsTo(member.email)).toHaveLength(2)
  })

  it('does not confirm an address the member no longer has', async () => {
    const member = await makeMember(server)
    const [arrived] = await waitForMails(member.email)
    const link = linkIn((await readMail(arrived!.ID)).Text, 'https://vernetzt.example/verify-email?token=')
    await server.app.ctx.models.Member.updateOne({ handle: member.handle }, { $set: { email: `changed-${member.email}` } })
    const res = await new Client(server.url).post('/api/v1/auth/verify-email', { token: tokenOf(link) })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('TOKEN_INVALID')
    expect((await server.app.ctx.models.Member.findOne({ handle: member.handle }).lean())?.emailVerifiedAt).toBeNull()
  })
})
