import { createECDH, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import http from 'node:http'
import https from 'node:https'
import webpush from 'web-push'
import { endpointProblem, type EndpointRule } from './endpoints.ts'

/**
 * Web Push (RFC 8030) through the `web-push` library: it signs the VAPID token (RFC 8292) and
 * encrypts the message (RFC 8291, aes128gcm). We only build its request with
 * `generateRequestDetails` and make the POST ourselves, because the transport is where the
 * safety rules live:
 * - the endpoint allow-list (endpoints.ts) is checked before the library sees the subscription;
 * - node:http never follows a redirect, so a push service cannot send us to another host;
 * - our own agents, not Node's global ones, which NODE_USE_ENV_PROXY points at HTTP(S)_PROXY
 *   (and fetch, which does the same), so the environment cannot route pushes through a proxy;
 * - http as well as https, for the loopback endpoints that PUSH_ALLOW_LOOPBACK allows in
 *   tests (the library's own sendNotification speaks https only).
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
  const { publicKey, privateKey } = webpush.generateVAPIDKeys()
  return { publicKey, privateKey }
}

/**
 * Checks that the two halves belong together (web-push only checks their lengths, and a
 * mismatched pair makes every push fail at the push service) and returns the private key.
 */
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

/** Throws unless the subscription's keys are a P-256 point and a 16-byte secret (web-push checks lengths only). */
export function checkTargetKeys(target: Pick<PushTarget, 'p256dh' | 'auth'>): void {
  const point = fromB64url(target.p256dh)
  if (point.length !== 65 || point[0] !== 4) throw new Error('p256dh must be an uncompressed P-256 point')
  // Rejects points that are not on the curve.
  createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64url(point.subarray(1, 33)), y: b64url(point.subarray(33)) }, format: 'jwk' })
  if (fromB64url(target.auth).length !== 16) throw new Error('auth must be 16 bytes')
}

/**
 * The largest JSON message that fits one 4096-byte body, the size every push service must
 * accept (RFC 8030 §7.2): 4096 minus the record header with our key (86), the delimiter (1)
 * and the tag (16). web-push would split a longer one into records that services refuse.
 */
export const MAX_PLAINTEXT = 3993

/** Time for the whole exchange with the push service, answer included. */
export const SEND_TIMEOUT_MS = 10_000

export interface SendOptions {
  keys: VapidKeys
  subject: string
  /** Which endpoints may be contacted; checked before anything else happens. */
  endpoints: EndpointRule
  /** Seconds the push service keeps the message for an offline browser. */
  ttl: number
  urgency: 'very-low' | 'low' | 'normal' | 'high'
  /** A message with the same topic replaces an undelivered one (RFC 8030 §5.4). */
  topic?: string
  timeoutMs?: number
  /**
   * Not used: web-push dates the token by the real clock (which is what the push service
   * checks it against) and takes the raw private key. Kept so callers compile unchanged.
   * @deprecated
   */
  now?: Date
  /** @deprecated Not used, see `now`. */
  signingKey?: KeyObject
}

export interface SendResult {
  status: number
  /** The push service says the subscription no longer exists (404/410): forget it. */
  gone: boolean
}

/** Thrown, before any request is built, for an endpoint the allow-list refuses. */
export class PushEndpointRefusedError extends Error {
  readonly problem: string
  constructor(problem: string) {
    super(`push endpoint refused: ${problem}`)
    this.name = 'PushEndpointRefusedError'
    this.problem = problem
  }
}

// Our own agents: Node's global ones follow HTTP(S)_PROXY when NODE_USE_ENV_PROXY is set.
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) }

/** Encrypts and POSTs one message, if the allow-list lets us contact the endpoint at all. */
export async function sendPush(target: PushTarget, payload: unknown, options: SendOptions): Promise<SendResult> {
  const problem = endpointProblem(target.endpoint, options.endpoints)
  if (problem) throw new PushEndpointRefusedError(problem)
  const plaintext = Buffer.from(JSON.stringify(payload))
  if (plaintext.length > MAX_PLAINTEXT) throw new Error(`a push message holds at most ${MAX_PLAINTEXT} bytes`)
  const request = webpush.generateRequestDetails({ endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } }, plaintext, {
    vapidDetails: { subject: options.subject, publicKey: options.keys.publicKey, privateKey: options.keys.privateKey },
    contentEncoding: 'aes128gcm',
    TTL: options.ttl,
    urgency: options.urgency,
    ...(options.topic ? { topic: options.topic } : {}),
  })
  // To the endpoint just checked, whatever the library's details say.
  const status = await post(new URL(target.endpoint), request.headers, request.body, options.timeoutMs ?? SEND_TIMEOUT_MS)
  return { status, gone: status === 404 || status === 410 }
}

/** One POST; resolves with the status once the answer has been read (and dropped). */
function post(url: URL, headers: Record<string, string | number>, body: Buffer | null, timeoutMs: number): Promise<number> {
  const protocol = url.protocol
  if (protocol !== 'http:' && protocol !== 'https:') return Promise.reject(new Error(`cannot POST to ${protocol}`))
  const transport = protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const settle = (error: Error | null, status = 0) => {
      clearTimeout(timer)
      if (error) reject(error)
      else resolve(status)
    }
    const req = transport.request(url, { method: 'POST', headers, agent: agents[protocol] }, (res) => {
      res.on('error', settle)
      res.on('end', () => settle(null, res.statusCode ?? 0))
      res.resume()
    })
    // The whole exchange, not only an idle socket: a service that trickles its answer is cut off too.
    const timer = setTimeout(() => {
      const error = new Error(`the push service did not answer within ${timeoutMs} ms`)
      settle(error)
      req.destroy(error)
    }, timeoutMs)
    req.on('error', settle)
    req.end(body ?? undefined)
  })
}
