import { createDecipheriv, createECDH, createHmac, createPublicKey, randomBytes, verify } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { PushPayload } from '@vernetzt/shared/schemas/notifications'
import { Types } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, closeSockets, makeMember, openSocket, startTestServer, type TestServer } from '../../../test/harness.ts'
import { generateVapidKeys } from '../push/webpush.ts'
import { flushHeldPushes, MAX_PUSH_DEVICES } from './push.ts'
import { notify } from './service.ts'

/**
 * A stand-in for a browser's push service (FCM, Mozilla, Apple) on 127.0.0.1: it records what
 * it receives and answers 201, or 410 for endpoints under /gone/.
 */
interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: Buffer
}
let pushService: Server
let pushUrl = ''
const received: Received[] = []

let server: TestServer
const vapid = generateVapidKeys()
beforeAll(async () => {
  pushService = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) })
      res.statusCode = req.url?.startsWith('/gone/') ? 410 : 201
      res.end()
    })
  })
  await new Promise<void>((resolve) => pushService.listen(0, '127.0.0.1', resolve))
  pushUrl = `http://127.0.0.1:${(pushService.address() as AddressInfo).port}`
  server = await startTestServer({
    config: { push: { vapid, subject: 'mailto:ops@vernetzt.test', serviceHosts: [], allowLoopback: true } },
  })
})
afterAll(async () => {
  closeSockets()
  await server.close()
  await new Promise((resolve) => pushService.close(resolve))
})

/** A browser: its push keys, and the receiving half of RFC 8291 (independent of the server's code). */
function browser(path: string) {
  const ecdh = createECDH('prime256v1')
  ecdh.generateKeys()
  const authSecret = randomBytes(16)
  const endpoint = `${pushUrl}${path}`
  const hkdf = (salt: Buffer, ikm: Buffer, info: string | Buffer, length: number) => {
    const prk = createHmac('sha256', salt).update(ikm).digest()
    return createHmac('sha256', prk)
      .update(Buffer.concat([Buffer.from(info), Buffer.of(1)]))
      .digest()
      .subarray(0, length)
  }
  return {
    endpoint,
    subscription: { endpoint, expirationTime: null, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: authSecret.toString('base64url') } },
    decrypt(body: Buffer): PushPayload {
      const salt = body.subarray(0, 16)
      const keyLength = body[20]!
      const senderKey = body.subarray(21, 21 + keyLength)
      const record = body.subarray(21 + keyLength)
      const ikm = hkdf(authSecret, ecdh.computeSecret(senderKey), Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), senderKey]), 32)
      const decipher = createDecipheriv('aes-128-gcm', hkdf(salt, ikm, 'Content-Encoding: aes128gcm\0', 16), hkdf(salt, ikm, 'Content-Encoding: nonce\0', 12))
      decipher.setAuthTag(record.subarray(record.length - 16))
      const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()])
      expect(plain[plain.length - 1]).toBe(2) // the only record, no padding
      return JSON.parse(plain.subarray(0, plain.length - 1).toString('utf8')) as PushPayload
    },
  }
}

const to = (endpoint: string) => received.filter((r) => `${pushUrl}${r.path}` === endpoint)
async function waitFor<T>(what: () => T | undefined | null | false, ms = 5000): Promise<T> {
  const until = Date.now() + ms
  for (;;) {
    const value = what()
    if (value) return value
    if (Date.now() > until) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 25))
  }
}
const settle = () => new Promise((r) => setTimeout(r, 400))

async function privateGroup(owner: Awaited<ReturnType<typeof makeMember>>, slug: string) {
  const res = await owner.client.post('/api/v1/groups', { name: `Gruppe ${slug}`, slug, kind: 'community', visibility: 'private' })
  expect(res.status).toBe(201)
}

describe('web push', () => {
  it('hands out the VAPID public key', async () => {
    expect((await new Client(server.url).get('/api/v1/push/key')).body).toEqual({ publicKey: vapid.publicKey })
  })

  it('pushes a join request to the owner’s browser, signed with VAPID and readable only by that browser', async () => {
    const owner = await makeMember(server, { handle: 'push-owner' })
    await privateGroup(owner, 'push-kreis')
    // Whatever the time of day the test runs: no quiet hours for this member.
    expect((await owner.client.request('PUT', '/api/v1/me/notification-settings', { quietHours: { enabled: false } })).status).toBe(200)
    const phone = browser('/sub/owner-phone')
    expect((await owner.client.post('/api/v1/push/subscriptions', { ...phone.subscription, lang: 'en' })).body).toEqual({ ok: true })
    expect((await owner.client.get('/api/v1/me/notification-settings')).body.pushDevices).toBe(1)

    const asker = await makeMember(server, { handle: 'push-asker' })
    expect((await asker.client.post('/api/v1/groups/push-kreis/join')).body).toEqual({ status: 'requested' })

    const [message] = await waitFor(() => to(phone.endpoint).length > 0 && to(phone.endpoint))
    expect(message!.headers['content-encoding']).toBe('aes128gcm')
    expect(message!.headers.ttl).toBe('86400')
    expect(message!.headers.urgency).toBe('normal')
    const auth = /^vapid t=([^.]+)\.([^.]+)\.([^,]+), k=(.+)$/.exec(message!.headers.authorization ?? '')
    expect(auth?.[4]).toBe(vapid.publicKey)
    const [, h, c, s] = auth!
    expect(JSON.parse(Buffer.from(c!, 'base64url').toString())).toMatchObject({ aud: pushUrl, sub: 'mailto:ops@vernetzt.test' })
    const point = Buffer.from(vapid.publicKey, 'base64url')
    const key = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
      format: 'jwk',
    })
    expect(verify('sha256', Buffer.from(`${h}.${c}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s!, 'base64url'))).toBe(true)

    const payload = phone.decrypt(message!.body)
    expect(payload).toMatchObject({ title: 'Vernetzt', url: '/groups/push-kreis', count: 1 })
    expect(payload.body).toBe('@push-asker asks to join the group "Gruppe push-kreis".')
    // The in-app list has it too.
    const list = (await owner.client.get('/api/v1/notifications')).body
    expect(list.items[0]).toMatchObject({ type: 'group.request', id: payload.tag })
  })

  it('forgets a subscription the push service says is gone (410)', async () => {
    const member = await makeMember(server, { handle: 'push-gone' })
    await member.client.request('PUT', '/api/v1/me/notification-settings', { quietHours: { enabled: false } })
    const old = browser('/gone/old-laptop')
    await member.client.post('/api/v1/push/subscriptions', old.subscription)
    expect((await member.client.get('/api/v1/me/notification-settings')).body.pushDevices).toBe(1)
    const inviter = await makeMember(server, { handle: 'push-inviter' })
    await privateGroup(inviter, 'push-einladung')
    expect((await inviter.client.post('/api/v1/groups/push-einladung/invitations', { handle: 'push-gone' })).status).toBe(200)

    await waitFor(() => to(old.endpoint).length === 1)
    const devices = async () => (await member.client.get('/api/v1/me/notification-settings')).body.pushDevices as number
    for (let i = 0; i < 100 && (await devices()) !== 0; i++) await new Promise((r) => setTimeout(r, 25))
    expect(await devices()).toBe(0)
    expect(await server.app.ctx.models.PushSubscription.countDocuments({ endpoint: old.endpoint })).toBe(0)
  })
})

describe('quiet hours', () => {
  // A winter night in Berlin (UTC+1), in the future so the flush job's cursor only moves forward.
  const T = (iso: string) => new Date(iso)

  it('holds pushes from 22:00 to 07:00 Berlin time, shows them in the app meanwhile, and sends one summary in the morning', async () => {
    const member = await makeMember(server, { handle: 'push-night' })
    const id = new Types.ObjectId(member.me.id as string)
    // The defaults: quiet from 22:00 to 07:00 in Europe/Berlin; mail about unread messages, a weekly digest.
    expect((await member.client.get('/api/v1/me/notification-settings')).body).toEqual({
      quietHours: { enabled: true, start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' },
      mail: { messages: true, digest: 'weekly' },
      pushDevices: 0,
      updatedAt: null,
    })
    const phone = browser('/sub/night-phone')
    await member.client.post('/api/v1/push/subscriptions', phone.subscription)
    const { socket } = await openSocket(server.url, { cookie: member.client.cookie })
    const live: string[] = []
    socket.on('notification:new', (n) => live.push(n.type))

    const ctx = server.app.ctx
    const text = (n: number) => ({ de: `Nachricht ${n}`, en: `Message ${n}` })
    await notify(ctx, id, { type: 'test.one', text: text(1), data: { handle: 'push-owner' } }, T('2031-01-15T21:30:00Z')) // 22:30
    await notify(ctx, id, { type: 'test.two', text: text(2) }, T('2031-01-16T02:10:00Z')) // 03:10
    await settle()
    expect(to(phone.endpoint)).toHaveLength(0)
    // Held back from push only: the list and the open tab have both.
    expect((await member.client.get('/api/v1/notifications')).body).toMatchObject({ unread: 2 })
    await waitFor(() => live.length === 2)

    expect(await flushHeldPushes(ctx, T('2031-01-16T05:59:00Z'))).toBe(0) // 06:59: still quiet
    await settle()
    expect(to(phone.endpoint)).toHaveLength(0)
    expect(await flushHeldPushes(ctx, T('2031-01-16T06:01:00Z'))).toBe(1) // 07:01
    const [summary] = await waitFor(() => to(phone.endpoint).length > 0 && to(phone.endpoint))
    expect(phone.decrypt(summary!.body)).toMatchObject({ count: 2, url: '/notifications', body: '2 neue Benachrichtigungen während deiner Ruhezeit' })
    expect(summary!.headers.topic).toBe('summary')
    expect(await flushHeldPushes(ctx, T('2031-01-16T06:05:00Z'))).toBe(0)
    await settle()
    expect(to(phone.endpoint)).toHaveLength(1)

    // Daytime: straight through.
    await notify(ctx, id, { type: 'test.day', text: text(3) }, T('2031-01-16T11:00:00Z'))
    await waitFor(() => to(phone.endpoint).length === 2)

    // The next night a single held push arrives as itself, with its own link.
    await notify(ctx, id, { type: 'test.three', text: text(4), data: { group: 'push-kreis' } }, T('2031-01-16T23:30:00Z'))
    await settle()
    expect(to(phone.endpoint)).toHaveLength(2)
    expect(await flushHeldPushes(ctx, T('2031-01-17T06:01:00Z'))).toBe(1)
    const third = await waitFor(() => to(phone.endpoint)[2])
    expect(phone.decrypt(third.body)).toMatchObject({ count: 1, body: 'Nachricht 4', url: '/groups/push-kreis' })

    // Urgent notifications ignore quiet hours.
    await notify(ctx, id, { type: 'test.urgent', text: text(5), urgent: true }, T('2031-01-17T23:00:00Z'))
    const urgent = await waitFor(() => to(phone.endpoint)[3])
    expect(urgent.headers.urgency).toBe('high')
    expect(phone.decrypt(urgent.body).body).toBe('Nachricht 5')
  })

  it('uses the member’s time zone and window', async () => {
    const member = await makeMember(server, { handle: 'push-nyc' })
    const id = new Types.ObjectId(member.me.id as string)
    const saved = await member.client.request('PUT', '/api/v1/me/notification-settings', { quietHours: { timeZone: 'America/New_York', start: '21:00' } })
    expect(saved.body.quietHours).toEqual({ enabled: true, start: '21:00', end: '07:00', timeZone: 'America/New_York' })
    expect(saved.body.updatedAt).not.toBeNull()
    const phone = browser('/sub/nyc-phone')
    await member.client.post('/api/v1/push/subscriptions', phone.subscription)
    // 02:30 UTC on 18 Jan is 21:30 in New York (quiet there, not yet in Berlin's sense of "morning").
    await notify(server.app.ctx, id, { type: 'test.nyc', text: { de: 'Hallo New York', en: 'Hello New York' } }, new Date('2031-01-18T02:30:00Z'))
    await settle()
    expect(to(phone.endpoint)).toHaveLength(0)
    // 07:00 in Berlin (06:00 UTC) is still 01:00 in New York: nothing yet.
    expect(await flushHeldPushes(server.app.ctx, new Date('2031-01-18T06:01:00Z'))).toBe(0)
    // 07:00 in New York is 12:00 UTC.
    expect(await flushHeldPushes(server.app.ctx, new Date('2031-01-18T12:01:00Z'))).toBe(1)
    const [message] = await waitFor(() => to(phone.endpoint).length > 0 && to(phone.endpoint))
    expect(phone.decrypt(message!.body).body).toBe('Hallo New York')
  })
})

describe('settings and subscriptions API', () => {
  it('validates quiet hours', async () => {
    const member = await makeMember(server)
    const put = (body: unknown) => member.client.request('PUT', '/api/v1/me/notification-settings', body)
    expect((await put({ quietHours: { timeZone: 'Mars/Olympus_Mons' } })).body.error).toMatchObject({
      code: 'TIME_ZONE_UNKNOWN',
      details: { field: 'quietHours.timeZone' },
    })
    expect((await put({ quietHours: { start: '24:00' } })).body.error.code).toBe('VALIDATION_FAILED')
    expect((await put({ quietHours: {} })).body.error.code).toBe('VALIDATION_FAILED')
    expect((await put({})).body.error.code).toBe('VALIDATION_FAILED')
    expect((await put({ mail: { digest: 'hourly' } })).body.error.code).toBe('VALIDATION_FAILED')
    expect((await put({ mail: { messages: 'yes' } })).body.error.code).toBe('VALIDATION_FAILED')
    expect((await new Client(server.url).get('/api/v1/me/notification-settings')).status).toBe(401)
  })

  it('refuses endpoints that are not a push service, and broken keys', async () => {
    const member = await makeMember(server)
    const keys = browser('/x').subscription.keys
    const post = (body: unknown) => member.client.post('/api/v1/push/subscriptions', body)
    for (const endpoint of [
      'https://169.254.169.254/latest/meta-data',
      'https://intranet.local/push',
      'http://10.0.0.5/push',
      `${server.url}/api/v1/auth/logout`.replace('127.0.0.1', '127.0.0.2'),
    ]) {
      const res = await post({ endpoint, keys })
      expect(res.status, endpoint).toBe(422)
      expect(res.body.error).toMatchObject({ code: 'PUSH_ENDPOINT_REFUSED', details: { field: 'endpoint' } })
    }
    // A browser's real push service is accepted (nothing is sent: no notification follows).
    expect((await post({ endpoint: 'https://fcm.googleapis.com/fcm/send/abc:APA91b', keys })).status).toBe(200)
    // Not a point on the curve.
    const res = await post({
      endpoint: `${pushUrl}/sub/broken`,
      keys: { p256dh: Buffer.concat([Buffer.of(4), Buffer.alloc(64, 1)]).toString('base64url'), auth: keys.auth },
    })
    expect(res.body.error.code).toBe('VALIDATION_FAILED')
    expect((await new Client(server.url).post('/api/v1/push/subscriptions', { endpoint: `${pushUrl}/sub/anon`, keys })).status).toBe(401)
  })

  it('moves a browser to the member who subscribed last, unsubscribes, and keeps at most a few devices', async () => {
    const anna = await makeMember(server)
    const bert = await makeMember(server)
    const shared = browser('/sub/shared-tablet')
    const devices = async (m: typeof anna) => (await m.client.get('/api/v1/me/notification-settings')).body.pushDevices as number
    await anna.client.post('/api/v1/push/subscriptions', shared.subscription)
    await bert.client.post('/api/v1/push/subscriptions', shared.subscription)
    expect([await devices(anna), await devices(bert)]).toEqual([0, 1])
    // Anna cannot unsubscribe Bert's browser; Bert can.
    await anna.client.request('DELETE', '/api/v1/push/subscriptions', { endpoint: shared.endpoint })
    expect(await devices(bert)).toBe(1)
    expect((await bert.client.request('DELETE', '/api/v1/push/subscriptions', { endpoint: shared.endpoint })).body).toEqual({ ok: true })
    expect(await devices(bert)).toBe(0)

    const many = Array.from({ length: MAX_PUSH_DEVICES + 2 }, (_, i) => browser(`/sub/anna-${i}`))
    for (const b of many) await anna.client.post('/api/v1/push/subscriptions', b.subscription)
    expect(await devices(anna)).toBe(MAX_PUSH_DEVICES)
    const ids = (await server.app.ctx.models.NotificationSettings.findById(anna.me.id).lean())!.pushSubscriptions
    const endpoints = await Promise.all(ids.map(async (sid) => (await server.app.ctx.models.PushSubscription.findById(sid).lean())?.endpoint))
    // The two oldest made room.
    expect(endpoints).toEqual(many.slice(2).map((b) => b.endpoint))
  })
})
