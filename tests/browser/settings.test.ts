import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiRegister, launchBrowser, navTo, startApp, type App } from './support.ts'

let app: App
let browser: Browser
beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp(), launchBrowser()])
  await apiRegister(app, { handle: 'ruth', displayName: 'Ruth Tanaka' })
})
afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

/** Ruth signs in from a browser in Tokyo and opens her settings from the menu. */
async function settingsPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'de-DE', timezoneId: 'Asia/Tokyo', viewport: { width: 1280, height: 900 } })
  const page = await context.newPage()
  await page.goto(`${app.url}/login`)
  await page.getByLabel('E-Mail').fill('ruth@example.org')
  await page.getByLabel('Passwort').fill('browser password')
  await page.getByTestId('login-submit').click()
  await page.waitForURL(`${app.url}/home`)
  await navTo(page, 'nav-settings')
  await page.waitForURL(`${app.url}/me/settings`)
  return { context, page }
}

describe('settings', () => {
  it('keeps quiet hours in the browser’s time zone and switches read receipts off', async () => {
    const { context, page } = await settingsPage()
    expect(await page.getByTestId('quiet-enabled').isChecked()).toBe(true)
    expect(await page.getByTestId('quiet-start').inputValue()).toBe('22:00')
    expect(await page.getByTestId('quiet-end').inputValue()).toBe('07:00')
    // Never saved: the zone comes from the browser, not the Europe/Berlin default.
    await expect.poll(() => page.getByTestId('quiet-zone').inputValue()).toBe('Asia/Tokyo')

    await page.getByTestId('quiet-start').fill('23:30')
    await page.getByTestId('quiet-form').getByRole('button', { name: 'Speichern' }).click()
    await expect.poll(() => page.getByTestId('quiet-saved').count()).toBe(1)
    const saved = await (await page.request.get(`${app.url}/api/v1/me/notification-settings`)).json()
    expect(saved.quietHours).toEqual({ enabled: true, start: '23:30', end: '07:00', timeZone: 'Asia/Tokyo' })

    expect(await page.getByTestId('read-receipts').isChecked()).toBe(true)
    await page.getByTestId('read-receipts').uncheck()
    await page.getByTestId('privacy-form').getByRole('button', { name: 'Speichern' }).click()
    await expect.poll(() => page.getByTestId('privacy-saved').count()).toBe(1)
    expect(await (await page.request.get(`${app.url}/api/v1/me/privacy`)).json()).toEqual({ readReceipts: false, presence: true })

    await page.reload()
    expect(await page.getByTestId('quiet-start').inputValue()).toBe('23:30')
    expect(await page.getByTestId('read-receipts').isChecked()).toBe(false)
    expect(await page.getByTestId('presence').isChecked()).toBe(true)
    await context.close()
  })

  it('registers the service worker on "activate push", which shows a pushed notification leading to our own site', async () => {
    const { context, page } = await settingsPage()
    const csp = (await page.request.get(`${app.url}/me/settings`)).headers()['content-security-policy'] ?? ''
    expect(csp).toContain("worker-src 'self'")
    await context.grantPermissions(['notifications'], { origin: app.url })
    await page.getByTestId('push-enable').click()
    // Headless Chromium has no push service, so the subscription itself fails here (and the
    // page says so); the worker is registered all the same.
    await expect
      .poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/'))?.active?.scriptURL ?? null))
      .toBe(`${app.url}/service-worker.js`)

    // DevTools' "push" button: deliver a message to the worker as a push service would.
    const cdp = await context.newCDPSession(page)
    const registrations: Array<{ registrationId: string; scopeURL: string }> = []
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations))
    await cdp.send('ServiceWorker.enable')
    await expect.poll(() => registrations.length).toBeGreaterThan(0)
    const registrationId = registrations.find((r) => r.scopeURL === `${app.url}/`)!.registrationId
    const push = (data: object) => cdp.send('ServiceWorker.deliverPushMessage', { origin: app.url, registrationId, data: JSON.stringify(data) })
    const shown = () =>
      page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration('/')
        return (await registration!.getNotifications()).map((n) => ({
          title: n.title,
          body: n.body,
          tag: n.tag,
          url: (n.data as { url: string }).url,
          icon: n.icon,
        }))
      })

    await push({ title: 'Vernetzt', body: '@anna möchte der Gruppe „Kreis“ beitreten.', url: '/groups/kreis', tag: 'n1', count: 1 })
    await expect
      .poll(shown)
      .toEqual([
        { title: 'Vernetzt', body: '@anna möchte der Gruppe „Kreis“ beitreten.', tag: 'n1', url: `${app.url}/groups/kreis`, icon: `${app.url}/icon-192.png` },
      ])
    // A link to another site is not followed: the notification leads to the list instead.
    await push({ title: 'Vernetzt', body: 'x', url: 'https://evil.example/phish', tag: 'n2', count: 1 })
    await expect.poll(async () => (await shown()).find((n) => n.tag === 'n2')?.url).toBe(`${app.url}/notifications`)

    // With the worker in control, signing out first ends push on this device, then signs out.
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true)
    await navTo(page, 'logout')
    await page.waitForURL(`${app.url}/`)
    await expect.poll(() => page.getByRole('link', { name: 'Anmelden' }).count()).toBeGreaterThan(0)
    expect((await page.request.get(`${app.url}/api/v1/me/notification-settings`)).status()).toBe(401)
    await context.close()
  })
})
