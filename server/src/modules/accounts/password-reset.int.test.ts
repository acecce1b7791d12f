import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, settle, startTestServer, type TestServer } from '../../../test/harness.ts'
import { linkIn, mailsTo, readMail, waitForMails } from '../../../test/mailpit.ts'

describe('Passwort vergessen', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer({ config: { publicUrl: 'https://vernetzt.example' } })
  })
  afterAll(async () => server?.close())

  const resetLink = async (email: string, count: number) => {
    const mails = await waitForMails(email, count)
    const reset = []
    for (const m of mails) if (m.Subject === 'Dein neues Passwort') reset.push(m)
    const mail = await readMail(reset[0]!.ID)
    return new URL(linkIn(mail.Text, 'https://vernetzt.example/reset-password?token=')).searchParams.get('token')!
  }

  it('mails a link that sets a new password once, signs in, ends the other sessions and sends a notice', async () => {
    const anna = await makeMember(server)
    const otherDevice = new Client(server.url)
    expect((await otherDevice.post('/api/v1/auth/login', { email: anna.email, password: anna.password })).status).toBe(200)
    expect((await otherDevice.get('/api/v1/me')).status).toBe(200)

    const asked = await new Client(server.url).post('/api/v1/auth/password-reset', { email: anna.email.toUpperCase() })
    expect(asked.status).toBe(202)
    const token = await resetLink(anna.email, 2) // the verification mail came first

    const browser = new Client(server.url)
    const done = await browser.post('/api/v1/auth/password-reset/confirm', { token, password: 'a brand new passphrase' })
    expect(done.status).toBe(200)
    expect(done.body.handle).toBe(anna.handle)
    // The link came to the address and was opened there: it is confirmed as well.
    expect(done.body.emailVerified).toBe(true)
    expect((await browser.get('/api/v1/me')).status).toBe(200)

    // Every session from before is over; the old password no longer works, the new one does.
    expect((await otherDevice.get('/api/v1/me')).status).toBe(401)
    expect((await anna.client.get('/api/v1/me')).status).toBe(401)
    expect((await new Client(server.url).post('/api/v1/auth/login', { email: anna.email, password: anna.password })).status).toBe(401)
    expect((await new Client(server.url).post('/api/v1/auth/login', { email: anna.email, password: 'a brand new passphrase' })).status).toBe(200)

    const again = await new Client(server.url).post('/api/v1/auth/password-reset/confirm', { token, password: 'yet another passphrase' })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('TOKEN_USED')

    const all = await waitForMails(anna.email, 3)
    const notice = all.find((m) => m.Subject === 'Dein Passwort wurde geändert')
    expect(notice).toBeDefined()
    expect((await readMail(notice!.ID)).Text).toContain('Alle anderen Geräte sind abgemeldet.')
  })

  it('answers the same for an unknown address and sends nothing', async () => {
    const unknown = `nobody-${randomBytes(4).toString('hex')}@example.org`
    const res = await new Client(server.url).post('/api/v1/auth/password-reset', { email: unknown })
    expect(res.status).toBe(202)
    expect(res.body).toEqual({ ok: true })
    await settle(server)
    expect(await mailsTo(unknown)).toHaveLength(0)
  })

  it('refuses an expired link and keeps the old password', async () => {
    const ben = await makeMember(server)
    await new Client(server.url).post('/api/v1/auth/password-reset', { email: ben.email })
    const token = await resetLink(ben.email, 2)
    await server.app.ctx.models.EmailToken.updateMany(
      { memberId: (await server.app.ctx.models.Member.findOne({ handle: ben.handle }).lean())!._id },
      { $set: { expiresAt: new Date(Date.now() - 1) } },
    )
    const late = await new Client(server.url).post('/api/v1/auth/password-reset/confirm', { token, password: 'a brand new passphrase' })
    expect(late.status).toBe(410)
    expect(late.body.error.code).toBe('TOKEN_EXPIRED')
    expect((await ben.client.get('/api/v1/me')).status).toBe(200)
    expect((await new Client(server.url).post('/api/v1/auth/login', { email: ben.email, password: ben.password })).status).toBe(200)
  })

  it('refuses forged tokens, a verification token, and a too short password with clear codes', async () => {
    const cara = await makeMember(server)
    const client = new Client(server.url)
    const forged = await client.post('/api/v1/auth/password-reset/confirm', {
      token: randomBytes(32).toString('base64url'),
      password: 'a brand new passphrase',
    })
    expect(forged.status).toBe(400)
    expect(forged.body.error.code).toBe('TOKEN_INVALID')
    // The verification mail's token is for something else.
    const [verify] = await waitForMails(cara.email)
    const verifyToken = new URL(linkIn((await readMail(verify!.ID)).Text, 'https://vernetzt.example/verify-email?token=')).searchParams.get('token')!
    const wrongPurpose = await client.post('/api/v1/auth/password-reset/confirm', { token: verifyToken, password: 'a brand new passphrase' })
    expect(wrongPurpose.status).toBe(400)
    expect(wrongPurpose.body.error.code).toBe('TOKEN_INVALID')
    const short = await client.post('/api/v1/auth/password-reset/confirm', { token: verifyToken, password: 'short' })
    expect(short.status).toBe(400)
    expect(short.body.error.code).toBe('VALIDATION_FAILED')
    // The verification link still works: refusing it as a reset token used nothing up.
    expect((await client.post('/api/v1/auth/verify-email', { token: verifyToken })).status).toBe(200)
  })

  it('limits reset mails per address, registered or not, with the same answer', async () => {
    const dana = await makeMember(server)
    const unknown = `nobody-${randomBytes(4).toString('hex')}@example.org`
    for (const email of [dana.email, unknown]) {
      const codes: number[] = []
      for (let i = 0; i < 5; i++) codes.push((await new Client(server.url).post('/api/v1/auth/password-reset', { email })).status)
      expect(codes).toEqual([202, 202, 202, 429, 429])
    }
    const flood = await new Client(server.url).post('/api/v1/auth/password-reset', { email: dana.email })
    expect(flood.body.error.code).toBe('RATE_LIMITED')
    expect(flood.body.error.details.retryAfter).toBeGreaterThan(3000)
    await settle(server)
    // The verification mail and three reset mails: the flood sent nothing more.
    expect(await mailsTo(dana.email)).toHaveLength(4)
  })
})
