import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { inject } from 'vitest'
import { CODE_STEPS, nextStep, rememberTwoFactorKey, totpCode, twoFactorKeyOf } from '../../server/test/totp.ts'
import { freePort } from '../../server/src/db/ferretdb.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface App {
  port: number
  /** http://localhost:<port> — the main site. */
  url: string
  /** http://<handle>.localhost:<port> — Chromium resolves every *.localhost to the loopback. */
  hostOf(handle: string): string
  stop(): Promise<void>
}

/** The built app as `npm start` runs it: one process, its own database on the run's FerretDB. */
export async function startApp(extraEnv: Record<string, string> = {}): Promise<App> {
  const port = await freePort()
  const url = `http://localhost:${port}`
  const mongo = new URL(inject('mongoUri'))
  mongo.pathname = `/browser_${randomBytes(4).toString('hex')}`
  const child: ChildProcess = spawn(process.execPath, ['server/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      BASE_DOMAIN: 'localhost',
      MONGODB_URI: mongo.toString(),
      SMTP_URL: inject('smtpUrl'),
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT: '1000',
      WRITE_RATE_LIMIT: '100000',
      CONTENT_RATE_LIMIT: '100000',
      SESSION_SECRET: 'browser-test-secret-browser-test-secret',
      ...extraEnv,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break
    } catch {}
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}`)
    if (Date.now() > deadline) throw new Error('the app did not become healthy')
    await new Promise((r) => setTimeout(r, 200))
  }
  return {
    port,
    url,
    hostOf: (handle) => `http://${handle}.localhost:${port}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  })
}

/** A phone-sized screen (iPhone 12–15), for layout checks. */
export const PHONE = { width: 390, height: 844 }

export async function newContext(browser: Browser, locale = 'de-DE', viewport = { width: 1280, height: 900 }): Promise<BrowserContext> {
  return browser.newContext({ locale, viewport, ...(viewport.width < 500 ? { isMobile: true, hasTouch: true } : {}) })
}

/** Registers through the API (for members a journey needs but does not walk through). */
export async function apiRegister(app: App, body: { handle: string; displayName: string; role?: 'partner' | 'customer'; sponsor?: string }) {
  const res = await fetch(`${app.url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `${body.handle}@example.org`, password: 'browser password', role: 'partner', ...body }),
  })
  if (res.status !== 201) throw new Error(`register ${body.handle}: ${res.status} ${await res.text()}`)
  const cookie = res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ')
  return { email: `${body.handle}@example.org`, password: 'browser password', cookie }
}

/** Turns the member's quiet hours off, so mail and pushes others cause do not wait for the morning whatever time the test runs. */
export async function withoutQuietHours(app: App, cookie: string): Promise<void> {
  const res = await fetch(`${app.url}/api/v1/me/notification-settings`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', origin: app.url, cookie },
    body: JSON.stringify({ quietHours: { enabled: false } }),
  })
  if (res.status !== 200) throw new Error(`quiet hours: ${res.status} ${await res.text()}`)
}

/** A fresh browser context signed in through the login page, as a member would. */
export async function signIn(
  app: App,
  browser: Browser,
  email: string,
  password = 'browser password',
  viewport?: { width: number; height: number },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, 'de-DE', viewport)
  const page = await context.newPage()
  await page.goto(`${app.url}/login`)
  await page.getByLabel('E-Mail').fill(email)
  await page.getByLabel('Passwort').fill(password)
  await page.getByTestId('login-submit').click()
  // With two-factor sign-in on (administrators), the page asks for the app's code next.
  const secret = twoFactorKeyOf(email)
  if (secret) {
    for (const steps of CODE_STEPS) {
      if (steps === null) await nextStep()
      await page.getByTestId('two-factor-code').fill(totpCode(secret, steps ?? 1))
      await page.getByTestId('two-factor-submit').click()
      const outcome = await Promise.race([
        page.waitForURL(`${app.url}/home`).then(() => 'in' as const),
        page
          .getByTestId('form-error')
          .waitFor()
          .then(() => 'wrong' as const),
      ])
      if (outcome === 'in') break
    }
  }
  await page.waitForURL(`${app.url}/home`)
  return { context, page }
}

/**
 * Clicks a place of the navigation as a member would: in view (the desktop's sidebar, the top
 * bar), or else behind the avatar menu (a visitor's menu on a phone). A menu opened before the
 * page became interactive is opened again.
 */
export async function navTo(page: Page, testId: string): Promise<void> {
  const target = page.getByTestId(testId).filter({ visible: true })
  for (let attempt = 0; (await target.count()) === 0; attempt++) {
    if (attempt === 5) throw new Error(`no way to ${testId} in the navigation`)
    const menu = page.getByTestId('avatar-menu').or(page.getByTestId('visitor-menu')).filter({ visible: true })
    if ((await page.getByTestId('avatar-menu-content').count()) === 0) await menu.first().click()
    await target
      .first()
      .waitFor({ timeout: 2000 })
      .catch(() => {})
  }
  await target.first().click()
}

/**
 * An administrator's API session cookie (created at boot by ADMIN_EMAIL): the first time with
 * two-factor sign-in turned on through the API, as administrators need it for their rights;
 * later with the code their (the test's) app computes.
 */
export async function adminSession(app: App, email: string, password: string): Promise<string> {
  const post = async (path: string, body: unknown, cookie = '') => {
    const res = await fetch(`${app.url}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    })
    const set = res.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ')
    return { status: res.status, body: (await res.json()) as any, cookie: set }
  }
  const first = await post('/auth/login', { email, password })
  if (first.status === 200 && !first.body.twoFactorRequired) return first.cookie
  if (first.status === 200) {
    const setup = await post('/me/two-factor/setup', {}, first.cookie)
    const enabled = await post('/me/two-factor/enable', { code: totpCode(setup.body.secret) }, first.cookie)
    if (enabled.status !== 200) throw new Error(`two-factor for ${email}: ${enabled.status} ${JSON.stringify(enabled.body)}`)
    rememberTwoFactorKey(email, setup.body.secret)
    return first.cookie
  }
  const secret = twoFactorKeyOf(email)
  if (first.body.error?.code !== 'TWO_FACTOR_REQUIRED' || !secret) throw new Error(`admin sign-in ${email}: ${first.status} ${JSON.stringify(first.body)}`)
  for (const steps of CODE_STEPS) {
    if (steps === null) await nextStep()
    const res = await post('/auth/login/two-factor', { challenge: first.body.error.details.challenge, code: totpCode(secret, steps ?? 1) })
    if (res.status === 200) return res.cookie
  }
  throw new Error(`admin sign-in ${email}: no code was taken`)
}
