import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { AppError } from '@vernetzt/shared/errors'
import type { PaymentEvent } from '@vernetzt/shared/schemas/commerce'

/**
 * What Vernetzt needs from a payment provider: a payment to send the buyer to, and a way to
 * trust the provider's webhook. A real provider (Stripe, Mollie, PayPal) is one more
 * implementation of this interface; orders and commissions never see which one it is.
 */
export interface PaymentProvider {
  readonly name: string
  /** Starts a payment for an order; the reference comes back in every webhook about it. */
  createPayment(order: { id: string; number: string; totalCents: number; currency: string }): Promise<{ reference: string; checkoutUrl: string | null }>
  /** Checks the webhook's signature over the raw body and returns the event it carries. */
  verifyWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): PaymentEvent
}

export const SIGNATURE_HEADER = 'x-vernetzt-signature'
/** A signature older than this is refused, so a captured webhook cannot be replayed days later. */
const SIGNATURE_MAX_AGE_S = 24 * 3600

/** "t=<unix seconds>,v1=<hex HMAC-SHA256 of `${t}.${body}`>", like Stripe's scheme. */
export function signWebhook(secret: string, rawBody: string | Buffer, at = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${at}.`).update(rawBody).digest('hex')
  return `t=${at},v1=${mac}`
}

/**
 * The bundled provider for tests, demos and development: payments are confirmed by a webhook
 * signed with PAYMENT_WEBHOOK_SECRET (the test checkout page or a test sends it).
 */
export class TestPaymentProvider implements PaymentProvider {
  readonly name = 'test'
  readonly #secret: string
  readonly #publicUrl: string

  constructor(secret: string, publicUrl: string) {
    this.#secret = secret
    this.#publicUrl = publicUrl
  }

  async createPayment(order: { id: string }) {
    const reference = `test_${randomBytes(12).toString('hex')}`
    return { reference, checkoutUrl: `${this.#publicUrl}/orders/${order.id}` }
  }

  verifyWebhook(rawBody: Buffer, headers: Record<string, string | string[] | undefined>, now = Date.now()): PaymentEvent {
    const header = headers[SIGNATURE_HEADER]
    const value = Array.isArray(header) ? header[0] : header
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(value ?? '')
    const refused = new AppError('WEBHOOK_SIGNATURE_INVALID', 'The webhook signature is missing or wrong.')
    if (!match) throw refused
    const at = Number(match[1])
    if (Math.abs(now / 1000 - at) > SIGNATURE_MAX_AGE_S) throw refused
    const expected = Buffer.from(signWebhook(this.#secret, rawBody, at).slice(-64), 'hex')
    if (!timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'))) throw refused
    try {
      return JSON.parse(rawBody.toString('utf8')) as PaymentEvent
    } catch {
      throw new AppError('VALIDATION_FAILED', 'The webhook body is not JSON.')
    }
  }
}
