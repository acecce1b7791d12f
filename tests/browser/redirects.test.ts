import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiRegister, launchBrowser, newContext, startApp, type App } from './support.ts'

/** After signing in, `next` leads only to a page of this site (issue 10, finding 8). */
let app: App
let browser: Browser
let account: { email: string; password: string }
beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp(), launchBrowser()])
  account = await apiRegister(app, { handle: 'umleitung', displayName: 'Uma Leitung' })
})
afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

/** The login form as a browser posts it, without following the redirect. */
async function signInWith(next: string) {
  const res = await fetch(`${app.url}/login?next=${encodeURIComponent(next)}`, {
    method: 'POST',
    redirect: 'manual',
    // A plain form post, as a browser sends it without JavaScript.
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: app.url },
    body: new URLSearchParams({ email: account.email, password: account.password }).toString(),
  })
  return { status: res.status, location: res.headers.get('location') }
}

describe('the redirect after signing in', () => {
  it('refuses every target that a browser would resolve to another site', async () => {
    for (const next of ['/\\evil.example/x', '/\t/evil.example', '//evil.example', 'https://evil.example/', '/\\/evil.example', '\\\\evil.example']) {
      const res = await signInWith(next)
      expect(res.status, JSON.stringify(next)).toBe(303)
      expect(res.location, JSON.stringify(next)).toBe('/home') // the member's home, never elsewhere
    }
  })

  it('keeps a target on the site, with its query', async () => {
    expect(await signInWith('/messages?tab=requests')).toEqual({ status: 303, location: '/messages?tab=requests' })
  })

  it('lands a member who signs in from a protected page back on it', async () => {
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(`${app.url}/notifications`)
    await page.waitForURL(/\/login\?next=/)
    await page.getByLabel('E-Mail').fill(account.email)
    await page.getByLabel('Passwort').fill(account.password)
    await page.getByTestId('login-submit').click()
    await page.waitForURL(`${app.url}/notifications`)
    await context.close()
  })
})
