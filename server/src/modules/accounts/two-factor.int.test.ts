import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, adminClient, makeMember, signIn, startTestServer, totpCode, turnOnTwoFactor, type TestServer } from '../../../test/harness.ts'
import { waitForMails } from '../../../test/mailpit.ts'
import { ensureAdmin } from '../referrals/index.ts'
import { issueToken } from './email.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => server?.close())

const login = (client: Client, email: string, password: string) => client.post('/api/v1/auth/login', { email, password })

describe('two-factor sign-in (TOTP)', () => {
  it('is set up with a code from the app, then asks every sign-in for a code, which works once', async () => {
    const ida = await makeMember(server)
    const setup = await ida.client.post('/api/v1/me/two-factor/setup')
    expect(setup.status).toBe(200)
    expect(setup.body.uri).toMatch(/^otpauth:\/\/totp\/.+\?.*secret=/)
    expect(setup.body.qrSvg).toMatch(/^<svg/)
    // Not on before a code from the app confirms it.
    expect((await ida.client.get('/api/v1/me/two-factor')).body).toEqual({ enabled: false, recoveryLeft: 0, required: false })
    expect((await login(new Client(server.url), ida.email, ida.password)).status).toBe(200)
    const wrong = await ida.client.post('/api/v1/me/two-factor/enable', { code: '000000' === totpCode(setup.body.secret) ? '111111' : '000000' })
    expect(wrong.status).toBe(422)
    expect(wrong.body.error.code).toBe('TWO_FACTOR_CODE_WRONG')
    const enabled = await ida.client.post('/api/v1/me/two-factor/enable', { code: totpCode(setup.body.secret) })
    expect(enabled.status).toBe(200)
    expect(enabled.body.codes).toHaveLength(10)
    expect(new Set(enabled.body.codes).size).toBe(10)
    expect((await ida.client.get('/api/v1/me')).body.twoFactor).toBe(true)
    await waitForMails(ida.email, 2) // the verification mail and the notice

    const phone = new Client(server.url)
    const first = await login(phone, ida.email, ida.password)
    expect(first.status).toBe(401)
    expect(first.body.error.code).toBe('TWO_FACTOR_REQUIRED')
    expect(first.body.error.message).toMatch(/code/i)
    expect(phone.cookie).toBe('')
    expect((await phone.get('/api/v1/me')).status).toBe(401)
    const challenge = first.body.error.details.challenge as string
    const code = totpCode(setup.body.secret, 1)
    const done = await phone.post('/api/v1/auth/login/two-factor', { challenge, code })
    expect(done.status).toBe(200)
    expect(done.body.handle).toBe(ida.handle)
    expect((await phone.get('/api/v1/me')).status).toBe(200)

    // The same code, or the same challenge, does not sign in a second device.
    const tablet = new Client(server.url)
    const again = (await login(tablet, ida.email, ida.password)).body.error.details.challenge
    const reused = await tablet.post('/api/v1/auth/login/two-factor', { challenge: again, code })
    expect(reused.status).toBe(422)
    expect(reused.body.error.code).toBe('TWO_FACTOR_CODE_WRONG')
    const replay = await tablet.post('/api/v1/auth/login/two-factor', { challenge, code: totpCode(setup.body.secret, -1) })
    expect(replay.status).toBe(400)
    expect(replay.body.error.code).toBe('TOKEN_INVALID')
    const forged = await tablet.post('/api/v1/auth/login/two-factor', { challenge: 'x'.repeat(43), code })
    expect(forged.body.error.code).toBe('TOKEN_INVALID')
    expect(tablet.cookie).toBe('')

    // A recovery code signs in once, and then it is gone.
    const recovery = enabled.body.codes[0] as string
    const withRecovery = await tablet.post('/api/v1/auth/login/two-factor', { challenge: again, code: recovery.toUpperCase() })
    expect(withRecovery.status).toBe(200)
    expect((await tablet.get('/api/v1/me/two-factor')).body).toEqual({ enabled: true, recoveryLeft: 9, required: false })
    const laptop = new Client(server.url)
    const third = (await login(laptop, ida.email, ida.password)).body.error.details.challenge
    expect((await laptop.post('/api/v1/auth/login/two-factor', { challenge: third, code: recovery })).body.error.code).toBe('TWO_FACTOR_CODE_WRONG')
  })

  it('ends a challenge after five wrong codes and makes the account wait after more', async () => {
    const jan = await makeMember(server)
    const { secret } = await turnOnTwoFactor(jan.client, jan.email)
    const thief = new Client(server.url)
    const challenge = (await login(thief, jan.email, jan.password)).body.error.details.challenge
    const wrongCode = (n: number) => String((Number(totpCode(secret)) + 100_000 + n * 7) % 1_000_000).padStart(6, '0')
    for (let i = 0; i < 4; i++) {
      const res = await thief.post('/api/v1/auth/login/two-factor', { challenge, code: wrongCode(i) })
      expect(res.body.error).toMatchObject({ code: 'TWO_FACTOR_CODE_WRONG', details: { attemptsLeft: 4 - i } })
    }
    // The fifth wrong code locks the member's second factor for a while (limits.loginFailures = 5).
    const fifth = await thief.post('/api/v1/auth/login/two-factor', { challenge, code: wrongCode(4) })
    expect(fifth.body.error.code).toBe('TWO_FACTOR_CODE_WRONG')
    const sixth = await thief.post('/api/v1/auth/login/two-factor', { challenge, code: totpCode(secret, 1) })
    expect(sixth.body.error.code).toBe('TOKEN_INVALID')
    // A new challenge does not start the count again: the member's codes wait, even the right one.
    const fresh = (await login(thief, jan.email, jan.password)).body.error.details.challenge
    const locked = await thief.post('/api/v1/auth/login/two-factor', { challenge: fresh, code: totpCode(secret, 1) })
    expect(locked.status).toBe(429)
    expect(locked.body.error.code).toBe('RATE_LIMITED')
    expect(thief.cookie).toBe('')
  })

  it('turns off only with the password and a code, and sends a notice', async () => {
    const kai = await makeMember(server)
    const { secret } = await turnOnTwoFactor(kai.client, kai.email)
    const noPassword = await kai.client.post('/api/v1/me/two-factor/disable', { password: 'not my password', code: totpCode(secret, 1) })
    expect(noPassword.body.error.code).toBe('CURRENT_PASSWORD_WRONG')
    expect((await kai.client.post('/api/v1/me/two-factor/disable', { password: kai.password, code: 'abc' })).body.error.code).toBe('TWO_FACTOR_CODE_WRONG')
    expect((await kai.client.get('/api/v1/me/two-factor')).body.enabled).toBe(true)
    const off = await kai.client.post('/api/v1/me/two-factor/disable', { password: kai.password, code: totpCode(secret, 1) })
    expect(off.status).toBe(200)
    expect((await login(new Client(server.url), kai.email, kai.password)).status).toBe(200)
    const mails = await waitForMails(kai.email, 3)
    expect(mails.map((m) => m.Subject)).toEqual(expect.arrayContaining(['Zwei-Faktor-Anmeldung eingeschaltet', 'Zwei-Faktor-Anmeldung ausgeschaltet']))
    expect((await kai.client.post('/api/v1/me/two-factor/disable', { password: kai.password, code: totpCode(secret) })).body.error.code).toBe('TWO_FACTOR_OFF')
  })

  it('renews the recovery codes with a current code; the old ones stop working', async () => {
    const lea = await makeMember(server)
    const { secret, codes } = await turnOnTwoFactor(lea.client, lea.email)
    const renewed = await lea.client.post('/api/v1/me/two-factor/recovery-codes', { code: totpCode(secret, 1) })
    expect(renewed.status).toBe(200)
    expect(renewed.body.codes).toHaveLength(10)
    const other = new Client(server.url)
    const challenge = (await login(other, lea.email, lea.password)).body.error.details.challenge
    expect((await other.post('/api/v1/auth/login/two-factor', { challenge, code: codes[0] })).body.error.code).toBe('TWO_FACTOR_CODE_WRONG')
    expect((await other.post('/api/v1/auth/login/two-factor', { challenge, code: renewed.body.codes[0] })).status).toBe(200)
  })

  it('asks for the code after a password reset too, instead of signing in with the link alone', async () => {
    const mo = await makeMember(server)
    await turnOnTwoFactor(mo.client, mo.email)

    const token = await issueToken(server.app.ctx, 'reset', (await server.app.ctx.models.Member.findOne({ handle: mo.handle }).lean())!, 30 * 60_000)
    const browser = new Client(server.url)
    const res = await browser.post('/api/v1/auth/password-reset/confirm', { token, password: 'a brand new passphrase' })
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('TWO_FACTOR_REQUIRED')
    expect(browser.cookie).toBe('')
    expect((await signIn(browser, mo.email, 'a brand new passphrase')).status).toBe(200)
  })
})

describe('administrators and two-factor sign-in', () => {
  it('keeps an admin’s rights back until two-factor sign-in is on, and never lets it be turned off', async () => {
    await ensureAdmin(server.app.ctx, { email: 'tf-admin@example.org', password: 'admin password 1', handle: 'tf-admin' })
    const admin = new Client(server.url)
    const me = await login(admin, 'tf-admin@example.org', 'admin password 1')
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ role: 'partner', twoFactor: false, twoFactorRequired: true })
    const refused = await admin.get('/api/v1/moderation/queue')
    expect(refused.status).toBe(403)
    expect((await admin.get('/api/v1/me/two-factor')).body.required).toBe(true)

    const { secret } = await turnOnTwoFactor(admin, 'tf-admin@example.org')
    expect((await admin.get('/api/v1/me')).body).toMatchObject({ role: 'admin', twoFactor: true, twoFactorRequired: false })
    expect((await admin.get('/api/v1/moderation/queue')).status).toBe(200)
    const off = await admin.post('/api/v1/me/two-factor/disable', { password: 'admin password 1', code: totpCode(secret, 1) })
    expect(off.status).toBe(409)
    expect(off.body.error.code).toBe('TWO_FACTOR_REQUIRED_FOR_ROLE')
    expect((await new Client(server.url).post('/api/v1/auth/login', { email: 'tf-admin@example.org', password: 'admin password 1' })).body.error.code).toBe(
      'TWO_FACTOR_REQUIRED',
    )
    // The harness's helper signs in the same way.
    expect((await (await adminClient(server, { email: 'tf-admin@example.org', password: 'admin password 1' })).get('/api/v1/me')).body.role).toBe('admin')
  })
})
