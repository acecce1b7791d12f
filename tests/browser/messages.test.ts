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

describe('onboarding chat', () => {
  it('a visitor registers through Anna\'s profile, finds her welcome message and answers; Anna reads it live', async () => {
    const visitor = await newContext(browser)
    const v = await visitor.newPage()
    await v.goto(app.hostOf('anna'))
    await v.getByTestId('join-team').click()
    await v.waitForURL(/\/register\?ref=anna/)
    await v.getByLabel('Anzeigename').fill('Tom Neu')
    await v.getByLabel('Dein Name in der Adresse').fill('tom')
    await v.getByLabel('E-Mail').fill('tom@example.org')
    await v.getByLabel('Passwort').fill('tom password 12')
    await v.getByTestId('register-submit').click()
    await v.waitForURL(/\/p\/tom/)

    await v.getByTestId('nav-messages').click()
    await v.waitForURL(`${app.url}/messages`)
    expect(await v.getByTestId('conversation').count()).toBe(1)
    expect(await v.getByTestId('conversation').textContent()).toContain('Anna Schmidt')
    await v.getByTestId('conversation').locator('a').click()
    await v.waitForURL(/\/messages\/[0-9a-f]{24}$/)
    expect(await v.getByTestId('message').first().textContent()).toContain('Hallo Tom Neu, herzlich willkommen in meinem Team!')
    const conversationUrl = v.url().replace(/^https?:\/\/[^/]+/, '')

    // Anna has the conversation open when Tom answers.
    const anna = await signIn(app, browser, 'anna@example.org')
    await anna.page.goto(`${app.url}${conversationUrl}`)
    await expect.poll(() => anna.page.getByTestId('message').count()).toBe(1)
    await anna.page.waitForTimeout(300) // let the socket connect

    await v.getByTestId('message-body').pressSequentially('Danke')
    await expect.poll(() => anna.page.getByTestId('typing').textContent(), { timeout: 10_000 }).toBe('tom schreibt …')
    await v.getByTestId('message-body').fill('Danke, Anna! Wann ist die nächste **Schulung**?')
    await v.getByTestId('message-send').click()
    await expect.poll(() => v.getByTestId('message').count()).toBe(2)
    await expect.poll(() => anna.page.getByTestId('message').count(), { timeout: 10_000 }).toBe(2)
    expect(await anna.page.getByTestId('message').nth(1).innerHTML()).toContain('<strong>Schulung</strong>')

    // Anna answers with Enter; Tom sees it live.
    await anna.page.getByTestId('message-body').fill('Donnerstag um 19 Uhr!')
    await anna.page.getByTestId('message-body').press('Enter')
    await expect.poll(() => v.getByTestId('message').count(), { timeout: 10_000 }).toBe(3)
    expect(await v.getByTestId('message').nth(2).textContent()).toContain('Donnerstag um 19 Uhr!')
    // Tom has the chat open, so Anna sees that he read it.
    await expect.poll(() => anna.page.getByTestId('seen').textContent(), { timeout: 10_000 }).toBe('Gesehen von tom')
    await visitor.close()
    await anna.context.close()
  })
})
