import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PHONE, adminSession, apiRegister, launchBrowser, navTo, newContext, signIn, startApp, type App } from './support.ts'

const ADMIN = { email: 'members-admin@example.org', password: 'members admin password' }
let app: App
let browser: Browser
beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }), launchBrowser()])
  await adminSession(app, ADMIN.email, ADMIN.password) // turns two-factor sign-in on, which admins need
})
afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

const fits = (page: import('playwright-core').Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)

describe('/admin/members', () => {
  it('finds a member on a phone, suspends them (their browser is signed out, sign-in refused) and lifts it again', async () => {
    const { email, password } = await apiRegister(app, { handle: 'gesperrt-gabi', displayName: 'Gabi Gesperrt' })
    const gabi = await signIn(app, browser, email, password)
    const admin = await signIn(app, browser, ADMIN.email, ADMIN.password, PHONE)
    const { page } = admin
    await navTo(page, 'nav-members')
    await page.waitForURL(`${app.url}/admin/members`)
    await page.getByTestId('member-q').fill(email.toUpperCase())
    await page.getByTestId('member-find').click()
    const card = page.getByTestId('member-card')
    await card.waitFor()
    expect(await page.getByTestId('member-status').textContent()).toBe('Aktiv')
    // Signed up (one session) and signed in in her browser (another).
    expect(await page.getByTestId('member-last-seen').textContent()).toContain('2 offene Sitzungen')
    expect(await fits(page)).toBe(true)

    await page.getByTestId('suspend-reason').fill('Spam in mehreren Gruppen')
    await page.getByTestId('suspend-submit').click()
    await page.getByTestId('member-done').waitFor()
    expect(await card.getAttribute('data-status')).toBe('suspended')
    expect(await page.getByTestId('member-suspension').textContent()).toContain('Spam in mehreren Gruppen')
    expect(await page.getByTestId('member-history').textContent()).toContain('gesperrt')
    expect(await fits(page)).toBe(true)

    // Gabi's open tab: the next page she opens asks her to sign in, and signing in is refused.
    await gabi.page.goto(`${app.url}/me/settings`)
    await gabi.page.waitForURL(/\/login/)
    await gabi.page.getByLabel('E-Mail').fill(email)
    await gabi.page.getByLabel('Passwort').fill(password)
    await gabi.page.getByTestId('login-submit').click()
    await expect.poll(() => gabi.page.getByTestId('form-error').textContent()).toContain('Dieses Konto ist gesperrt')
    // Her profile is unavailable to visitors.
    const visitor = await newContext(browser, 'de-DE', PHONE)
    const profile = await (await visitor.newPage()).goto(`${app.url}/p/gesperrt-gabi`)
    expect(profile?.status()).toBe(404)
    await visitor.close()

    await page.getByTestId('unsuspend-reason').fill('Hat sich entschuldigt')
    await page.getByTestId('unsuspend-submit').click()
    await expect.poll(() => card.getAttribute('data-status')).toBe('active')
    await gabi.page.getByLabel('Passwort').fill(password)
    await gabi.page.getByTestId('login-submit').click()
    await gabi.page.waitForURL(`${app.url}/me/settings`) // back where she was
    await gabi.context.close()
    await admin.context.close()
  })

  it('makes a site moderator on a desktop, who then finds the moderation queue in the menu; the last admin cannot step down', async () => {
    const { email, password } = await apiRegister(app, { handle: 'moderator-mo', displayName: 'Mo Derator' })
    const admin = await signIn(app, browser, ADMIN.email, ADMIN.password)
    const { page } = admin
    await page.goto(`${app.url}/admin/members?q=moderator-mo`)
    await page.getByTestId('standing-select').selectOption('moderator')
    await page.getByTestId('standing-reason').fill('Betreut die Meldungen')
    await page.getByTestId('standing-submit').click()
    await page.getByTestId('member-done').waitFor()
    expect(await page.getByTestId('standing-select').inputValue()).toBe('moderator')
    expect(await fits(page)).toBe(true)

    const mo = await signIn(app, browser, email, password, PHONE)
    await navTo(mo.page, 'nav-moderation')
    await mo.page.waitForURL(`${app.url}/moderation`)
    expect(await mo.page.locator('h1').textContent()).toBeTruthy()
    expect(await mo.page.getByTestId('nav-members').count()).toBe(0)
    await mo.context.close()

    // The administrator's own card: stepping down is refused while nobody else is admin.
    await page.goto(`${app.url}/admin/members?q=${encodeURIComponent(ADMIN.email)}`)
    await page.getByTestId('standing-select').selectOption('member')
    await page.getByTestId('standing-reason').fill('Ich höre auf')
    await page.getByTestId('standing-submit').click()
    await expect.poll(() => page.locator('[data-testid="standing-form"] [role="alert"]').getAttribute('data-code')).toBe('LAST_ADMIN')
    await admin.context.close()
  })

  it('answers a member who joined without a sponsor from the company inbox on a phone; the member sees the company', async () => {
    const { email, password } = await apiRegister(app, { handle: 'direkt-dora', displayName: 'Dora Direkt' })
    const dora = await signIn(app, browser, email, password)
    await dora.page.goto(`${app.url}/messages`)
    await dora.page.getByTestId('conversation').first().click()
    await dora.page.waitForURL(/\/messages\//)
    await expect.poll(() => dora.page.getByTestId('message').first().textContent()).toContain('herzlich willkommen bei')
    await dora.page.locator('textarea[name="body"]').fill('Wo finde ich die Produktschulung?')
    await dora.page.locator('textarea[name="body"]').press('Enter')
    await expect.poll(() => dora.page.getByTestId('message').count()).toBe(2)

    const admin = await signIn(app, browser, ADMIN.email, ADMIN.password, PHONE)
    const { page } = admin
    await navTo(page, 'nav-inbox')
    await page.waitForURL(`${app.url}/admin/inbox`)
    const row = page.getByTestId('inbox-conversation').filter({ hasText: 'Dora Direkt' })
    expect(await row.getByTestId('unread').textContent()).toContain('1 ungelesen')
    expect(await fits(page)).toBe(true)
    await row.locator('a').click()
    await page.waitForURL(/\/admin\/inbox\//)
    expect(await page.getByTestId('inbox-message').last().textContent()).toContain('Wo finde ich die Produktschulung?')
    await page.getByTestId('inbox-answer').fill('Im Kurs „Starter“ unter Gruppen – viel Erfolg!')
    await page.getByTestId('inbox-send').click()
    await expect.poll(() => page.getByTestId('inbox-message').count()).toBe(3)
    expect(await page.getByTestId('answered-by').last().textContent()).toContain('@')
    expect(await fits(page)).toBe(true)

    // Dora's chat shows the answer from the company, live.
    await expect.poll(() => dora.page.getByTestId('message').count(), { timeout: 10_000 }).toBe(3)
    const last = await dora.page.getByTestId('message').last().textContent()
    expect(last).toContain('Im Kurs „Starter“')
    expect(last).not.toContain('@')
    await dora.context.close()
    await admin.context.close()
  })
})
