import { spawn } from 'node:child_process'
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import webpush from 'web-push'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { endpointProblem, type EndpointRule } from './endpoints.ts'
import { generateVapidKeys, MAX_PLAINTEXT, PushEndpointRefusedError, sendPush, vapidSigningKey, type SendOptions } from './webpush.ts'

const b64 = (text: string) => Buffer.from(text, 'base64url')

/**
 * What a browser does with a message (RFC 8291 §3.4 on top of RFC 8188), written from the RFCs
 * with node:crypto and nothing from web-push: ECDH with the sender's key from the record
 * header, HKDF with the auth secret, AES-128-GCM, then the padding delimiter.
 */
function decrypt(body: Buffer, receiver: ReturnType<typeof createECDH>, authSecret: Buffer): { plaintext: Buffer; recordSize: number; senderKey: Buffer } {
  const hkdf = (salt: Buffer, ikm: Buffer, info: Buffer, length: number) => Buffer.from(hkdfSync('sha256', ikm, salt, info, length))
  const salt = body.subarray(0, 16)
  const recordSize = body.readUInt32BE(16)
  const idLength = body[20]!
  const senderKey = body.subarray(21, 21 + idLength)
  const record = body.subarray(21 + idLength)
  // A single record: the whole message must fit one, as push services expect.
  expect(record.length).toBeLessThanOrEqual(recordSize)
  const shared = receiver.computeSecret(senderKey)
  const ikm = hkdf(authSecret, shared, Buffer.concat([Buffer.from('WebPush: info\0'), receiver.getPublicKey(), senderKey]), 32)
  const cek = hkdf(salt, ikm, Buffer.from('Content-Encoding: aes128gcm\0'), 16)
  const nonce = hkdf(salt, ikm, Buffer.from('Content-Encoding: nonce\0'), 12)
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce)
  decipher.setAuthTag(record.subarray(record.length - 16))
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()])
  // RFC 8188: the plaintext ends at the last non-zero byte, which must be 2 (last record).
  let end = padded.length - 1
  while (end >= 0 && padded[end] === 0) end--
  expect(padded[end]).toBe(2)
  return { plaintext: padded.subarray(0, end), recordSize, senderKey }
}

/** What a push service does with the Authorization header (RFC 8292 §2, §3): returns the claims if the token verifies. */
function verifyVapid(authorization: string | undefined): { claims: { aud: string; exp: number; sub: string }; publicKey: string } {
  const match = /^vapid t=([^.]+)\.([^.]+)\.([^,]+), k=(.+)$/.exec(authorization ?? '')
  expect(match, authorization).not.toBeNull()
  const [, h, c, s, k] = match!
  expect(JSON.parse(b64(h!).toString())).toEqual({ typ: 'JWT', alg: 'ES256' })
  const point = b64(k!)
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    format: 'jwk',
  })
  const signature = b64(s!)
  expect(signature).toHaveLength(64) // JOSE's raw r||s, not DER
  expect(verify('sha256', Buffer.from(`${h}.${c}`), { key, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true)
  expect(verify('sha256', Buffer.from(`${h}.${c}x`), { key, dsaEncoding: 'ieee-p1363' }, signature)).toBe(false)
  return { claims: JSON.parse(b64(c!).toString()) as { aud: string; exp: number; sub: string }, publicKey: k! }
}

function browser(endpoint: string) {
  const receiver = createECDH('prime256v1')
  receiver.generateKeys()
  const authSecret = randomBytes(16)
  return { receiver, authSecret, target: { endpoint, p256dh: receiver.getPublicKey().toString('base64url'), auth: authSecret.toString('base64url') } }
}

/** A stand-in for a push service on 127.0.0.1 that records every request it receives. */
interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: Buffer
}
async function pushService(answer: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(201).end()) {
  const received: Received[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) })
      answer(req, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    received,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}
type PushService = Awaited<ReturnType<typeof pushService>>

const loopback: EndpointRule = { extraHosts: [], allowLoopback: true }
const vapid = generateVapidKeys()
const options = (extra: Partial<SendOptions> = {}): SendOptions => ({
  keys: vapid,
  subject: 'mailto:ops@vernetzt.example',
  endpoints: loopback,
  ttl: 86_400,
  urgency: 'normal',
  ...extra,
})

describe('the decryption these tests use', () => {
  it('reads the worked example of RFC 8291 appendix A', () => {
    const receiver = createECDH('prime256v1')
    receiver.setPrivateKey(b64('q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94'))
    expect(receiver.getPublicKey().toString('base64url')).toBe('BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4')
    const message = b64(
      'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
    )
    expect(decrypt(message, receiver, b64('BTBZMqHH6r4Tts7J_aSIgg')).plaintext.toString()).toBe('When I grow up, I want to be a watermelon')
  })
})

describe('sending a push', () => {
  let service: PushService
  beforeAll(async () => {
    service = await pushService((req, res) =>
      res.writeHead(req.url?.startsWith('/gone/') ? 410 : req.url?.startsWith('/unknown/') ? 404 : req.url?.startsWith('/busy/') ? 429 : 201).end(),
    )
  })
  afterAll(() => service.close())
  afterEach(() => {
    service.received.length = 0
    vi.restoreAllMocks()
  })

  it('posts a message only the subscribed browser can decrypt, with a VAPID token the push service can verify', async () => {
    const phone = browser(`${service.url}/sub/phone`)
    const payload = { title: 'Vernetzt', body: 'Anna möchte der Gruppe „Öl & Ölsaaten“ beitreten 🌻', url: '/groups/oel', tag: 'n1', count: 1 }
    const before = Math.floor(Date.now() / 1000)
    expect(await sendPush(phone.target, payload, options({ topic: 'summary', urgency: 'high' }))).toEqual({ status: 201, gone: false })

    expect(service.received).toHaveLength(1)
    const [message] = service.received
    expect(message!.path).toBe('/sub/phone')
    expect(message!.headers).toMatchObject({
      'content-encoding': 'aes128gcm',
      'content-type': 'application/octet-stream',
      ttl: '86400',
      urgency: 'high',
      topic: 'summary',
    })

    const { claims, publicKey } = verifyVapid(message!.headers.authorization)
    expect(publicKey).toBe(vapid.publicKey)
    // Bound to the push service's origin, and valid for less than the 24 hours services accept.
    expect(claims.aud).toBe(service.url)
    expect(claims.sub).toBe('mailto:ops@vernetzt.example')
    expect(claims.exp).toBeGreaterThan(before)
    expect(claims.exp - before).toBeLessThanOrEqual(24 * 3600)

    const { plaintext, recordSize, senderKey } = decrypt(message!.body, phone.receiver, phone.authSecret)
    expect(JSON.parse(plaintext.toString('utf8'))).toEqual(payload)
    expect(recordSize).toBe(4096)
    expect(senderKey).toHaveLength(65)
    // Another browser, or the right one with a wrong auth secret, cannot read it.
    expect(() => decrypt(message!.body, browser('x').receiver, phone.authSecret)).toThrow()
    expect(() => decrypt(message!.body, phone.receiver, randomBytes(16))).toThrow()

    // A fresh sender key and salt per message: the same text never looks the same twice.
    await sendPush(phone.target, payload, options())
    expect(service.received[1]!.body.equals(message!.body)).toBe(false)
    expect(service.received[1]!.headers.topic).toBeUndefined()
  })

  it('never contacts an endpoint the allow-list refuses, nor hands it to the library', async () => {
    const library = vi.spyOn(webpush, 'generateRequestDetails')
    const phone = browser(`${service.url}/sub/refused`)
    // The same local service, but without PUSH_ALLOW_LOOPBACK: refused.
    await expect(sendPush(phone.target, { title: 't' }, options({ endpoints: { extraHosts: [], allowLoopback: false } }))).rejects.toBeInstanceOf(
      PushEndpointRefusedError,
    )
    for (const endpoint of [
      'http://10.0.0.5/push',
      'https://169.254.169.254/latest/meta-data',
      'https://user:pw@fcm.googleapis.com/fcm/send/x',
      'https://fcm.googleapis.com.attacker.example/x',
    ]) {
      await expect(sendPush({ ...phone.target, endpoint }, { title: 't' }, options()), endpoint).rejects.toThrow(/push endpoint refused/)
    }
    expect(library).not.toHaveBeenCalled()
    expect(service.received).toHaveLength(0)
  })

  it('reports 404 and 410 as a subscription that is gone, and other refusals by their status', async () => {
    const { target } = browser('')
    expect(await sendPush({ ...target, endpoint: `${service.url}/gone/1` }, {}, options())).toEqual({ status: 410, gone: true })
    expect(await sendPush({ ...target, endpoint: `${service.url}/unknown/1` }, {}, options())).toEqual({ status: 404, gone: true })
    expect(await sendPush({ ...target, endpoint: `${service.url}/busy/1` }, {}, options())).toEqual({ status: 429, gone: false })
  })

  it('fits every message in one 4096-byte body, and refuses a larger one without sending it', async () => {
    const phone = browser(`${service.url}/sub/big`)
    const largest = 'x'.repeat(MAX_PLAINTEXT - 2) // JSON adds the two quotes
    await sendPush(phone.target, largest, options())
    expect(service.received[0]!.body).toHaveLength(4096)
    expect(JSON.parse(decrypt(service.received[0]!.body, phone.receiver, phone.authSecret).plaintext.toString())).toBe(largest)
    await expect(sendPush(phone.target, `${largest}x`, options())).rejects.toThrow(/at most 3993 bytes/)
    expect(service.received).toHaveLength(1)
  })
})

describe('where a push can go', () => {
  it('does not follow a redirect, even to another allowed endpoint', async () => {
    const elsewhere = await pushService()
    const redirecting = await pushService((_req, res) => res.writeHead(307, { location: `${elsewhere.url}/stolen` }).end())
    try {
      expect(await sendPush(browser(`${redirecting.url}/sub/1`).target, { title: 't' }, options())).toEqual({ status: 307, gone: false })
      expect(redirecting.received).toHaveLength(1)
      expect(elsewhere.received).toHaveLength(0)
    } finally {
      await Promise.all([elsewhere.close(), redirecting.close()])
    }
  })

  it('does not go through a proxy from the environment, although Node would use it for its global agent', async () => {
    const service = await pushService()
    const proxied: string[] = []
    const proxy = createServer((req, res) => {
      proxied.push(req.url ?? '')
      res.writeHead(502).end()
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
    // A separate Node process, since NODE_USE_ENV_PROXY is read at start-up. It first makes a
    // request through Node's global agent, which must reach the proxy (otherwise this Node
    // ignores the variables and the test would prove nothing), then sends a push.
    const script = `
      import http from 'node:http'
      import { sendPush } from ${JSON.stringify(fileURLToPath(new URL('./webpush.ts', import.meta.url)))}
      await new Promise((resolve, reject) => http.get(process.env.SERVICE + '/control', (res) => res.resume().on('end', resolve)).on('error', reject))
      const [target, options] = JSON.parse(process.env.PUSH)
      console.log(JSON.stringify(await sendPush(target, { title: 't' }, options)))
      process.exit(0)
    `
    try {
      const output = await new Promise<string>((resolve, reject) => {
        const env = {
          ...process.env,
          NODE_USE_ENV_PROXY: '1',
          HTTP_PROXY: proxyUrl,
          HTTPS_PROXY: proxyUrl,
          http_proxy: proxyUrl,
          https_proxy: proxyUrl,
          NO_PROXY: '',
          no_proxy: '',
        }
        const child = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], {
          env: { ...env, SERVICE: service.url, PUSH: JSON.stringify([browser(`${service.url}/sub/1`).target, options()]) },
        })
        let out = ''
        let err = ''
        child.stdout.on('data', (d: Buffer) => (out += d.toString()))
        child.stderr.on('data', (d: Buffer) => (err += d.toString()))
        child.on('error', reject)
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited with ${code}: ${err}`))))
      })
      expect(proxied).toEqual([`${service.url}/control`])
      expect(JSON.parse(output)).toEqual({ status: 201, gone: false })
      expect(service.received.map((r) => r.path)).toEqual(['/sub/1'])
    } finally {
      await Promise.all([service.close(), new Promise((resolve) => proxy.close(resolve))])
    }
  })

  it('gives up on a push service that does not answer in time, or stops halfway through its answer', async () => {
    const silent = await pushService(() => {})
    const stalling = await pushService((_req, res) => {
      res.writeHead(201)
      res.write('still')
    })
    try {
      await expect(sendPush(browser(`${silent.url}/sub/1`).target, { title: 't' }, options({ timeoutMs: 200 }))).rejects.toThrow(/did not answer within 200 ms/)
      await expect(sendPush(browser(`${stalling.url}/sub/1`).target, { title: 't' }, options({ timeoutMs: 200 }))).rejects.toThrow(
        /did not answer within 200 ms/,
      )
      expect(silent.received).toHaveLength(1)
      expect(stalling.received).toHaveLength(1)
    } finally {
      await Promise.all([silent.close(), stalling.close()])
    }
  })
})

describe('VAPID keys', () => {
  it('generates a pair that belongs together and refuses one that does not', () => {
    const a = generateVapidKeys()
    const b = generateVapidKeys()
    expect(b64(a.publicKey)).toHaveLength(65)
    expect(b64(a.privateKey)).toHaveLength(32)
    expect(() => vapidSigningKey(a)).not.toThrow()
    expect(() => vapidSigningKey({ publicKey: b.publicKey, privateKey: a.privateKey })).toThrow(/does not belong/)
  })
})

describe('push endpoints the server may contact', () => {
  const rule = { extraHosts: [], allowLoopback: false }
  it('accepts the browsers’ push services over https', () => {
    for (const url of [
      'https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b',
      'https://updates.push.services.mozilla.com/wpush/v2/gAAAAA',
      'https://web.push.apple.com/QGx1c2h5',
      'https://wns2-par02p.notify.windows.com/w/?token=BQYAAA',
    ])
      expect(endpointProblem(url, rule), url).toBeNull()
  })
  it('refuses anything else, so a member cannot make the server call internal hosts', () => {
    for (const url of [
      'http://fcm.googleapis.com/fcm/send/x',
      'https://fcm.googleapis.com:8443/fcm/send/x',
      'https://user:pw@fcm.googleapis.com/fcm/send/x',
      'https://fcm.googleapis.com.attacker.example/x',
      'https://notfcm.googleapis.com/x',
      'https://169.254.169.254/latest/meta-data',
      'https://10.0.0.5/admin',
      'https://intranet.local/push',
      'http://127.0.0.1:27017/',
      'http://localhost:3000/api/v1/admin',
      'file:///etc/passwd',
      'not a url',
    ])
      expect(endpointProblem(url, rule), url).not.toBeNull()
  })
  it('accepts loopback endpoints only when configured (tests, development), and extra hosts from the configuration', () => {
    const dev = { extraHosts: ['push.example.net'], allowLoopback: true }
    expect(endpointProblem('http://127.0.0.1:4567/push/1', dev)).toBeNull()
    expect(endpointProblem('http://localhost:4567/push/1', dev)).toBeNull()
    expect(endpointProblem('https://eu.push.example.net/p/1', dev)).toBeNull()
    expect(endpointProblem('http://10.0.0.5/push', dev)).not.toBeNull()
    expect(endpointProblem('https://eu.push.example.net/p/1', rule)).not.toBeNull()
  })
})
