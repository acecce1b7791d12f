import { mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiRegister, launchBrowser, navTo, newContext, signIn, startApp, type App } from './support.ts'

let app: App
let browser: Browser
beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp(), launchBrowser()])
  await apiRegister(app, { handle: 'mara', displayName: 'Mara Klein' })
})
afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

describe('language', () => {
  it('speaks German first, switches to English and back, and remembers the choice', async () => {
    const context = await newContext(browser, 'de-DE')
    const page = await context.newPage()
    await page.goto(app.url)
    expect(await page.locator('h1').textContent()).toBe('Vernetzt – dein Netzwerk, deine Adresse')
    expect(await page.locator('html').getAttribute('lang')).toBe('de')
    await navTo(page, 'lang-switch')
    await expect.poll(() => page.locator('h1').textContent()).toBe('Vernetzt – your network, your address')
    expect(await page.locator('html').getAttribute('lang')).toBe('en')
    await page.goto(`${app.url}/login`)
    expect(await page.locator('h1').textContent()).toBe('Sign in')
    await navTo(page, 'lang-switch')
    await expect.poll(() => page.locator('h1').textContent()).toBe('Anmelden')
    await context.close()
  })

  it('follows an English browser until the visitor chooses', async () => {
    const context = await newContext(browser, 'en-US')
    const page = await context.newPage()
    await page.goto(`${app.url}/register`)
    expect(await page.locator('h1').textContent()).toBe('Sign up')
    await context.close()
  })
})

describe("a partner's own pages", () => {
  it('edits the profile, uploads a photo and shows both on the public profile and the business card', async () => {
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(`${app.url}/me/profile`)
    await page.waitForURL(/\/login\?next=%2Fme%2Fprofile/)
    await page.getByLabel('E-Mail').fill('mara@example.org')
    await page.getByLabel('Passwort').fill('browser password')
    await page.getByTestId('login-submit').click()
    await page.waitForURL(`${app.url}/me/profile`)

    await page.getByTestId('bio').fill('**Hallo!** Ich berate zu Naturkosmetik.')
    await page.getByLabel('Ort').fill('Salzburg')
    await page.getByTestId('save-profile').click()
    await expect.poll(() => page.getByTestId('saved').count()).toBe(1)

    const dir = await mkdtemp(path.join(os.tmpdir(), 'vz-avatar-'))
    const file = path.join(dir, 'foto.jpg')
    await writeFile(
      file,
      await sharp({ create: { width: 900, height: 600, channels: 3, background: '#2a7' } })
        .jpeg()
        .toBuffer(),
    )
    await page.getByTestId('avatar-input').setInputFiles(file)
    await page.getByRole('button', { name: 'Bild hochladen' }).click()
    await expect.poll(() => page.locator('main img.avatar').count()).toBe(1)

    await page.goto(`${app.url}/p/mara`)
    expect(await page.locator('.bio strong').textContent()).toBe('Hallo!')
    expect(await page.locator('.facts').textContent()).toContain('Salzburg')
    const avatar = page.locator('.profile-head img.avatar')
    await expect.poll(() => avatar.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(400)

    await page.goto(`${app.url}/me/card`)
    expect(await page.getByTestId('card-address').textContent()).toBe(`mara.localhost:${app.port}`)
    const qr = page.getByTestId('card-qr')
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true)
    expect(await page.getByTestId('business-card').textContent()).toContain('Mara Klein')
    await context.close()
  })
})

describe('a slow connection', () => {
  it('keeps what was typed before the page became interactive', async () => {
    await apiRegister(app, { handle: 'lena', displayName: 'Lena Roth' })
    const { context, page } = await signIn(app, browser, 'lena@example.org')
    // A phone on a slow network: the page is readable long before its scripts arrive. (Without
    // the service worker, which would serve the scripts it keeps at once.)
    await page.evaluate(async () => {
      for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister()
    })
    await page.route('**/_app/immutable/**', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500))
      await route.continue()
    })
    await page.goto(`${app.url}/me/profile`, { waitUntil: 'commit' })
    await page.getByTestId('bio').fill('Schon vor dem Laden getippt.')
    await page.getByLabel('Ort').fill('Graz')
    // The app restores the fields once it is live, then forgets what it recorded.
    await page.waitForFunction(() => document.readyState === 'complete' && !('__vernetztTouched' in window), null, { timeout: 20_000 })
    expect(await page.getByTestId('bio').inputValue()).toBe('Schon vor dem Laden getippt.')
    expect(await page.getByLabel('Ort').inputValue()).toBe('Graz')
    await page.getByTestId('save-profile').click()
    await page.getByTestId('saved').waitFor()
    await page.goto(`${app.url}/p/lena`)
    expect(await page.locator('.bio').textContent()).toContain('Schon vor dem Laden getippt.')
    expect(await page.locator('.facts').textContent()).toContain('Graz')
    await context.close()
  })
})

describe('installable web app', () => {
  it('links a web manifest whose icons and screenshots load, with a maskable icon', async () => {
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(app.url)
    const href = await page.locator('link[rel="manifest"]').getAttribute('href')
    const manifest = await page.evaluate(async (url) => (await fetch(url!)).json(), href)
    expect(manifest).toMatchObject({ name: 'Vernetzt', display: 'standalone', start_url: '/home' })
    expect(manifest.icons.some((i: { purpose?: string }) => i.purpose === 'maskable')).toBe(true)
    expect(manifest.screenshots.map((s: { form_factor: string }) => s.form_factor).sort()).toEqual(['narrow', 'narrow', 'wide'])
    for (const image of [...manifest.icons, ...manifest.screenshots] as Array<{ src: string; type: string; sizes: string }>) {
      const res = await page.evaluate(async (src) => {
        const r = await fetch(src)
        const blob = await r.blob()
        const size = blob.type === 'image/png' ? await createImageBitmap(blob).then((b) => `${b.width}x${b.height}`) : 'any'
        return { status: r.status, type: r.headers.get('content-type'), size }
      }, image.src)
      expect(res.status, image.src).toBe(200)
      expect(res.type, image.src).toContain(image.type.split('+')[0])
      expect(res.size, image.src).toBe(image.sizes)
    }
    await context.close()
  })

  it('keeps working without a network: the service worker on every page shows the offline page, in English too', async () => {
    for (const [locale, text] of [
      ['de-DE', 'Keine Verbindung'],
      ['en-GB', 'No connection'],
    ] as const) {
      const context = await newContext(browser, locale)
      const page = await context.newPage()
      await page.goto(`${app.url}/marketplace`)
      // Registered on a plain visit (not only when push is switched on), and in control once installed.
      await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 15_000 }).toBe(true)
      await context.setOffline(true)
      await page.goto(`${app.url}/groups`)
      await expect.poll(() => page.getByTestId('offline-page').textContent()).toContain(text)
      await context.setOffline(false)
      await context.close()
    }
  })
})

describe('live team news', () => {
  it('shows a signed-in sponsor a notice the moment someone joins their team', async () => {
    await apiRegister(app, { handle: 'sven', displayName: 'Sven Sponsor' })
    const { context, page } = await signIn(app, browser, 'sven@example.org')
    // The socket connects after hydration; give it a moment, then a recruit joins elsewhere.
    await page.waitForFunction(() => document.readyState === 'complete')
    await new Promise((r) => setTimeout(r, 500))
    await apiRegister(app, { handle: 'tim', displayName: 'Tim Neu', sponsor: 'sven' })
    await expect.poll(() => page.getByTestId('toast').textContent(), { timeout: 10_000 }).toBe('Neu in deinem Team: Tim Neu')
    await context.close()
  })
})
