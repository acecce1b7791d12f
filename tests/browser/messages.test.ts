import type { Browser } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PHONE, apiRegister, launchBrowser, navTo, newContext, signIn, startApp, type App } from './support.ts'

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
  it("a visitor registers through Anna's profile, finds her welcome message and answers; Anna reads it live", async () => {
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
    await v.waitForURL(`${app.url}/welcome`)

    await navTo(v, 'nav-messages')
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
    await expect.poll(() => anna.page.getByTestId('typing').textContent(), { timeout: 10_000 }).toBe('Tom Neu schreibt …')
    await v.getByTestId('message-body').fill('Danke, Anna! Wann ist die nächste **Schulung**?')
    await v.getByTestId('message-send').click()
    await expect.poll(() => v.getByTestId('message').count()).toBe(2)
    await expect.poll(() => anna.page.getByTestId('message').count(), { timeout: 10_000 }).toBe(2)
    expect(await anna.page.getByTestId('message').nth(1).innerHTML()).toContain('<strong>Schulung</strong>')
    // His "schreibt …" ends with the message, not seconds later.
    expect(await anna.page.getByTestId('typing').count()).toBe(0)
    // Every message shows its time, under a separator for its day.
    expect(await anna.page.getByTestId('day-separator').first().textContent()).toMatch(/^(Heute|Gestern)$/) // Gestern only just after midnight
    expect(await anna.page.getByTestId('message').nth(1).locator('time').textContent()).toMatch(/^\d\d:\d\d$/)

    // Anna answers with Enter; Tom sees it live.
    await anna.page.getByTestId('message-body').fill('Donnerstag um 19 Uhr!')
    await anna.page.getByTestId('message-body').press('Enter')
    await expect.poll(() => v.getByTestId('message').count(), { timeout: 10_000 }).toBe(3)
    expect(await v.getByTestId('message').nth(2).textContent()).toContain('Donnerstag um 19 Uhr!')
    // Tom has the chat open, so Anna sees that he read it.
    await expect.poll(() => anna.page.getByTestId('seen').textContent(), { timeout: 10_000 }).toBe('Gesehen von Tom Neu')

    // Anna's conversation list updates by itself when Tom writes again.
    // (Anna herself joined without a sponsor: the company's welcome is in her list too, unread.)
    await anna.page.goto(`${app.url}/messages`)
    const withTom = anna.page.getByTestId('conversation').filter({ hasText: 'Tom Neu' })
    expect(await withTom.getByTestId('unread').count()).toBe(0)
    await anna.page.waitForTimeout(300) // let the socket connect
    await v.getByTestId('message-body').fill('Ich bin dabei.')
    await v.getByTestId('message-send').click()
    await expect.poll(() => withTom.getByTestId('unread').textContent(), { timeout: 10_000 }).toBe('1 ungelesen')
    await visitor.close()
    await anna.context.close()
  })
})

describe('team room', () => {
  it("Anna's team talks in the group's chat room, with a markdown preview and a picture; a mention rings the bell", async () => {
    await apiRegister(app, { handle: 'rolf', displayName: 'Rolf Rekrut', sponsor: 'anna' })
    const anna = await signIn(app, browser, 'anna@example.org')
    const page = anna.page
    await page.goto(`${app.url}/groups`)
    await page.locator('summary', { hasText: 'Gruppe gründen' }).click()
    await page.getByTestId('group-name').fill('Team Anna')
    await page.getByTestId('group-slug').fill('team-anna')
    await page.getByTestId('group-kind').selectOption('team')
    await page.getByTestId('group-depth').fill('3')
    await page.getByTestId('group-create').click()
    await page.waitForURL(/\/groups\/team-anna/)
    await page.getByTestId('group-chat').click()
    await page.waitForURL(/\/messages\/[0-9a-f]{24}$/)
    const roomUrl = page.url()

    // Rolf belongs to the team through the join graph: the room is in his list without joining anything.
    // He is on his phone.
    const rolf = await signIn(app, browser, 'rolf@example.org', undefined, PHONE)
    await rolf.page.goto(`${app.url}/messages`)
    expect(await rolf.page.getByTestId('room').textContent()).toContain('Team Anna')
    await rolf.page.getByTestId('room').locator('a').click()
    await rolf.page.waitForURL(roomUrl)
    await rolf.page.waitForTimeout(300) // let the socket join the room

    await page.getByTestId('message-body').fill('Willkommen im **Team**, @rolf!')
    await page.getByTestId('preview-toggle').click()
    await expect.poll(() => page.getByTestId('preview').innerHTML()).toContain('<strong>Team</strong>')
    const photo = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#0d9488' } })
      .png()
      .toBuffer()
    await page.getByTestId('attach').setInputFiles({ name: 'Teamfoto.png', mimeType: 'image/png', buffer: photo })
    await expect.poll(() => page.getByTestId('pending-attachment').count()).toBe(1)
    await page.getByTestId('message-send').click()

    await expect.poll(() => rolf.page.getByTestId('message').count(), { timeout: 10_000 }).toBe(1)
    expect(await rolf.page.getByTestId('message').innerHTML()).toContain('<strong>Team</strong>')
    const image = rolf.page.getByTestId('attachment-image')
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(800)
    // On the phone nothing is wider than the screen, the picture fits, and the composer is on screen.
    expect(await rolf.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width)
    expect((await image.boundingBox())!.width).toBeLessThanOrEqual(PHONE.width)
    const send = (await rolf.page.getByTestId('message-send').boundingBox())!
    expect(send.x + send.width).toBeLessThanOrEqual(PHONE.width)
    expect(send.y + send.height).toBeLessThanOrEqual(PHONE.height)
    // The mention reaches Rolf's notifications.
    await rolf.page.goto(`${app.url}/notifications`)
    expect(await rolf.page.locator('main').textContent()).toContain('Anna Schmidt hat dich im Chat erwähnt')
    await anna.context.close()
    await rolf.context.close()
  })
})
