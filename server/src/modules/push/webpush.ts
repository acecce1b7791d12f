import { createCipheriv, createECDH, createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, randomBytes, sign, type KeyObject } from 'node:crypto'

/**
 * The Web Push protocol without an SDK: VAPID (RFC 8292) to identify us to the browser's push
 * service, message encryption (RFC 8291, the aes128gcm coding of RFC 8188) so only the
 * subscribed browser can read a message, and the POST itself (RFC 8030).
 */

/** A browser's subscription as PushSubscription.toJSON() gives it. */
export interface PushTarget {
  endpoint: string
  /** The browser's P-256 public key, uncompressed point, base64url. */
  p256dh: string
  /** The browser's 16-byte authentication secret, base64url. */
  auth: string
}

/** Raw keys in base64url: the public key an uncompressed P-256 point (65 bytes), the private key its scalar (32 bytes). */
export interface VapidKeys {
  publicKey: string
  privateKey: string
}

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')
const fromB64url = (text: string) => Buffer.from(text, 'base64url')

export function generateVapidKeys(): VapidKeys {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const jwk = privateKey.export({ format: 'jwk' })
  return { publicKey: b64url(Buffer.concat([Buffer.of(4), fromB64url(jwk.x!), fromB64url(jwk.y!)])), privateKey: jwk.d! }
}

/** The private key as a KeyObject; throws when the two halves do not belong together. */
export function vapidSigningKey(keys: VapidKeys): KeyObject {
  const point = fromB64url(keys.publicKey)
  const d = fromB64url(keys.privateKey)
  if (point.length !== 65 || point[0] !== 4) throw new Error('the VAPID public key must be an uncompressed P-256 point (65 bytes, base64url)')
  if (d.length !== 32) throw new Error('the VAPID private key must be a 32-byte P-256 scalar (base64url)')
  const key = createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', d: b64url(d), x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33)) },
    format: 'jwk',
  })
  // Node checks the point is on the curve, not that it is d·G: derive it and compare.
  const ecdh = createECDH('prime256v1')
  ecdh.setPrivateKey(d)
  if (!ecdh.getPublicKey().equals(point)) throw new Error('the VAPID public key does not belong to the private key')
  return key
}

/**
 * `Authorization: vapid t=<JWT>, k=<public key>` (RFC 8292). The token is good for 12 hours
 * (push services refuse more than 24) and is bound to the push service's origin.
 */
export function vapidAuthorization(endpoint: string, keys: VapidKeys, subject: string, now = new Date(), signingKey = vapidSigningKey(keys)): string {
  const header = b64url(Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ES256' })))
  const claims = b64url(Buffer.from(JSON.stringify({ aud: new URL(endpoint).origin, exp: Math.floor(now.getTime() / 1000) + 12 * 3600, sub: subject })))
  const signature = sign('sha256', Buffer.from(`${header}.${claims}`), { key: signingKey, dsaEncoding: 'ieee-p1363' })
  return `vapid t=${header}.${claims}.${b64url(signature)}, k=${keys.publicKey}`
}

/** One aes128gcm record holds at most this much plaintext (4096 minus header, tag and delimiter). */
export const MAX_PLAINTEXT = 3993
const RECORD_SIZE = 4096

/**
 * Encrypts `plaintext` for one subscription as a single aes128gcm record (RFC 8291 §3.4):
 * an ephemeral ECDH key per message, the auth secret mixed in through HKDF, and the sender's
 * public key in the record header so the browser can derive the same key. `salt` and
 * `senderPrivateKey` are only passed by tests (the RFC's worked example).
 */
export function encryptPayload(
  plaintext: Uint8Array,
  target: Pick<PushTarget, 'p256dh' | 'auth'>,
  fixed: { salt?: Uint8Array; senderPrivateKey?: Uint8Array } = {},
): Buffer {
  if (plaintext.length > MAX_PLAINTEXT) throw new Error(`a push message holds at most ${MAX_PLAINTEXT} bytes`)
  const uaPublic = fromB64url(target.p256dh)
  const authSecret = fromB64url(target.auth)
  const sender = createECDH('prime256v1')
  if (fixed.senderPrivateKey) sender.setPrivateKey(Buffer.from(fixed.senderPrivateKey))
  else sender.generateKeys()
  const asPublic = sender.getPublicKey()
  const ecdhSecret = sender.computeSecret(uaPublic)
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic])
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, authSecret, keyInfo, 32))
  const salt = Buffer.from(fixed.salt ?? randomBytes(16))
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16))
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12))
  const cipher = createCipheriv('aes-128-gcm', cek, nonce)
  // 0x02 marks the last (and only) record; no padding.
  const body = Buffer.concat([cipher.update(plaintext), cipher.update(Buffer.of(2)), cipher.final(), cipher.getAuthTag()])
  const header = Buffer.alloc(21)
  salt.copy(header, 0)
  header.writeUInt32BE(RECORD_SIZE, 16)
  header.writeUInt8(asPublic.length, 20)
  return Buffer.concat([header, asPublic, body])
}

/** Throws unless the subscription's keys are a P-256 point and a 16-byte secret. */
export function checkTargetKeys(target: Pick<PushTarget, 'p256dh' | 'auth'>): void {
  const point = fromB64url(target.p256dh)
  if (point.length !== 65 || point[0] !== 4) throw new Error('p256dh must be an uncompressed P-256 point')
  // Rejects points that are not on the curve.
  createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33)) }, format: 'jwk' })
  if (fromB64url(target.auth).length !== 16) throw new Error('auth must be 16 bytes')
}

export interface SendOptions {
  keys: VapidKeys
  subject: string
  /** Seconds the push service keeps the message for an offline browser. */
  ttl: number
  urgency: 'very-low' | 'low' | 'normal' | 'high'
  /** A message with the same topic replaces an undelivered one (RFC 8030 §5.4). */
  topic?: string
  now?: Date
  signingKey?: KeyObject
}

export interface SendResult {
  status: number
  /** The push service says the subscription no longer exists (404/410): forget it. */
  gone: boolean
}

/** Encrypts and POSTs one message. The caller decides whether the endpoint may be contacted at all. */
export async function sendPush(target: PushTarget, payload: unknown, options: SendOptions): Promise<SendResult> {
  const body = encryptPayload(Buffer.from(JSON.stringify(payload)), target)
  const res = await fetch(target.endpoint, {
    method: 'POST',
    headers: {
      authorization: vapidAuthorization(target.endpoint, options.keys, options.subject, options.now, options.signingKey),
      'content-encoding': 'aes128gcm',
      'content-type': 'application/octet-stream',
      ttl: String(options.ttl),
      urgency: options.urgency,
      ...(options.topic ? { topic: options.topic } : {}),
    },
    body: new Uint8Array(body),
    // A redirect could point anywhere, including inside our network: never follow one.
    redirect: 'manual',
    signal: AbortSignal.timeout(10_000),
  })
  await res.arrayBuffer().catch(() => undefined)
  return { status: res.status, gone: res.status === 404 || res.status === 410 }
}
