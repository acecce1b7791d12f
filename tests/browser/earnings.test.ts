import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PHONE, adminSession, apiRegister, launchBrowser, newContext, signIn, startApp, type App } from './support.ts'

const ADMIN = { email: 'earn-admin@example.org', password: 'earnings admin password' }
let app: App
let browser: Browser

/** A session cookie from the login API, for the set-up steps a journey does not walk through. */
async function session(email: string, password = 'browser password'): Promise<string> {
  const res = await fetch(`${app.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })
  expect(res.status).toBe(200)
  return res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ')
}
async function call(cookie: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${app.url}/api/v1${path}`, {
    method,
    headers: { cookie, 'content-type': 'application/json', origin: app.url },
    body: JSON.stringify(body ?? {}),
  })
  expect(res.status, `${method} ${path}: ${res.status}`).toBeLessThan(300)
  return (await res.json()) as any
}
const noSideScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)
const text = async (page: Page, testId: string) => ((await page.getByTestId(testId).first().textContent()) ?? '').replace(/\s+/g, ' ').trim()

beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }), launchBrowser()])
  const admin = await adminSession(app, ADMIN.email, ADMIN.password)
  await call(admin, 'POST', '/admin/commission-plan', { ratesBp: [1000, 500], maxDepth: 2, note: 'Start' })
  const product = await call(admin, 'POST', '/admin/products', { name: 'Aloe Vera Gel', priceCents: 11_900, vatRateBp: 1900, commissionableCents: 10_000 })
  await apiRegister(app, { handle: 'anna', displayName: 'Anna Schmidt' })
  await apiRegister(app, { handle: 'jonas', displayName: 'Jonas Weber', sponsor: 'anna' })
  await apiRegister(app, { handle: 'lea', displayName: 'Lea Brandt', sponsor: 'anna' })
  const kim = await apiRegister(app, { handle: 'kim', displayName: 'Kim Kundin', role: 'customer', sponsor: 'jonas' })
  // Kim buys 2 × 100 € commissionable from Jonas: Jonas earns 20 €, Anna 10 €.
  const buyer = await session(kim.email)
  const order = await call(buyer, 'POST', '/orders', { items: [{ productId: product.id, quantity: 2 }], idempotencyKey: 'kim-first-order' })
  await call(buyer, 'POST', `/payments/test/${order.id}`, { type: 'payment.paid' })
})
afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

describe('earnings and team explorer', () => {
  it('a partner reads this month’s commission and the charts on a phone, and opens the numbers as a table', async () => {
    const { context, page } = await signIn(app, browser, 'anna@example.org', 'browser password', PHONE)
    await page.goto(`${app.url}/me/earnings`)
    expect(await text(page, 'earnings-this-month')).toContain('10,00 €')
    expect(await text(page, 'earnings-team')).toContain('3 Mitglieder')
    expect(await page.getByTestId('earnings-recruits').locator('strong').textContent()).toBe('2')
    const history = page.getByTestId('earnings-history')
    expect(await history.locator('svg[role="img"] title').first().textContent()).toBe('Provision der letzten 12 Monate')
    await history.getByText('Als Tabelle anzeigen').click()
    const rows = history.locator('tbody tr')
    expect(await rows.count()).toBe(12)
    expect(((await rows.last().textContent()) ?? '').replace(/\s+/g, ' ')).toContain('10,00 €')
    // Anna earns on level 2 only (Jonas sold): 10 € of 200 € sales.
    const perLevel = page.getByTestId('earnings-per-level')
    expect(await perLevel.locator('svg text').allTextContents()).toEqual(['Ebene 2', expect.stringContaining('10,00')])
    expect(await page.getByTestId('earnings-sales-per-level').locator('svg text').allTextContents()).toEqual(['Ebene 2', expect.stringContaining('200,00')])
    expect(await noSideScroll(page)).toBe(true)
    await context.close()
  })

  it('a partner expands the tree with the keyboard, searches by name and opens a chat', async () => {
    const { context, page } = await signIn(app, browser, 'anna@example.org')
    await page.goto(`${app.url}/me/explorer`)
    const jonas = page.locator('[data-testid="tree-node"][data-handle="jonas"]')
    expect((await jonas.getByTestId('tree-volume').first().textContent())?.replace(/\s+/g, ' ')).toBe('Umsatz 200,00 €')
    expect(await page.locator('[data-testid="tree-node"][data-handle="kim"]').count()).toBe(0)
    const toggle = jonas.getByTestId('tree-toggle').first()
    await toggle.focus()
    await page.keyboard.press('Enter')
    await page.locator('[data-testid="tree-node"][data-handle="kim"]').waitFor()
    expect(await toggle.getAttribute('aria-expanded')).toBe('true')
    expect(await page.locator('[data-testid="tree-node"][data-handle="kim"]').textContent()).toContain('Ebene 2')

    await page.getByTestId('explorer-search').fill('brandt')
    await page.getByTestId('explorer-search').press('Enter')
    await page.waitForURL(/q=brandt/)
    const results = page.getByTestId('explorer-results')
    expect(await results.locator('[data-testid="tree-node"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-handle')))).toEqual(['lea'])
    expect(await results.textContent()).toContain('Ebene 1')

    await results.getByRole('button', { name: 'Chat mit Lea Brandt' }).click()
    await page.waitForURL(/\/messages\/[0-9a-f]{24}$/)
    await context.close()
  })

  it('shows the public income page without an account, and says when no month is final yet', async () => {
    const context = await newContext(browser, 'de-DE', PHONE)
    const page = await context.newPage()
    await page.goto(`${app.url}/income`)
    expect(await text(page, 'income-none')).toContain('noch kein Monat abgeschlossen')
    expect(await page.textContent('body')).toContain('Für das Anwerben neuer Partner wird nichts bezahlt.')
    expect(await noSideScroll(page)).toBe(true)
    await context.close()
  })
})
