import { periodOf } from '@vernetzt/shared/commissions'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminSession, apiRegister, launchBrowser, navTo, newContext, signIn, startApp, type App } from './support.ts'

const ADMIN = { email: 'shop-admin@example.org', password: 'shop admin password' }
let app: App
let browser: Browser
/** The order the customer places, for the refund at the end. */
let orderId = ''

beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }), launchBrowser()])
  // Administrators need two-factor sign-in for their rights: on before the pages are used.
  await adminSession(app, ADMIN.email, ADMIN.password)
  // Anna sponsored Jonas; customers who come through Jonas's profile buy from him.
  await apiRegister(app, { handle: 'anna', displayName: 'Anna Schmidt' })
  await apiRegister(app, { handle: 'jonas', displayName: 'Jonas Weber', sponsor: 'anna' })
})
afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

/** Money as a person reads it: Intl puts a no-break space before "€". */
const text = async (page: Page, testId: string, nth = 0) => ((await page.getByTestId(testId).nth(nth).textContent()) ?? '').replace(/\s+/g, ' ').trim()
const texts = async (page: Page, testId: string) => (await page.getByTestId(testId).allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim())

/** A member's session cookie from the login API, for checking what the API tells them. */
async function apiSession(email: string, password = 'browser password'): Promise<string> {
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
async function statementEntries(cookie: string) {
  const res = await fetch(`${app.url}/api/v1/statements/${periodOf(new Date())}`, { headers: { cookie } })
  expect(res.status).toBe(200)
  const body = (await res.json()) as {
    totalCents: number
    entries: Array<{ orderId: string; level: number; kind: string; rateBp: number; amountCents: number }>
  }
  return {
    total: body.totalCents,
    entries: body.entries.filter((e) => e.orderId === orderId).map((e) => ({ level: e.level, kind: e.kind, rateBp: e.rateBp, amountCents: e.amountCents })),
  }
}

describe('shop and commissions', () => {
  it('an admin sets up a 10/5 % plan with the live simulator, and a product, through the pages', async () => {
    const { context, page } = await signIn(app, browser, ADMIN.email, ADMIN.password)
    await navTo(page, 'nav-plan')
    await page.waitForURL(`${app.url}/admin/plan`)
    expect(await page.getByTestId('plan-none').count()).toBe(1)

    await page.getByTestId('plan-depth').fill('2')
    await expect.poll(() => page.getByTestId('plan-rate').count()).toBe(2)
    await page.getByTestId('plan-rate').nth(0).fill('12,5')
    await page.getByTestId('plan-rate').nth(1).fill('5')
    // The simulator follows the unsaved rates along Jonas's real line.
    await page.getByTestId('sim-handle').fill('jonas')
    await expect.poll(() => texts(page, 'sim-partner')).toEqual(['Jonas Weber', 'Anna Schmidt'])
    await expect.poll(() => texts(page, 'sim-amount-cell')).toEqual(['12,50 €', '5,00 €'])
    await page.getByTestId('plan-rate').nth(0).fill('10')
    await expect.poll(() => text(page, 'sim-total')).toBe('15,00 €')
    expect(await text(page, 'sim-sentence')).toBe(
      'Eine Bestellung von 100,00 €, die für Jonas Weber zählt – Ebene 1 in der Struktur von Anna Schmidt –, zahlt Anna Schmidt 5,00 € und allen zusammen 15,00 €.',
    )
    await page.getByTestId('sim-amount').fill('80')
    await expect.poll(() => texts(page, 'sim-amount-cell')).toEqual(['8,00 €', '4,00 €'])
    await page.getByLabel('Notiz', { exact: true }).fill('Start: 10/5 %')
    await page.getByTestId('plan-save').click()
    await expect.poll(() => text(page, 'plan-saved')).toBe('Version 1 ist gespeichert und gilt ab sofort.')
    expect(await text(page, 'plan-current-rates')).toBe('Ebene 1: 10 % · Ebene 2: 5 %')
    expect(await texts(page, 'plan-version')).toEqual([expect.stringContaining('10 % / 5 %')])

    await navTo(page, 'nav-products')
    await page.getByTestId('new-product').click()
    await page.waitForURL(`${app.url}/admin/products/new`)
    await page.getByLabel('Name', { exact: true }).fill('Aloe Vera Gel')
    await page.getByLabel('Beschreibung (Markdown)').fill('Pflegt **sanft** – für jeden Tag.')
    await page.getByLabel('Preis in Euro (brutto)').fill('29,90')
    await page.getByLabel('MwSt.-Satz').selectOption('1900')
    // A commission base above the price is refused next to its field, and the form keeps what was typed.
    await page.getByLabel('Provisionsbasis in Euro').fill('35,00')
    const photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#16a34a' } })
      .png()
      .toBuffer()
    await page.getByTestId('product-images').setInputFiles({ name: 'aloe.png', mimeType: 'image/png', buffer: photo })
    await page.getByTestId('product-save').click()
    await expect.poll(() => text(page, 'error-commissionable')).toBe('Die Provisionsbasis darf nicht höher sein als der Preis.')
    expect(await page.getByLabel('Preis in Euro (brutto)').inputValue()).toBe('29,90')
    await page.getByLabel('Provisionsbasis in Euro').fill('25,00')
    await page.getByTestId('product-images').setInputFiles({ name: 'aloe.png', mimeType: 'image/png', buffer: photo })
    await page.getByTestId('product-save').click()
    await page.waitForURL(/\/admin\/products\?saved=/)
    const row = await text(page, 'admin-product')
    expect(row).toContain('Aloe Vera Gel')
    expect(row).toContain('29,90 €')
    expect(row).toContain('25,00 €')
    expect(row).toContain('Aktiv')
    await context.close()
  })

  it("a customer who signs up on a partner's profile orders, pays, and the partner and his sponsor are credited", async () => {
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(app.hostOf('jonas'))
    await page.getByTestId('consent-accept').click()
    await page.getByTestId('become-customer').click()
    await page.waitForURL(/\/register\?ref=jonas&role=customer/)
    await page.getByLabel('Anzeigename').fill('Karin Kunde')
    await page.getByLabel('Dein Name in der Adresse').fill('karin')
    await page.getByLabel('E-Mail').fill('karin@example.org')
    await page.getByLabel('Passwort').fill('karin password 1')
    await page.getByTestId('register-submit').click()
    await page.waitForURL(`${app.url}/welcome`)

    await navTo(page, 'nav-shop')
    await page.waitForURL(`${app.url}/shop`)
    expect(await text(page, 'product-price')).toBe('29,90 €')
    const product = await text(page, 'product')
    expect(product).toContain('Aloe Vera Gel')
    expect(product).toContain('inkl. 19 % MwSt.')
    expect(await page.getByTestId('product').locator('strong', { hasText: 'sanft' }).count()).toBe(1)
    const src = await page.getByTestId('product').locator('img').getAttribute('src')
    expect(src).toMatch(/^\/media\/[A-Za-z0-9_-]{22}$/)
    // The admin's upload became public with the product: the customer's browser gets it.
    expect((await page.request.get(`${app.url}${src}`)).status()).toBe(200)

    await page.getByTestId('product-quantity').fill('2')
    await page.getByTestId('add-to-cart').click()
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1)
    // The cart survives a reload.
    await page.reload()
    expect(await page.getByTestId('cart-quantity').inputValue()).toBe('2')
    expect(await text(page, 'cart-total')).toBe('59,80 €')
    expect(await text(page, 'cart-counts-for')).toBe('Deine Bestellung zählt für Jonas Weber.')

    // A double click orders once.
    await page.getByTestId('order-submit').dblclick()
    await page.waitForURL(/\/orders\/[0-9a-f]{24}$/)
    orderId = new URL(page.url()).pathname.split('/').pop()!
    expect(await text(page, 'order-status')).toBe('Offen')
    expect(await text(page, 'order-total')).toBe('59,80 €')
    expect(await text(page, 'order-vat')).toBe('9,55 €')
    expect(await text(page, 'order-counts-for')).toBe('Deine Bestellung zählt für Jonas Weber.')
    expect(await page.getByTestId('test-refund').count()).toBe(0)

    await page.getByRole('button', { name: 'Testzahlung abschließen' }).click()
    await expect.poll(() => text(page, 'order-status')).toBe('Bezahlt')
    expect(await text(page, 'order-withdrawal')).toMatch(/^Widerruf bis \d{1,2}\. \S+ \d{4} \(14 Tage ab Zahlung\)\.$/)
    expect(await page.getByTestId('test-pay').count()).toBe(0)

    await page.getByRole('link', { name: 'Meine Bestellungen' }).click()
    await page.waitForURL(`${app.url}/orders`)
    const rows = await texts(page, 'order-row')
    expect(rows).toHaveLength(1)
    expect(rows[0]).toContain('2 × Aloe Vera Gel')
    expect(rows[0]).toContain('Bezahlt')
    await context.close()

    // 10 % and 5 % of the commission base (2 × 25,00 €) for Jonas and his sponsor Anna.
    const jonas = await apiSession('jonas@example.org')
    expect((await statementEntries(jonas)).entries).toEqual([{ level: 1, kind: 'credit', rateBp: 1000, amountCents: 500 }])
    const anna = await apiSession('anna@example.org')
    expect((await statementEntries(anna)).entries).toEqual([{ level: 2, kind: 'credit', rateBp: 500, amountCents: 250 }])

    // Both see it on their dashboards: Jonas his 10 %, his sponsor Anna her 5 % on level 2.
    for (const [email, amount] of [
      ['jonas@example.org', '5,00 €'],
      ['anna@example.org', '2,50 €'],
    ] as const) {
      const { context: partnerContext, page: partnerPage } = await signIn(app, browser, email)
      await navTo(partnerPage, 'nav-earnings')
      await partnerPage.waitForURL(`${app.url}/me/earnings`)
      await expect.poll(async () => ((await partnerPage.getByTestId('earnings-this-month').textContent()) ?? '').replace(/\s+/g, ' ')).toContain(amount)
      await partnerContext.close()
    }
  })

  it('an admin refunds the order inside the withdrawal window and the commissions are reversed', async () => {
    const { context, page } = await signIn(app, browser, ADMIN.email, ADMIN.password)
    await page.goto(`${app.url}/orders/${orderId}`)
    expect(await text(page, 'order-status')).toBe('Bezahlt')
    await page.getByRole('button', { name: 'Erstatten (Test)' }).click()
    await expect.poll(() => text(page, 'order-status')).toBe('Erstattet')
    await context.close()
    const jonas = await statementEntries(await apiSession('jonas@example.org'))
    expect(jonas.entries).toEqual([
      { level: 1, kind: 'credit', rateBp: 1000, amountCents: 500 },
      { level: 1, kind: 'reversal', rateBp: 1000, amountCents: -500 },
    ])
    expect(jonas.total).toBe(0)
  })

  it('sends a signed-out visitor to sign in before ordering, with the cart kept; admin pages stay closed to others', async () => {
    await apiRegister(app, { handle: 'kunde-zwei', displayName: 'Kunde Zwei', role: 'customer', sponsor: 'jonas' })
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(`${app.url}/shop`)
    await page.getByTestId('add-to-cart').click()
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1)
    await page.getByTestId('order-submit').click()
    await page.waitForURL(`${app.url}/login?next=%2Fshop`)
    await page.getByLabel('E-Mail').fill('kunde-zwei@example.org')
    await page.getByLabel('Passwort').fill('browser password')
    await page.getByTestId('login-submit').click()
    await page.waitForURL(`${app.url}/shop`)
    expect(await page.getByTestId('cart-quantity').inputValue()).toBe('1')
    expect(await text(page, 'cart-counts-for')).toBe('Deine Bestellung zählt für Jonas Weber.')

    // The same checkout sent twice at once (a retry racing the first attempt) is one order.
    const answers = await page.evaluate(async () => {
      const form = document.querySelector<HTMLFormElement>('form[action="?/order"]')!
      const send = async () =>
        (await fetch(form.action, { method: 'POST', body: new FormData(form), headers: { 'x-sveltekit-action': 'true' } })).json() as Promise<{
          type: string
          location?: string
        }>
      return Promise.all([send(), send()])
    })
    expect(answers[0]).toMatchObject({ type: 'redirect', location: expect.stringMatching(/^\/orders\/[0-9a-f]{24}$/) })
    expect(answers[1]!.location).toBe(answers[0]!.location)
    const mine = await page.evaluate(async () => (await (await fetch('/api/v1/orders')).json()) as { items: Array<{ id: string }> })
    expect(mine.items.map((o) => `/orders/${o.id}`)).toEqual([answers[0]!.location])

    expect((await page.goto(`${app.url}/admin/products`))?.status()).toBe(403)
    expect((await page.goto(`${app.url}/admin/plan`))?.status()).toBe(403)
    expect(await page.getByTestId('nav-plan').count()).toBe(0)
    await context.close()
  })
})
