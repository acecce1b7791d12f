import { randomBytes } from 'node:crypto'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { linkIn, readMail, waitForMails } from '../../server/test/mailpit.ts'
import { totpCode } from '../../server/test/totp.ts'
import { PHONE, apiRegister, launchBrowser, newContext, signIn, startApp, withoutQuietHours, type App } from './support.ts'

let app: App
let browser: Browser
beforeAll(async () => {
  // Unread messages are mailed after 3 s here instead of 15 minutes.
  ;[app, browser] = await Promise.all([startApp({ MISSED_MESSAGE_MAIL_MINUTES: '0.05' }), launchBrowser()])
})
afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

/** The first mail to `email` with this subject, and its link that starts with `path`. */
async function linkFrom(email: string, subject: string, path: string, count = 1): Promise<string> {
  const mails = await waitForMails(email, count)
  const mail = mails.find((m) => m.Subject === subject)
  if (!mail) throw new Error(`no mail "${subject}" to ${email}`)
  return linkIn((await readMail(mail.ID)).Text, `${app.url}${path}`)
}

describe('an account a member can keep', () => {
  it('"Passwort vergessen?" on a phone: the mail in Mailpit, a new password, signed in', async () => {
    const handle = `rosa-${randomBytes(3).toString('hex')}`
    const { email } = await apiRegister(app, { handle, displayName: 'Rosa Weber' })
    const context = await newContext(browser, 'de-DE', PHONE)
    const page = await context.newPage()
    await page.goto(`${app.url}/login`)
    await page.getByTestId('forgot-link').click()
    await page.waitForURL(`${app.url}/forgot-password`)
    await page.getByLabel('E-Mail').fill(email)
    await page.getByTestId('reset-request').click()
    await expect.poll(() => page.getByTestId('reset-sent').textContent()).toContain(email)

    const link = await linkFrom(email, 'Dein neues Passwort', '/reset-password?token=', 2)
    await page.goto(link)
    await page.getByLabel('Neues Passwort').fill('rosas new passphrase')
    await page.getByTestId('reset-submit').click()
    await page.waitForURL(`${app.url}/feed`)
    expect(await page.getByTestId('avatar-menu').count()).toBe(1)
    // Opening the reset link confirmed the address: no banner.
    expect(await page.getByTestId('verify-banner').count()).toBe(0)

    // The same link a second time: a clear message and the way to a new one.
    await page.goto(link)
    await page.getByLabel('Neues Passwort').fill('another passphrase')
    await page.getByTestId('reset-submit').click()
    await expect.poll(() => page.getByTestId('form-error').getAttribute('data-code')).toBe('TOKEN_USED')
    expect(await page.getByTestId('form-error').textContent()).toContain('schon benutzt')
    expect(await page.getByRole('link', { name: 'Neuen Link anfordern' }).count()).toBe(1)
    await context.close()

    // The new password signs in; the old one does not.
    const again = await signIn(app, browser, email, 'rosas new passphrase')
    await again.context.close()
  })

  it('shows the banner until the address is confirmed through the link, in English too', async () => {
    const handle = `sam-${randomBytes(3).toString('hex')}`
    const { email, password } = await apiRegister(app, { handle, displayName: 'Sam Okafor' })
    const { context, page } = await signIn(app, browser, email, password)
    await expect.poll(() => page.getByTestId('verify-banner').textContent()).toContain(email)

    const link = await linkFrom(email, 'Bitte bestätige deine E-Mail-Adresse', '/verify-email?token=')
    // A second browser (the mail app's) in English: visiting the link alone confirms nothing.
    const other = await newContext(browser, 'en-GB')
    const visitor = await other.newPage()
    await visitor.goto(link)
    expect(await visitor.getByRole('heading', { level: 1 }).textContent()).toBe('Confirm your email address')
    await page.reload()
    expect(await page.getByTestId('verify-banner').count()).toBe(1)
    await visitor.getByTestId('verify-submit').click()
    await expect.poll(() => visitor.getByTestId('verified').textContent()).toContain(email)
    await other.close()

    await page.reload()
    expect(await page.getByTestId('verify-banner').count()).toBe(0)
    await context.close()
  })

  it('Sicherheit: sees every device, signs the others out, and changes the password', async () => {
    const handle = `tina-${randomBytes(3).toString('hex')}`
    const { email, password } = await apiRegister(app, { handle, displayName: 'Tina Roth' })
    const phone = await signIn(app, browser, email, password, PHONE)
    const desk = await signIn(app, browser, email, password)
    await desk.page.goto(`${app.url}/me/settings`)
    await desk.page.getByTestId('security-link').click()
    await desk.page.waitForURL(`${app.url}/me/settings/security`)
    // Signing up opened a session too (through the API, so its device is unknown), then the phone and this one.
    expect(await desk.page.getByTestId('session').count()).toBe(3)
    expect(await desk.page.getByTestId('this-device').count()).toBe(1)
    expect(await desk.page.getByTestId('sessions').textContent()).toContain('Unbekanntes Gerät')
    for (const left of [2, 1]) {
      await desk.page.getByTestId('session-sign-out').first().click()
      await expect.poll(() => desk.page.getByTestId('session').count()).toBe(left)
    }
    await phone.page.reload()
    expect(await phone.page.getByTestId('avatar-menu').count()).toBe(0)

    await desk.page.getByLabel('Aktuelles Passwort').fill('not the password')
    await desk.page.getByLabel('Neues Passwort').fill('tinas new passphrase')
    await desk.page.getByTestId('password-submit').click()
    await expect.poll(() => desk.page.getByTestId('password-error').textContent()).toContain('stimmt nicht')
    await desk.page.getByLabel('Aktuelles Passwort').fill(password)
    await desk.page.getByLabel('Neues Passwort').fill('tinas new passphrase')
    await desk.page.getByTestId('password-submit').click()
    await expect.poll(() => desk.page.getByTestId('password-changed').count()).toBe(1)
    // Still signed in here, with a new session.
    await desk.page.reload()
    expect(await desk.page.getByTestId('this-device').count()).toBe(1)
    await phone.context.close()
    await desk.context.close()
  })

  it('Zwei-Faktor-Anmeldung: set up with the QR page and a code computed here; signing in then asks for the code', async () => {
    const handle = `uwe-${randomBytes(3).toString('hex')}`
    const { email, password } = await apiRegister(app, { handle, displayName: 'Uwe Brandt' })
    const { context, page } = await signIn(app, browser, email, password, PHONE)
    await page.goto(`${app.url}/me/settings/security`)
    expect(await page.getByTestId('two-factor-state').textContent()).toBe('Ausgeschaltet')
    await page.getByTestId('two-factor-setup').click()
    await page.getByTestId('two-factor-qr').waitFor()
    expect(await page.getByTestId('two-factor-qr').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true)
    const secret = ((await page.getByTestId('two-factor-secret').textContent()) ?? '').trim()
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    // A wrong code: said so, and the same key stays on the page for the next try.
    await page.getByTestId('two-factor-enable-code').fill(totpCode(secret) === '123456' ? '654321' : '123456')
    await page.getByTestId('two-factor-enable').click()
    await expect.poll(() => page.getByTestId('two-factor-error').textContent()).toContain('Der Code stimmt nicht')
    expect(await page.getByTestId('two-factor-secret').textContent()).toBe(secret)
    await page.getByTestId('two-factor-enable-code').fill(totpCode(secret))
    await page.getByTestId('two-factor-enable').click()
    await page.getByTestId('two-factor-enabled').waitFor()
    const codes = await page.getByTestId('recovery-code').allTextContents()
    expect(codes).toHaveLength(10)
    expect(await page.getByTestId('two-factor-state').textContent()).toBe('Eingeschaltet')
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
    await context.close()

    // Signing in on another device: password, then the code step.
    const other = await newContext(browser, 'en-GB')
    const desk = await other.newPage()
    await desk.goto(`${app.url}/login`)
    await desk.getByLabel('Email').fill(email)
    await desk.getByLabel('Password').fill(password)
    await desk.getByTestId('login-submit').click()
    await desk.getByTestId('two-factor-step').waitFor()
    expect(await desk.getByTestId('two-factor-step').textContent()).toContain('authenticator app')
    await desk.getByTestId('two-factor-code').fill('000000' === totpCode(secret, 1) ? '111111' : '000000')
    await desk.getByTestId('two-factor-submit').click()
    await expect.poll(() => desk.getByTestId('form-error').textContent()).toContain('4 attempts left')
    await desk.getByTestId('two-factor-code').fill(totpCode(secret, 1))
    await desk.getByTestId('two-factor-submit').click()
    await desk.waitForURL(`${app.url}/home`)
    expect(await desk.getByTestId('avatar-menu').count()).toBe(1)
    await other.close()

    // A recovery code instead of the phone.
    const third = await newContext(browser, 'de-DE')
    const laptop = await third.newPage()
    await laptop.goto(`${app.url}/login`)
    await laptop.getByLabel('E-Mail').fill(email)
    await laptop.getByLabel('Passwort').fill(password)
    await laptop.getByTestId('login-submit').click()
    await laptop.getByTestId('two-factor-code').fill(codes[0]!)
    await laptop.getByTestId('two-factor-submit').click()
    await laptop.waitForURL(`${app.url}/home`)
    await laptop.goto(`${app.url}/me/settings/security`)
    expect(await laptop.getByTestId('recovery-left').textContent()).toContain('9')
    await third.close()
  })

  it('changes the address through the link to the new one, and a customer becomes a partner from the settings', async () => {
    const handle = `vera-${randomBytes(3).toString('hex')}`
    const { email, password } = await apiRegister(app, { handle, displayName: 'Vera Lang', role: 'customer' })
    const { context, page } = await signIn(app, browser, email, password, PHONE)
    await page.goto(`${app.url}/me/settings`)
    await page.getByTestId('upgrade-submit').click()
    await page.getByTestId('upgraded').waitFor()
    expect(await page.getByTestId('upgrade-card').count()).toBe(0)

    await page.goto(`${app.url}/me/settings/security`)
    const newEmail = `vera-neu-${handle}@example.net`
    await page.getByLabel('Neue E-Mail-Adresse').fill(newEmail)
    await page.getByLabel('Dein Passwort').fill(password)
    await page.getByTestId('email-change-submit').click()
    await page.getByTestId('email-change-sent').waitFor()
    await page.reload()
    expect(await page.getByTestId('pending-email').textContent()).toContain(newEmail)
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)

    const link = await linkFrom(newEmail, 'Bitte bestätige deine neue E-Mail-Adresse', '/verify-email?token=')
    await page.goto(link)
    await page.getByTestId('verify-submit').click()
    await expect.poll(() => page.getByTestId('verified').textContent()).toContain(newEmail)
    await page.goto(`${app.url}/me/settings/security`)
    expect(await page.getByTestId('pending-email').count()).toBe(0)
    await context.close()
    // The partner signs in with the new address.
    const again = await signIn(app, browser, newEmail, password)
    await again.page.goto(`${app.url}/p/${handle}`)
    expect((await again.page.goto(`${app.url}/p/${handle}`))?.status()).toBe(200)
    await again.context.close()
  })

  it("the sponsor's unread welcome arrives by mail; its footer link unsubscribes without signing in, and the settings switch it back on", async () => {
    const tag = randomBytes(3).toString('hex')
    await apiRegister(app, { handle: `wanda-${tag}`, displayName: 'Wanda Berg' })
    const recruit = await apiRegister(app, { handle: `xaver-${tag}`, displayName: 'Xaver Huber', sponsor: `wanda-${tag}` })
    // By default no mail goes from 22:00 to 07:00 Berlin time; this test must pass at any hour.
    await withoutQuietHours(app, recruit.cookie)
    // Xaver confirms his address (mail that others cause waits for that) and leaves.
    const confirm = await newContext(browser, 'de-DE')
    const tab = await confirm.newPage()
    await tab.goto(await linkFrom(recruit.email, 'Bitte bestätige deine E-Mail-Adresse', '/verify-email?token='))
    await tab.getByTestId('verify-submit').click()
    await tab.getByTestId('verified').waitFor()
    await confirm.close()

    // Wanda's welcome message waits unread: it comes by mail, with a link to the chat.
    const mails = await waitForMails(recruit.email, 2, { ms: 30_000 })
    const mail = mails.find((m) => m.Subject === 'Neue Nachricht von Wanda Berg')!
    const text = (await readMail(mail.ID)).Text
    expect(text).toContain('Wanda Berg hat dir bei')
    expect(text).toContain(`${app.url}/messages/`)
    // The footer link, in a browser that is signed in as nobody.
    const visitor = await newContext(browser, 'de-DE', PHONE)
    const page = await visitor.newPage()
    await page.goto(linkIn(text, `${app.url}/unsubscribe?token=`))
    await page.getByTestId('unsubscribe-submit').click()
    await page.getByTestId('unsubscribed').waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)
    await visitor.close()

    const own = await signIn(app, browser, recruit.email, recruit.password)
    await own.page.goto(`${app.url}/me/settings`)
    expect(await own.page.getByTestId('mail-messages').isChecked()).toBe(false)
    expect(await own.page.getByTestId('mail-digest').inputValue()).toBe('weekly')
    await own.page.getByTestId('mail-messages').check()
    await own.page.getByTestId('mail-digest').selectOption('daily')
    await own.page.getByTestId('mail-save').click()
    await own.page.getByTestId('mail-saved').waitFor()
    await own.page.reload()
    expect(await own.page.getByTestId('mail-messages').isChecked()).toBe(true)
    expect(await own.page.getByTestId('mail-digest').inputValue()).toBe('daily')
    await own.context.close()
  })
})
