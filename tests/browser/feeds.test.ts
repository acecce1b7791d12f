import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adminSession, apiRegister, launchBrowser, signIn, startApp, type App } from './support.ts'

let app: App
let browser: Browser
beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp({ ADMIN_EMAIL: 'moderation@example.org', ADMIN_PASSWORD: 'moderation password' }), launchBrowser()])
  // Administrators need two-factor sign-in for their rights.
  await adminSession(app, 'moderation@example.org', 'moderation password')
  await apiRegister(app, { handle: 'petra', displayName: 'Petra Partner' })
  await apiRegister(app, { handle: 'ralf', displayName: 'Ralf Reklame' })
})
afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

describe('PR and advertising kept apart', () => {
  it('posts PR, is stopped from advertising in the feed without losing the text, and advertises in the marketplace', async () => {
    const { context, page } = await signIn(app, browser, 'petra@example.org')
    await page.goto(`${app.url}/feed`)
    await page.getByTestId('composer-body').fill('Heute **Teamtreffen** in Graz – wir sprechen über ehrliche Beratung.')
    await page.getByTestId('composer-submit').click()
    await expect.poll(() => page.getByTestId('post-body').first().textContent()).toContain('Teamtreffen')
    expect(await page.getByTestId('post-body').first().innerHTML()).toContain('<strong>Teamtreffen</strong>')
    // Edit it, and comment on it.
    await page.getByTestId('edit').first().click()
    await page.getByTestId('edit-body').fill('Heute **Teamtreffen** in Linz – wir sprechen über ehrliche Beratung.')
    await page.getByTestId('edit-save').click()
    await expect.poll(() => page.getByTestId('post-body').first().textContent()).toContain('Linz')
    await page.getByTestId('toggle-comments').first().click()
    await page.getByTestId('comment-body').fill('Ich bringe Kuchen mit!')
    await page.getByTestId('comment-submit').click()
    await expect.poll(() => page.getByTestId('comment').first().textContent()).toContain('Kuchen')
    expect(await page.getByTestId('toggle-comments').first().textContent()).toBe('1 Kommentar')

    const ad = 'Nur heute: 20 % Rabatt auf das Aloe-Set für 29,90 € – jetzt bestellen!'
    await page.getByTestId('composer-body').fill(ad)
    await expect.poll(() => page.getByTestId('ad-warning').count()).toBe(1)
    // Flag it as an ad but leave the area on the feed: the server refuses, the text stays.
    await page.getByTestId('kind-ad').check()
    await page.getByTestId('composer-area').selectOption('feed')
    await page.getByTestId('composer-submit').click()
    await expect.poll(() => page.getByTestId('composer-error').getAttribute('data-code')).toBe('AD_NOT_ALLOWED_HERE')
    expect(await page.getByTestId('composer-error').textContent()).toContain('Marktplatz')
    expect(await page.getByTestId('composer-body').inputValue()).toBe(ad)
    expect(await page.getByTestId('post-body').count()).toBe(1)

    // The warning offers the right place in one click.
    await page.getByTestId('kind-pr').check()
    await page.getByTestId('switch-to-ad').click()
    expect(await page.getByTestId('composer-area').inputValue()).toBe('marketplace')
    await page.getByTestId('composer-submit').click()
    await expect.poll(() => page.getByTestId('composer-posted').count()).toBe(1)
    await page.goto(`${app.url}/marketplace`)
    await expect.poll(() => page.getByTestId('post-body').first().textContent()).toContain('Aloe-Set')
    expect(await page.getByTestId('ad-badge').count()).toBeGreaterThan(0)
    await page.goto(`${app.url}/feed`)
    expect(await page.getByTestId('post-body').allTextContents()).not.toContain(expect.stringContaining('Aloe-Set'))
    await context.close()
  })

  it('lets a member report an unflagged ad, and a moderator reclassifies it into the marketplace', async () => {
    const ralf = await signIn(app, browser, 'ralf@example.org')
    await ralf.page.goto(`${app.url}/feed`)
    await ralf.page.getByTestId('composer-body').fill('Mein Tipp: Teebaumöl-Set mit Code RALF15 günstiger, jetzt bestellen!')
    await ralf.page.getByTestId('composer-submit').click()
    await expect.poll(() => ralf.page.getByTestId('post-body').count()).toBe(1)

    const petra = await signIn(app, browser, 'petra@example.org')
    await petra.page.goto(`${app.url}/p/ralf`)
    await petra.page.getByTestId('follow').click()
    await expect.poll(() => petra.page.getByTestId('follow').textContent()).toBe('Entfolgen')
    await petra.page.getByTestId('report').first().click()
    await petra.page.getByTestId('report-submit').click()
    await expect.poll(() => petra.page.getByTestId('report-sent').count()).toBe(1)

    const mod = await signIn(app, browser, 'moderation@example.org', 'moderation password')
    await mod.page.goto(`${app.url}/moderation`)
    const item = mod.page.getByTestId('queue-item').filter({ hasText: 'RALF15' })
    expect(await item.textContent()).toContain('Nicht gekennzeichnete Werbung')
    await item.getByTestId('mod-reason').fill('Rabattcode und Bestellaufruf')
    await item.getByTestId('mod-reclassify').click()
    await expect.poll(() => mod.page.getByTestId('mod-done').count()).toBe(1)
    await expect.poll(() => mod.page.getByTestId('queue-item').filter({ hasText: 'RALF15' }).count()).toBe(0)

    await petra.page.goto(`${app.url}/feed`)
    expect((await petra.page.getByTestId('post-body').allTextContents()).some((t) => t.includes('RALF15'))).toBe(false)
    await petra.page.goto(`${app.url}/marketplace?author=ralf`)
    await expect.poll(() => petra.page.getByTestId('post-body').first().textContent()).toContain('RALF15')
    // The bell counts it until Ralf reads his notifications; reading them clears it.
    await ralf.page.goto(`${app.url}/feed`)
    expect(await ralf.page.getByTestId('bell').textContent()).toContain('1')
    await ralf.page.goto(`${app.url}/notifications`)
    await expect.poll(async () => (await ralf.page.getByTestId('bell').textContent())?.trim()).toBe('')
    expect(await ralf.page.getByTestId('notification').first().getAttribute('data-type')).toBe('post.reclassify')
    expect(await ralf.page.getByTestId('notification').first().textContent()).toContain('als Werbung eingestuft')
    for (const c of [ralf, petra, mod]) await c.context.close()
  })
})
