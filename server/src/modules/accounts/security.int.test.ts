import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, startTestServer, type TestServer } from '../../../test/harness.ts'
import { waitForMails, readMail } from '../../../test/mailpit.ts'
import { describeDevice } from './security.ts'

const FIREFOX_ANDROID = 'Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0'
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'
const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const EDGE_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0'

/** A second device of the same member, signed in with its own browser string. */
async function device(server: TestServer, email: string, password: string, userAgent: string) {
  const client = new Client(server.url)
  const res = await client.request('POST', '/api/v1/auth/login', { email, password }, { 'user-agent': userAgent })
  expect(res.status).toBe(200)
  return client
}

describe('Settings → Sicherheit', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(async () => server?.close())

  it('names browsers and systems as members know them', () => {
    expect(describeDevice(FIREFOX_ANDROID)).toEqual({ browser: 'Firefox', os: 'Android' })
    expect(describeDevice(SAFARI_IPHONE)).toEqual({ browser: 'Safari', os: 'iOS' })
    expect(describeDevice(CHROME_WINDOWS)).toEqual({ browser: 'Chrome', os: 'Windows' })
    expect(describeDevice(EDGE_MAC)).toEqual({ browser: 'Edge', os: 'macOS' })
    expect(describeDevice('curl/8.5')).toEqual({ browser: null, os: null })
  })

  it('lists the devices, signs one out, and only the member’s own', async () => {
    const eva = await makeMember(server)
    const phone = await device(server, eva.email, eva.password, FIREFOX_ANDROID)
    await device(server, eva.email, eva.password, SAFARI_IPHONE)
    const list = (await eva.client.get('/api/v1/me/sessions')).body.sessions as Array<{
      id: string
      current: boolean
      browser: string | null
      os: string | null
    }>
    expect(list).toHaveLength(3)
    expect(list.filter((s) => s.current)).toHaveLength(1)
    expect(list.map((s) => `${s.browser}/${s.os}`).sort()).toEqual(['Firefox/Android', 'Safari/iOS', 'null/null'])

    const phoneSession = list.find((s) => s.browser === 'Firefox')!
    const stranger = await makeMember(server)
    const foreign = await stranger.client.request('DELETE', `/api/v1/me/sessions/${phoneSession.id}`)
    expect(foreign.status).toBe(404)
    expect((await phone.get('/api/v1/me')).status).toBe(200)

    expect((await eva.client.request('DELETE', `/api/v1/me/sessions/${phoneSession.id}`)).status).toBe(200)
    expect((await phone.get('/api/v1/me')).status).toBe(401)
    const after = (await eva.client.get('/api/v1/me/sessions')).body.sessions as Array<{ browser: string | null }>
    expect(after.map((s) => s.browser).sort()).toEqual(['Safari', null])
  })

  it('"überall abmelden" ends every other device and keeps this one signed in', async () => {
    const finn = await makeMember(server)
    const tablet = await device(server, finn.email, finn.password, CHROME_WINDOWS)
    const res = await finn.client.post('/api/v1/me/sessions/end-all', {})
    expect(res.status).toBe(200)
    expect((await tablet.get('/api/v1/me')).status).toBe(401)
    expect((await finn.client.get('/api/v1/me')).status).toBe(200)
    const left = (await finn.client.get('/api/v1/me/sessions')).body.sessions as Array<{ current: boolean }>
    expect(left).toEqual([expect.objectContaining({ current: true })])
  })

  it('changes the password only with the current one, signs out other devices and sends a notice', async () => {
    const gina = await makeMember(server)
    const laptop = await device(server, gina.email, gina.password, EDGE_MAC)
    const wrong = await gina.client.request('PUT', '/api/v1/me/password', { current: 'not my password', password: 'a fresh passphrase' })
    expect(wrong.status).toBe(422)
    expect(wrong.body.error.code).toBe('CURRENT_PASSWORD_WRONG')
    expect((await laptop.get('/api/v1/me')).status).toBe(200)
    const short = await gina.client.request('PUT', '/api/v1/me/password', { current: gina.password, password: 'short' })
    expect(short.status).toBe(400)

    const ok = await gina.client.request('PUT', '/api/v1/me/password', { current: gina.password, password: 'a fresh passphrase' })
    expect(ok.status).toBe(200)
    expect((await gina.client.get('/api/v1/me')).status).toBe(200)
    expect((await laptop.get('/api/v1/me')).status).toBe(401)
    expect((await new Client(server.url).post('/api/v1/auth/login', { email: gina.email, password: 'a fresh passphrase' })).status).toBe(200)
    const mails = await waitForMails(gina.email, 2)
    const notice = mails.find((m) => m.Subject === 'Dein Passwort wurde geändert')!
    expect((await readMail(notice.ID)).Text).toContain('Alle anderen Geräte sind abgemeldet.')
    expect((await new Client(server.url).request('PUT', '/api/v1/me/password', { current: 'x', password: 'a fresh passphrase' })).status).toBe(401)
  })
})
