import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { apiRegister, launchBrowser, signIn, startApp, type App } from './support.ts'

let app: App
let browser: Browser
beforeAll(async () => {
  ;[app, browser] = await Promise.all([startApp(), launchBrowser()])
})
afterAll(async () => {
  await browser?.close()
  await app?.stop()
})

describe('onboarding checklist', () => {
  it("the sponsor watches a recruit's first step tick live on the recruits page and opens the chat from there", async () => {
    const sabine = await apiRegister(app, { handle: 'sabine', displayName: 'Sabine Sponsor' })
    const tom = await apiRegister(app, { handle: 'tom', displayName: 'Tom Neu', sponsor: 'sabine' })

    const s = await signIn(app, browser, sabine.email)
    await s.page.goto(`${app.url}/me/team`)
    await s.page.getByTestId('recruits-link').click()
    await s.page.waitForURL(`${app.url}/me/team/recruits`)
    const row = s.page.getByTestId('recruit')
    expect(await row.count()).toBe(1)
    expect(await row.textContent()).toContain('Tom Neu')
    expect(await row.getByTestId('onboarding-progress').textContent()).toBe('0 von 5 Schritten')
    await s.page.waitForTimeout(300) // let the socket connect

    // Tom completes his profile; Sabine's open page ticks without a reload.
    const t = await signIn(app, browser, tom.email)
    await t.page.goto(`${app.url}/me/profile`)
    await t.page.getByTestId('bio').fill('Neu im Team und neugierig.')
    await t.page.getByLabel('Ort').fill('Leipzig')
    await t.page.getByTestId('save-profile').click()
    await t.page.getByTestId('saved').waitFor()
    await expect.poll(() => row.getByTestId('onboarding-progress').textContent(), { timeout: 10_000 }).toBe('1 von 5 Schritten')
    expect(await row.getByTestId('onboarding-profile').getAttribute('data-done')).toBe('true')
    expect(await row.getByTestId('onboarding-photo').getAttribute('data-done')).toBe('false')

    // The chat button leads to the conversation opened with Sabine's welcome on the day Tom joined.
    await row.getByRole('button', { name: 'Chat' }).click()
    await s.page.waitForURL(/\/messages\/[0-9a-f]{24}$/)
    expect(await s.page.getByTestId('message').first().textContent()).toContain('Hallo Tom Neu')
    // The same checklist sits in the chat, for both of them.
    expect(await s.page.getByTestId('onboarding-progress').textContent()).toBe('1 von 5 Schritten')
    await t.page.goto(s.page.url())
    expect(await t.page.getByTestId('onboarding-progress').textContent()).toBe('1 von 5 Schritten')
    await s.context.close()
    await t.context.close()
  })
})
