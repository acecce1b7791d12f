import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiRegister, launchBrowser, newContext, signIn, startApp, type App } from './support.ts'

let app: App
let browser: Browser
beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp(), launchBrowser()])
  await apiRegister(app, { handle: 'anna', displayName: 'Anna Schmidt' })
})
afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

describe("a visitor who arrives on a partner's address", () => {
  it("registers from anna.<domain> and becomes Anna's level-1 partner", async () => {
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(app.hostOf('anna'))
    await expect.poll(() => page.getByTestId('profile-name').textContent()).toBe('Anna Schmidt')
    await page.getByTestId('consent-accept').click()
    await expect.poll(() => page.getByTestId('consent-banner').count()).toBe(0)
    await page.getByTestId('join-team').click()
    await page.waitForURL(/\/register\?ref=anna/)
    expect(new URL(page.url()).host).toBe(`localhost:${app.port}`)
    await expect.poll(() => page.getByTestId('sponsor').textContent()).toContain('Anna Schmidt')
    await page.getByLabel('Anzeigename').fill('Jonas Weber')
    await page.getByLabel('Dein Name in der Adresse').fill('jonas')
    await page.getByLabel('E-Mail').fill('jonas@example.org')
    await page.getByLabel('Passwort').fill('jonas password 1')
    await page.getByTestId('register-submit').click()
    // The first screen introduces his sponsor and her welcome chat; his profile names her.
    await page.waitForURL(`${app.url}/welcome`)
    expect(await page.getByTestId('welcome-sponsor').textContent()).toContain('Anna Schmidt')
    await page.getByTestId('welcome-profile').click()
    await expect.poll(() => page.getByTestId('profile-name').textContent()).toBe('Jonas Weber')
    await expect.poll(() => page.locator('text=Sponsor: Anna Schmidt').count()).toBe(1)
    await context.close()

    // Anna sees Jonas on level 1 of her team.
    const { context: annaContext, page: annaPage } = await signIn(app, browser, 'anna@example.org')
    await annaPage.goto(`${app.url}/me/team`)
    await expect.poll(() => annaPage.getByTestId('level-1').textContent()).toContain('1')
    expect(await annaPage.getByTestId('level-list').textContent()).toContain('Jonas Weber')
    await annaContext.close()
  })

  it('registers as a customer from /p/anna without the referral cookie, carried by the link alone', async () => {
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(`${app.url}/p/anna`)
    await page.getByRole('button', { name: 'Nur notwendige' }).click()
    await expect.poll(() => page.getByTestId('consent-banner').count()).toBe(0)
    expect((await context.cookies()).map((c) => c.name)).not.toContain('vz_ref')
    await page.getByTestId('become-customer').click()
    await page.waitForURL(/role=customer/)
    expect(await page.getByLabel('Kunde werden (Produkte kaufen)').isChecked()).toBe(true)
    await page.getByLabel('Anzeigename').fill('Karin Kunde')
    await page.getByLabel('Dein Name in der Adresse').fill('karin')
    await page.getByLabel('E-Mail').fill('karin@example.org')
    await page.getByLabel('Passwort').fill('karin password 1')
    await page.getByTestId('register-submit').click()
    // A customer's welcome: her partner and the shop, no team or first steps of a partner.
    await page.waitForURL(`${app.url}/welcome`)
    const welcome = (await page.locator('main').textContent())!
    expect(welcome).toContain('Anna Schmidt')
    expect(welcome).toContain('Zum Shop')
    expect(welcome).not.toMatch(/Team|ersten Schritte|Lektion/)
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).json())
    expect(me).toMatchObject({ handle: 'karin', role: 'customer', sponsor: { handle: 'anna' } })
    await context.close()
  })

  it('remembers a consented ?ref for a later visit to the sign-up page', async () => {
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(`${app.url}/?ref=anna`)
    await page.getByTestId('consent-accept').click()
    await expect.poll(async () => (await context.cookies()).find((c) => c.name === 'vz_ref')?.value).toBe('anna')
    await page.goto(`${app.url}/register`)
    await expect.poll(() => page.getByTestId('sponsor').textContent()).toContain('Anna Schmidt')
    await context.close()

    const withoutConsent = await newContext(browser)
    const other = await withoutConsent.newPage()
    await other.goto(`${app.url}/?ref=anna`)
    await other.goto(`${app.url}/register`)
    expect(await other.getByTestId('no-sponsor').count()).toBe(1)
    await withoutConsent.close()
  })

  it('keeps the form and explains the problem when the handle is taken', async () => {
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(`${app.url}/register?ref=anna`)
    await page.getByLabel('Anzeigename').fill('Noch eine Anna')
    await page.getByLabel('Dein Name in der Adresse').fill('anna')
    await page.getByLabel('E-Mail').fill('anna2@example.org')
    await page.getByLabel('Passwort').fill('another password')
    await page.getByTestId('register-submit').click()
    await expect.poll(() => page.getByTestId('form-error').getAttribute('data-code')).toBe('HANDLE_TAKEN')
    expect(await page.getByLabel('E-Mail').inputValue()).toBe('anna2@example.org')
    expect(await page.getByLabel('Anzeigename').inputValue()).toBe('Noch eine Anna')
    expect(await page.getByTestId('sponsor').textContent()).toContain('Anna Schmidt')
    await context.close()
  })

  it('shows a 404 page for an unknown profile address', async () => {
    const context = await newContext(browser)
    const page = await context.newPage()
    const res = await page.goto(app.hostOf('niemand'))
    expect(res?.status()).toBe(404)
    expect(await page.getByTestId('error-page').textContent()).toContain('Dieses Profil gibt es nicht.')
    await context.close()
  })
})
