import { createDecipheriv, createECDH, createHmac, createPublicKey, randomBytes, verify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { endpointProblem } from './endpoints.ts'
import { encryptPayload, generateVapidKeys, vapidAuthorization, vapidSigningKey } from './webpush.ts'

const b64 = (text: string) => Buffer.from(text, 'base64url')

/**
 * The receiving side (what a browser does), written independently of webpush.ts: HKDF by hand
 * from HMAC-SHA-256 (RFC 5869), ECDH with node:crypto, AES-128-GCM, RFC 8188 record parsing.
 */
function hkdf(salt: Buffer, ikm: Buffer, info: Buffer, length: number): Buffer {
  const prk = createHmac('sha256', salt).update(ikm).digest()
  return createHmac('sha256', prk).update(Buffer.concat([info, Buffer.of(1)])).digest().subarray(0, length)
}
function decrypt(body: Buffer, receiver: ReturnType<typeof createECDH>, authSecret: Buffer): { plaintext: Buffer; recordSize: number; senderKey: Buffer } {
  const salt = body.subarray(0, 16)
  const recordSize = body.readUInt32BE(16)
  const idLength = body[20]!
  const senderKey = body.subarray(21, 21 + idLength)
  const record = body.subarray(21 + idLength)
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

function browser() {
  const receiver = createECDH('prime256v1')
  receiver.generateKeys()
  const authSecret = randomBytes(16)
  return { receiver, authSecret, target: { p256dh: receiver.getPublicKey().toString('base64url'), auth: authSecret.toString('base64url') } }
}

describe('web push message encryption (RFC 8291)', () => {
  it('reproduces the worked example of RFC 8291 appendix A byte for byte', () => {
    const body = encryptPayload(
      Buffer.from('When I grow up, I want to be a watermelon'),
      { p256dh: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4', auth: 'BTBZMqHH6r4Tts7J_aSIgg' },
      { salt: b64('DGv6ra1nlYgDCS1FRnbzlw'), senderPrivateKey: b64('yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw') },
    )
    expect(body.toString('base64url')).toBe(
      'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
    )
  })

  it('encrypts a notification that the subscribed browser can decrypt, and only it', () => {
    const { receiver, authSecret, target } = browser()
    const json = JSON.stringify({ title: 'Vernetzt', body: 'Anna möchte der Gruppe „Öl & Ölsaaten“ beitreten 🌻', url: '/groups/oel' })
    const body = encryptPayload(Buffer.from(json), target)
    const { plaintext, recordSize, senderKey } = decrypt(body, receiver, authSecret)
    expect(JSON.parse(plaintext.toString('utf8'))).toEqual(JSON.parse(json))
    expect(recordSize).toBe(4096)
    expect(senderKey).toHaveLength(65)
    // A fresh sender key and salt per message: the same text never looks the same twice.
    expect(encryptPayload(Buffer.from(json), target).equals(body)).toBe(false)
    // Another browser (or a wrong auth secret) cannot read it.
    expect(() => decrypt(body, browser().receiver, authSecret)).toThrow()
    expect(() => decrypt(body, receiver, randomBytes(16))).toThrow()
  })

  it('refuses a message larger than one record', () => {
    const { target } = browser()
    expect(() => encryptPayload(Buffer.alloc(3994, 'x'), target)).toThrow(/at most 3993/)
    expect(encryptPayload(Buffer.alloc(3993, 'x'), target)).toHaveLength(4096) // what every push service must accept
  })
})

describe('VAPID (RFC 8292)', () => {
  it('signs an ES256 token for the push service origin that verifies with the public key', () => {
    const keys = generateVapidKeys()
    const now = new Date('2025-03-01T12:00:00Z')
    const header = vapidAuthorization('https://fcm.googleapis.com/fcm/send/abc:def', keys, 'mailto:ops@vernetzt.example', now)
    const match = /^vapid t=([^.]+)\.([^.]+)\.([^,]+), k=(.+)$/.exec(header)
    expect(match).not.toBeNull()
    const [, h, c, s, k] = match!
    expect(k).toBe(keys.publicKey)
    expect(JSON.parse(b64(h!).toString())).toEqual({ typ: 'JWT', alg: 'ES256' })
    const claims = JSON.parse(b64(c!).toString()) as { aud: string; exp: number; sub: string }
    expect(claims.aud).toBe('https://fcm.googleapis.com')
    expect(claims.sub).toBe('mailto:ops@vernetzt.example')
    expect(claims.exp - now.getTime() / 1000).toBeGreaterThan(0)
    expect(claims.exp - now.getTime() / 1000).toBeLessThanOrEqual(24 * 3600)

    // What the push service does: rebuild the key from k= and check the raw r||s signature.
    const point = b64(k!)
    const publicKey = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
      format: 'jwk',
    })
    const signature = b64(s!)
    expect(signature).toHaveLength(64)
    expect(verify('sha256', Buffer.from(`${h}.${c}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true)
    expect(verify('sha256', Buffer.from(`${h}.${c}x`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(false)
  })

  it('refuses a public key that does not belong to the private key', () => {
    const a = generateVapidKeys()
    const b = generateVapidKeys()
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
    ]) expect(endpointProblem(url, rule), url).toBeNull()
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
    ]) expect(endpointProblem(url, rule), url).not.toBeNull()
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
