import { mkdirSync } from 'node:fs'
import path from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PHONE, adminSession, apiRegister, launchBrowser, newContext, signIn, startApp, type App } from './support.ts'

/**
 * The page checks: every main page at a desktop (1280×800) and a phone (390×844) width keeps
 * inside the screen, keeps the shell's bars to one row, and has no serious or critical axe-core
 * finding. Screenshots land in .tools/screenshots/ (git-ignored) for a look by eye.
 */
const DESKTOP = { width: 1280, height: 800 }
const SHOTS = path.resolve(import.meta.dirname, '../../.tools/screenshots')

const ADMIN = { email: 'pages-admin@example.org', password: 'pages admin password' }
let app: App
let browser: Browser
let anna: { email: string; password: string; cookie: string }
let lessonId = ''
async function api(cookie: string, path: string, body: unknown) {
  const res = await fetch(`${app.url}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: app.url, cookie },
    body: JSON.stringify(body),
  })
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as { id: string }
}
beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password }), launchBrowser()])
  anna = await apiRegister(app, { handle: 'pages-anna', displayName: 'Anna Berger' })
  await apiRegister(app, { handle: 'pages-ben', displayName: 'Ben Vogt', sponsor: 'pages-anna' })
  // A course with a lesson, and a post in the feed.
  await api(anna.cookie, '/groups', {
    name: 'Starterkurs Anna',
    slug: 'pages-kurs',
    kind: 'training',
    visibility: 'public',
    description: 'Die ersten Schritte.',
  })
  lessonId = (
    await api(anna.cookie, '/groups/pages-kurs/lessons', {
      title: 'Dein Profil',
      body: 'Ein **gutes Profil** zeigt, wer du bist.',
      checklist: ['Foto hochgeladen'],
    })
  ).id
  await api(anna.cookie, '/posts', { kind: 'pr', area: { type: 'feed' }, body: 'Heute haben wir im Team über gesunde Ernährung gesprochen.' })
  await adminSession(app, ADMIN.email, ADMIN.password) // two-factor on, which admins need
  mkdirSync(SHOTS, { recursive: true })
})
afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

/** Elements whose box reaches past the right edge of the screen, unless a scrolling or clipping box holds them. */
function overflowing(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth
    const root = [document.documentElement, document.body].map((e) => getComputedStyle(e).overflowX)
    const out: string[] = root.some((o) => o !== 'visible') ? [`html/body overflow-x: ${root.join('/')}`] : []
    // Also what no box shows: an absolutely placed element escaping its scrolling frame widens the page.
    if (document.documentElement.scrollWidth > width + 1) out.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`)
    const held = (el: Element): boolean => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX
        if (o !== 'visible') return true
      }
      return false
    }
    const past: Array<[number, string]> = []
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const box = el.getBoundingClientRect()
      if (box.width === 0 || box.height === 0) continue
      const what = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${Array.from(el.classList).slice(0, 3).join('.')} right=${Math.round(box.right)}`
      if (box.right > width + 1 && !held(el)) past.push([box.right, what])
    }
    // The widest first: a page pushed wider than the screen stretches the fixed bars with it.
    return [...out, ...past.sort((a, b) => b[0] - a[0]).map(([, what]) => what)].slice(0, 5)
  })
}

async function check(page: Page, name: string, width: 'desktop' | 'phone') {
  expect(await overflowing(page), `${name} (${width}) reaches past the screen`).toEqual([])
  const bar = await page.getByTestId('top-bar').boundingBox()
  expect(bar!.height, `${name} (${width}): the top bar is one row`).toBeLessThanOrEqual(64)
  const tabs = page.getByTestId('tab-bar')
  if (await tabs.isVisible()) expect((await tabs.boundingBox())!.height, `${name}: the tab bar is one row`).toBeLessThanOrEqual(90)
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  const bad = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(
    bad.map(
      (v) =>
        `${v.id}: ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    ),
    `${name} (${width}) axe`,
  ).toEqual([])
  await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: false })
}

const PUBLIC = [
  ['landing', '/'],
  ['login', '/login'],
  ['register', '/register'],
  ['profile', '/p/pages-anna'],
] as const
const MEMBER = [
  ['home', '/home'],
  ['feed', '/feed'],
  ['marketplace', '/marketplace'],
  ['groups', '/groups'],
  ['messages', '/messages'],
  ['notifications', '/notifications'],
  ['team', '/me/team'],
  ['explorer', '/me/explorer'],
  ['earnings', '/me/earnings'],
  ['card', '/me/card'],
  ['shop', '/shop'],
  ['settings', '/me/settings'],
  ['security', '/me/settings/security'],
  ['edit-profile', '/me/profile'],
  ['group', '/groups/pages-kurs'],
  ['lesson', () => `/lessons/${lessonId}`],
  ['welcome', '/welcome'],
  ['not-found', '/nirgendwo'],
] as const
const ADMIN_PAGES = [
  ['admin-members', '/admin/members'],
  ['admin-inbox', '/admin/inbox'],
  ['admin-products', '/admin/products'],
  ['admin-plan', '/admin/plan'],
  ['admin-periods', '/admin/periods'],
  ['moderation', '/moderation'],
] as const
const where = (path: string | (() => string)) => `${app.url}${typeof path === 'string' ? path : path()}`

/** The newest message of the open chat is wholly in view: not under the composer, the tab bar or the screen's edge. */
async function newestVisible(page: Page) {
  return page.evaluate(() => {
    const all = document.querySelectorAll('[data-testid="message"]')
    const last = all[all.length - 1]
    if (!last) return 'no message'
    const box = last.getBoundingClientRect()
    const covers = ['.composer', '[data-testid="tab-bar"]'].flatMap((s) => Array.from(document.querySelectorAll(s))).map((e) => e.getBoundingClientRect())
    const hidden = covers.find((c) => c.height > 0 && c.top < box.bottom && c.bottom > box.top)
    if (box.top < 0 || box.bottom > window.innerHeight) return `outside the screen (${Math.round(box.top)}–${Math.round(box.bottom)})`
    return hidden ? `covered from ${Math.round(hidden.top)}` : 'visible'
  })
}

describe('page checks', () => {
  for (const [label, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    it(`public pages at ${label} width`, async () => {
      const context = await newContext(browser, 'de-DE', viewport)
      const page = await context.newPage()
      for (const [name, path] of PUBLIC) {
        await page.goto(where(path))
        await check(page, name, label)
      }
      // The error page speaks the site's language, not the framework's "Not Found".
      expect((await page.goto(`${app.url}/nirgendwo`))?.status()).toBe(404)
      expect(await page.getByTestId('error-page').textContent()).toContain('Diese Seite gibt es nicht')
      await context.close()
    })

    it(`a partner's pages at ${label} width`, async () => {
      const { context, page } = await signIn(app, browser, anna.email, anna.password, viewport)
      for (const [name, path] of MEMBER) {
        await page.goto(where(path))
        await check(page, name, label)
      }
      // Her chat with Ben (his sponsor's welcome message is in it).
      const chats = (await (await page.request.get(`${app.url}/api/v1/conversations`)).json()) as {
        items: Array<{ id: string; participants: Array<{ handle: string }> }>
      }
      const ben = chats.items.find((c) => c.participants.some((p) => p.handle === 'pages-ben'))!
      await page.goto(`${app.url}/messages/${ben.id}`)
      await page.getByTestId('message').first().waitFor()
      await expect.poll(() => newestVisible(page)).toBe('visible')
      await check(page, 'chat', label)
      await context.close()
    })

    it(`an administrator's pages at ${label} width`, async () => {
      const { context, page } = await signIn(app, browser, ADMIN.email, ADMIN.password, viewport)
      for (const [name, path] of ADMIN_PAGES) {
        await page.goto(where(path))
        await check(page, name, label)
      }
      await context.close()
    })
  }
})
