import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, startTestServer, type TestServer } from '../../../test/harness.ts'
import { linkIn, readMail, waitForMails } from '../../../test/mailpit.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => server?.close())

/** The token of the newest mail to `to` with this subject. */
async function tokenFrom(to: string, subject: string, count = 1): Promise<string> {
  const mail = (await waitForMails(to, count)).find((m) => m.Subject === subject)
  if (!mail) throw new Error(`no mail "${subject}" to ${to}`)
  return new URL(linkIn((await readMail(mail.ID)).Text, `${server.config.publicUrl}/verify-email?token=`)).searchParams.get('token')!
}

describe('changing the email address', () => {
  it('moves the account only when the link to the new address is opened, and tells the old one both times', async () => {
    const nina = await makeMember(server)
    const newEmail = `neu-${nina.handle}@example.net`
    const wrong = await nina.client.request('PUT', '/api/v1/me/email', { email: newEmail, password: 'not it at all' })
    expect([wrong.status, wrong.body.error.code]).toEqual([422, 'CURRENT_PASSWORD_WRONG'])
    const asked = await nina.client.request('PUT', '/api/v1/me/email', { email: newEmail.toUpperCase(), password: nina.password })
    expect(asked.status).toBe(202)
    expect(asked.body).toEqual({ pendingEmail: newEmail })
    expect((await nina.client.get('/api/v1/me')).body).toMatchObject({ email: nina.email, pendingEmail: newEmail })

    // The current address hears of it at once, with the new one masked.
    const heads = (await waitForMails(nina.email, 2)).find((m) => m.Subject === 'Deine E-Mail-Adresse soll geändert werden')!
    expect((await readMail(heads.ID)).Text).toContain(`n***@example.net`)
    // Until the link is opened, signing in works with the old address only.
    expect((await new Client(server.url).post('/api/v1/auth/login', { email: newEmail, password: nina.password })).status).toBe(401)

    const token = await tokenFrom(newEmail, 'Bitte bestätige deine neue E-Mail-Adresse')
    // A verification token is not an address-change token, and the reverse.
    expect((await new Client(server.url).post('/api/v1/auth/verify-email', { token })).body.error.code).toBe('TOKEN_INVALID')
    const done = await new Client(server.url).post('/api/v1/auth/email-change/confirm', { token })
    expect(done.status).toBe(200)
    expect(done.body).toEqual({ email: newEmail })
    expect((await nina.client.get('/api/v1/me')).body).toMatchObject({ email: newEmail, emailVerified: true, pendingEmail: null })
    expect((await new Client(server.url).post('/api/v1/auth/login', { email: newEmail, password: nina.password })).status).toBe(200)
    expect((await new Client(server.url).post('/api/v1/auth/login', { email: nina.email, password: nina.password })).status).toBe(401)
    const changed = await waitForMails(nina.email, 3)
    expect(changed.map((m) => m.Subject)).toContain('Deine E-Mail-Adresse wurde geändert')
    // The old address is free for someone else; the link works once.
    expect((await makeMember(server, { handle: `${nina.handle}-2` })).handle).toBeTruthy()
    const again = await new Client(server.url).post('/api/v1/auth/email-change/confirm', { token })
    expect([again.status, again.body.error.code]).toEqual([409, 'TOKEN_USED'])
  })

  it('refuses an address that is taken, the same one, or one taken before the link is opened', async () => {
    const olaf = await makeMember(server)
    const taken = await makeMember(server)
    expect((await olaf.client.request('PUT', '/api/v1/me/email', { email: taken.email, password: olaf.password })).body.error.code).toBe('EMAIL_TAKEN')
    expect((await olaf.client.request('PUT', '/api/v1/me/email', { email: olaf.email, password: olaf.password })).body.error.code).toBe('EMAIL_UNCHANGED')
    const bad = await olaf.client.request('PUT', '/api/v1/me/email', { email: 'no address', password: olaf.password })
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED'])

    const wanted = `begehrt-${olaf.handle}@example.net`
    expect((await olaf.client.request('PUT', '/api/v1/me/email', { email: wanted, password: olaf.password })).status).toBe(202)
    const token = await tokenFrom(wanted, 'Bitte bestätige deine neue E-Mail-Adresse')
    const quicker = await new Client(server.url).post('/api/v1/auth/register', {
      email: wanted,
      password: 'someone else entirely',
      handle: `schneller-${olaf.handle}`.slice(0, 30),
      displayName: 'Schneller',
      role: 'partner',
    })
    expect(quicker.status).toBe(201)
    const late = await new Client(server.url).post('/api/v1/auth/email-change/confirm', { token })
    expect([late.status, late.body.error.code]).toEqual([409, 'EMAIL_TAKEN'])
    expect((await olaf.client.get('/api/v1/me')).body.email).toBe(olaf.email)
  })

  it('counts only the newest request, and a new password cancels one in flight', async () => {
    const pia = await makeMember(server)
    const first = `erste-${pia.handle}@example.net`
    const second = `zweite-${pia.handle}@example.net`
    await pia.client.request('PUT', '/api/v1/me/email', { email: first, password: pia.password })
    await pia.client.request('PUT', '/api/v1/me/email', { email: second, password: pia.password })
    const stale = await tokenFrom(first, 'Bitte bestätige deine neue E-Mail-Adresse')
    expect((await new Client(server.url).post('/api/v1/auth/email-change/confirm', { token: stale })).body.error.code).toBe('TOKEN_INVALID')

    const changed = await pia.client.request('PUT', '/api/v1/me/password', { current: pia.password, password: 'a fresh passphrase' })
    expect(changed.status).toBe(200)
    expect(changed.body.pendingEmail).toBeNull()
    const cancelled = await tokenFrom(second, 'Bitte bestätige deine neue E-Mail-Adresse')
    expect((await new Client(server.url).post('/api/v1/auth/email-change/confirm', { token: cancelled })).body.error.code).toBe('TOKEN_INVALID')
    expect((await pia.client.get('/api/v1/me')).body.email).toBe(pia.email)
  })
})

describe('a customer becomes a partner', () => {
  it('keeps the account, sponsor and place in the team, tells the sponsor, and can then recruit', async () => {
    const sponsor = await makeMember(server)
    const kim = await makeMember(server, { role: 'customer', sponsor: sponsor.handle })
    expect(kim.me.role).toBe('customer')
    const before = await kim.client.get('/api/v1/me')
    const upgraded = await kim.client.post('/api/v1/me/become-partner')
    expect(upgraded.status).toBe(200)
    expect(upgraded.body).toMatchObject({ id: kim.me.id, role: 'partner', sponsor: { handle: sponsor.handle }, depth: before.body.depth })
    expect((await kim.client.get('/api/v1/me')).body.role).toBe('partner')
    // The sponsor hears of it.
    await expect
      .poll(
        async () =>
          ((await sponsor.client.get('/api/v1/notifications')).body.items as Array<{ type: string; text: { de: string } }>).find(
            (n) => n.type === 'team.partner',
          )?.text.de,
      )
      .toContain(`@${kim.handle}) ist jetzt Partner in deinem Team`)
    const twice = await kim.client.post('/api/v1/me/become-partner')
    expect([twice.status, twice.body.error.code]).toEqual([409, 'NOT_A_CUSTOMER'])
    // Now a partner, Kim can be a sponsor (customers cannot).
    const recruit = await makeMember(server, { sponsor: kim.handle })
    expect(recruit.me.sponsor.handle).toBe(kim.handle)
    expect((await new Client(server.url).post('/api/v1/me/become-partner')).status).toBe(401)
  })
})
