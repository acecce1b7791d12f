import { AppError } from '@vernetzt/shared/errors'

/**
 * Token buckets per sender, in this process. A sender gets `perMinute` actions a minute and may
 * spend a quarter of that at once. Counting per node is enough for flood protection: a client
 * keeps its socket on one node, so its burst lands on one bucket.
 */
export class SenderLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>()
  readonly #perMinute: number
  readonly #burst: number
  readonly #what: string

  constructor(perMinute: number, what: string) {
    this.#perMinute = perMinute
    this.#burst = Math.max(1, Math.ceil(perMinute / 4))
    this.#what = what
  }

  /** Takes one token or throws RATE_LIMITED with the seconds until the next one. */
  take(senderId: string, now = Date.now()): void {
    const bucket = this.#buckets.get(senderId) ?? { tokens: this.#burst, at: now }
    const tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.at) / 60_000) * this.#perMinute)
    if (tokens < 1) {
      const retryAfter = Math.ceil(((1 - tokens) * 60) / this.#perMinute)
      this.#buckets.set(senderId, { tokens, at: now })
      throw new AppError('RATE_LIMITED', `You are sending ${this.#what} too fast. Try again in ${retryAfter} s.`, { retryAfter })
    }
    this.#buckets.set(senderId, { tokens: tokens - 1, at: now })
    if (this.#buckets.size > 50_000) this.#prune(now)
  }

  /** Gives back a token taken for what turned out to be a resend of an earlier message. */
  refund(senderId: string): void {
    const bucket = this.#buckets.get(senderId)
    if (bucket) bucket.tokens = Math.min(this.#burst, bucket.tokens + 1)
  }

  /** Full buckets carry no information; dropping them bounds the memory. */
  #prune(now: number): void {
    for (const [id, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.at) / 60_000) * this.#perMinute >= this.#burst) this.#buckets.delete(id)
    }
  }
}
