import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiRegister, launchBrowser, newContext, signIn, startApp, type App } from './support.ts'

let app: App
let browser: Browser
beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp(), launchBrowser()])
  await apiRegister(app, { handle: 'sonja', displayName: 'Sonja Sponsor' })
})
afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

describe('team and training groups', () => {
  it('a sponsor opens a team group and a course; a recruit signs up through her profile, lands in both and completes a lesson; she sees it', async () => {
    const sonja = await signIn(app, browser, 'sonja@example.org')
    const page = sonja.page
    const create = async (name: string, slug: string, kind: string, extra?: () => Promise<void>) => {
      await page.goto(`${app.url}/groups`)
      await page.locator('summary', { hasText: 'Gruppe gründen' }).click()
      await page.getByTestId('group-name').fill(name)
      await page.getByTestId('group-slug').fill(slug)
      await page.getByTestId('group-kind').selectOption(kind)
      await extra?.()
      await page.getByTestId('group-visibility').selectOption('private')
      await page.getByTestId('group-create').click()
      await page.waitForURL(`${app.url}/groups/${slug}`)
    }
    await create('Team Sonja', 'team-sonja', 'team', async () => page.getByTestId('group-depth').fill('3'))
    expect(await page.getByTestId('my-role').textContent()).toBe('Inhaber')
    await create('Starterkurs', 'starterkurs', 'training')
    await page.locator('summary', { hasText: 'Neue Lektion' }).click()
    await page.getByTestId('lesson-title').fill('Willkommen im Team')
    await page.getByTestId('lesson-body').fill('Schön, dass du da bist! **Schritt 1:** Profil ausfüllen.')
    await page.getByTestId('lesson-checklist').fill('Profil ausgefüllt\nFoto hochgeladen')
    await page.getByTestId('lesson-add').click()
    await expect.poll(() => page.getByTestId('lesson-item').count()).toBe(1)
    await page.getByTestId('set-onboarding').click()
    await expect.poll(() => page.getByTestId('onboarding-set').count()).toBe(1)

    // A visitor arrives on Sonja's address and joins her team.
    const visitor = await newContext(browser)
    const v = await visitor.newPage()
    await v.goto(app.hostOf('sonja'))
    await v.getByTestId('join-team').click()
    await v.waitForURL(/\/register\?ref=sonja/)
    await v.getByLabel('Anzeigename').fill('Rita Rekrut')
    await v.getByLabel('Dein Name in der Adresse').fill('rita')
    await v.getByLabel('E-Mail').fill('rita@example.org')
    await v.getByLabel('Passwort').fill('rita password 1')
    await v.getByTestId('register-submit').click()
    await v.waitForURL(`${app.url}/welcome`)

    await v.goto(`${app.url}/groups?mine=true`)
    await expect.poll(async () => (await v.getByTestId('group-item').allTextContents()).join(' | ')).toMatch(/Team Sonja.*Starterkurs|Starterkurs.*Team Sonja/)
    await v.goto(`${app.url}/groups/starterkurs`)
    expect(await v.getByTestId('course-progress').textContent()).toBe('Fortschritt: 0 von 1 Lektionen')
    await v.getByTestId('lesson-item').first().locator('a').click()
    await v.waitForURL(/\/lessons\//)
    expect(await v.getByTestId('lesson-heading').textContent()).toBe('1. Willkommen im Team')
    await v.getByTestId('check-0').check()
    await v.getByTestId('mark-done').click()
    await expect.poll(() => v.getByTestId('lesson-done').count()).toBe(1)
    await visitor.close()

    // Sonja sees Rita's progress on the lesson, and Rita in her team group.
    await page.goto(`${app.url}/groups/starterkurs?tab=lessons`)
    await page.getByTestId('lesson-item').first().locator('a').click()
    await expect.poll(() => page.getByTestId('progress-table').textContent()).toContain('Rita Rekrut')
    expect(await page.getByTestId('progress-table').textContent()).toMatch(/Rita Rekrut\s*✓ Erledigt/)
    await page.goto(`${app.url}/groups/team-sonja?tab=members`)
    expect(await page.getByTestId('group-member').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('Rita Rekrut')]))
    await sonja.context.close()
  })
})
