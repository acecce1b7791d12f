import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import { Client, closeSockets, makeMember, openSocket, settle, startTestServer, type TestServer } from '../../../test/harness.ts'
import { confirmAddress, mailHeaders, mailsTo, readMail } from '../../../test/mailpit.ts'

let server: TestServer
beforeAll(async () => {
  // A short delay instead of 15 minutes; everything else as configured by default.
  server = await startTestServer({
    config: { mail: { smtpUrl: inject('smtpUrl'), from: 'Vernetzt <noreply@vernetzt.example>', devInbox: undefined, missedAfterMs: 300 } },
  })
})
afterAll(async () => server?.close())
afterEach(() => closeSockets())

const SUBJECT = (name: string) => `Neue Nachricht von ${name}`

/** A sponsor and a recruit whose address is confirmed through the link, and their conversation. */
async function pair(tag: string) {
  const sponsor = await makeMember(server, { handle: `${tag}-s`, displayName: `Sponsorin ${tag}` })
  const recruit = await makeMember(server, { handle: `${tag}-r`, sponsor: sponsor.handle })
  await confirmAddress(server, recruit.email)
  // By default no mail goes from 22:00 to 07:00 Berlin time; these tests must pass at any hour
  // (the quiet-hours test below sets its own window).
  expect((await recruit.client.request('PUT', '/api/v1/me/notification-settings', { quietHours: { enabled: false } })).status).toBe(200)
  const conversation = (await sponsor.client.post('/api/v1/conversations', { participants: [recruit.handle] })).body as { id: string }
  // The sponsor's welcome message opened an unread stretch: the recruit reads it, a new one begins.
  // Stored first: a read before the welcome is written reads nothing, and the welcome's stretch
  // (mailed once) would then go on into the test's messages.
  await expect.poll(async () => (await recruit.client.get(`/api/v1/conversations/${conversation.id}`)).body.lastSeq).toBeGreaterThanOrEqual(1)
  await recruit.client.post(`/api/v1/conversations/${conversation.id}/read`, { seq: 100 })
  expect((await recruit.client.get(`/api/v1/conversations/${conversation.id}`)).body.unread).toBe(0)
  await settle(server)
  return { sponsor, recruit, conversation }
}

let sent = 0
async function write(client: Client, conversationId: string, body: string) {
  const res = await client.post(`/api/v1/conversations/${conversationId}/messages`, { body, clientMessageId: `missed-mail-${++sent}` })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res
}
/** The missed-message mails to `email` (the welcome message may have had one too). */
const missed = async (email: string, name: string) => (await mailsTo(email)).filter((m) => m.Subject === SUBJECT(name))
/** Waits until `n` of them arrived (Mailpit lists a mail a moment after accepting it), then says how many there are. */
async function missedCount(email: string, name: string, n: number): Promise<number> {
  await expect.poll(async () => (await missed(email, name)).length, { timeout: 10_000, interval: 100 }).toBeGreaterThanOrEqual(n)
  return (await missed(email, name)).length
}
/** Whether one of them quotes `text`. */
const quoted = async (email: string, name: string, text: string) => {
  for (const m of await missed(email, name)) if ((await readMail(m.ID)).Text.includes(text)) return true
  return false
}

describe('missed-message mail', () => {
  it('arrives after the delay for an unread message, once per unread stretch, with one-click unsubscribe', async () => {
    const { sponsor, recruit, conversation } = await pair('mm-a')
    expect((await write(sponsor.client, conversation.id, 'Hallo Ben, magst du morgen zum Teamcall kommen?')).status).toBe(201)
    await write(sponsor.client, conversation.id, 'Und bring gern Fragen mit.')
    const before = (await missed(recruit.email, 'Sponsorin mm-a')).length
    await settle(server)
    expect(await missedCount(recruit.email, 'Sponsorin mm-a', before + 1)).toBe(before + 1)
    const mails = await missed(recruit.email, 'Sponsorin mm-a')
    const mail = await readMail(mails[0]!.ID)
    expect(mail.Text).toContain('Hallo Ben, magst du morgen zum Teamcall kommen?')
    expect(mail.Text).toContain(`${server.config.publicUrl}/messages/${conversation.id}`)
    const headers = await mailHeaders(mails[0]!.ID)
    expect(headers['List-Unsubscribe-Post']).toEqual(['List-Unsubscribe=One-Click'])
    const oneClick = headers['List-Unsubscribe']![0]!.slice(1, -1)
    expect(oneClick).toMatch(/\/api\/v1\/mail\/unsubscribe\?token=/)

    // Read, then a new message: a new stretch, a new mail.
    const read = await recruit.client.post(`/api/v1/conversations/${conversation.id}/read`, { seq: 100 })
    expect(read.status).toBeLessThan(300)
    await write(sponsor.client, conversation.id, 'Noch eine Frage: Dienstag oder Mittwoch?')
    await settle(server)
    expect(await missedCount(recruit.email, 'Sponsorin mm-a', before + 2)).toBe(before + 2)
    expect(await quoted(recruit.email, 'Sponsorin mm-a', 'Dienstag oder Mittwoch')).toBe(true)

    // The mail provider's one-click POST, without a session: no more of these mails.
    const path = oneClick.replace(server.config.publicUrl, '')
    const res = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ kind: 'messages' })
    expect((await recruit.client.get('/api/v1/me/notification-settings')).body.mail).toEqual({ messages: false, digest: 'weekly' })
    await recruit.client.post(`/api/v1/conversations/${conversation.id}/read`, { seq: 100 })
    await write(sponsor.client, conversation.id, 'Sag einfach Bescheid.')
    await settle(server)
    expect(await missed(recruit.email, 'Sponsorin mm-a')).toHaveLength(before + 2)
  })

  it('is not sent when the message was read in time, the chat is muted, or a tab of the reader was in view', async () => {
    const { sponsor, recruit, conversation } = await pair('mm-b')
    const readAll = () => recruit.client.post(`/api/v1/conversations/${conversation.id}/read`, { seq: 100 })
    // Read before the delay ends.
    await write(sponsor.client, conversation.id, 'Gelesen, bevor die Mail käme')
    await readAll()
    await settle(server)
    // Muted.
    expect((await recruit.client.request('PUT', `/api/v1/conversations/${conversation.id}/settings`, { muted: true })).status).toBe(200)
    await write(sponsor.client, conversation.id, 'Stumm geschaltet')
    await settle(server)
    // The same chat unmuted and unread, the reader away: the mail comes (so the cases above were refused, not lost).
    await recruit.client.request('PUT', `/api/v1/conversations/${conversation.id}/settings`, { muted: false })
    await readAll()
    await write(sponsor.client, conversation.id, 'Jetzt wieder laut')
    await settle(server)
    await expect.poll(() => quoted(recruit.email, 'Sponsorin mm-b', 'Jetzt wieder laut'), { timeout: 10_000, interval: 100 }).toBe(true)
    // A visible tab a moment ago counts as online.
    await readAll()
    const { socket } = await openSocket(server.url, { cookie: recruit.client.cookie })
    socket.emit('visible')
    await expect
      .poll(async () => ((await server.app.ctx.models.Presence.findById(recruit.me.id).lean()) as { visibleAt?: Date } | null)?.visibleAt ?? null)
      .not.toBeNull()
    socket.disconnect()
    await write(sponsor.client, conversation.id, 'Du warst doch gerade da')
    await settle(server)
    for (const text of ['Gelesen, bevor', 'Stumm geschaltet', 'gerade da']) expect(await quoted(recruit.email, 'Sponsorin mm-b', text)).toBe(false)
  })

  it('waits for the end of the quiet hours, and is switched off in the settings', async () => {
    const { sponsor, recruit, conversation } = await pair('mm-c')
    const hhmm = (d: Date) => d.toISOString().slice(11, 16)
    const now = Date.now()
    const quiet = { enabled: true, start: hhmm(new Date(now - 3_600_000)), end: hhmm(new Date(now + 3_600_000)), timeZone: 'UTC' }
    expect((await recruit.client.request('PUT', '/api/v1/me/notification-settings', { quietHours: quiet })).status).toBe(200)
    await write(sponsor.client, conversation.id, 'Nachts geschrieben')
    await settle(server)
    expect(await quoted(recruit.email, 'Sponsorin mm-c', 'Nachts geschrieben')).toBe(false)
    // Held: the look again is due when the quiet hours end. (Polled: the message's subscribers
    // may still be scheduling the first look when the queue was last seen empty.)
    const heldRunAt = async () => {
      const held = (await server.app.ctx.models.Job.collection.find({ name: 'mail.missed', key: { $regex: ':after-quiet$' } }).toArray()) as unknown as Array<{
        runAt: Date
        payload: { memberId: string }
      }>
      return (
        held
          .find((j) => j.payload.memberId === recruit.me.id)
          ?.runAt.toISOString()
          .slice(11, 16) ?? null
      )
    }
    await expect.poll(heldRunAt, { timeout: 10_000, interval: 100 }).toBe(quiet.end)

    const off = await recruit.client.request('PUT', '/api/v1/me/notification-settings', { mail: { messages: false }, quietHours: { enabled: false } })
    expect(off.body.mail).toEqual({ messages: false, digest: 'weekly' })
    await recruit.client.post(`/api/v1/conversations/${conversation.id}/read`, { seq: 100 })
    await write(sponsor.client, conversation.id, 'Tagsüber, aber abbestellt')
    await settle(server)
    expect(await quoted(recruit.email, 'Sponsorin mm-c', 'abbestellt')).toBe(false)
  })

  it('refuses a forged unsubscribe token and changes nothing', async () => {
    const { recruit } = await pair('mm-d')
    for (const token of ['nope', `${recruit.me.id}.messages.AAAAAAAAAAAAAAAAAAAAAA`, `${recruit.me.id}.everything.x`]) {
      const res = await fetch(`${server.url}/api/v1/mail/unsubscribe?token=${encodeURIComponent(token)}`, { method: 'POST' })
      expect(res.status).toBe(400)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('TOKEN_INVALID')
    }
    expect((await recruit.client.get('/api/v1/me/notification-settings')).body.mail).toEqual({ messages: true, digest: 'weekly' })
  })
})
