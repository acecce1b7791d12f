import fp from 'fastify-plugin'
import { AppError } from '@vernetzt/shared/errors'
import type { FastifyRequest } from 'fastify'

/**
 * Request limits: fixed windows of one minute, per member (or per client IP before sign-in).
 * Counted in this process, or in Redis when REDIS_URL is set so every node counts together.
 *
 * - every state-changing API request by a member: WRITE_RATE_LIMIT a minute;
 * - what reaches other people or costs real work (routes with `config.limits`): posts, comments,
 *   reports, uploads, new conversations: CONTENT_RATE_LIMIT a minute; sign-in and registration:
 *   AUTH_RATE_LIMIT a minute per IP; heavy reads: HEAVY_READS a minute per member.
 */
export type LimitName = 'content' | 'auth' | 'heavy'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Extra limits this route counts against (see plugins/limits.ts). */
    limits?: LimitName[]
  }
  interface FastifyInstance {
    limiter: Limiter
  }
}

const WINDOW_MS = 60_000
const HEAVY_READS = 30
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export interface Limiter {
  /** Counts one hit on `key`; answers the seconds to wait when the window already holds `max`. */
  hit(key: string, max: number, windowMs?: number): Promise<number | null>
}

/** In this process: one counter per key and window, pruned as windows pass. */
export class MemoryLimiter implements Limiter {
  readonly #windows = new Map<string, { count: number; endsAt: number }>()

  async hit(key: string, max: number, windowMs = WINDOW_MS, now = Date.now()): Promise<number | null> {
    let window = this.#windows.get(key)
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + windowMs }
      this.#windows.set(key, window)
      if (this.#windows.size > 100_000) this.#prune(now)
    }
    window.count += 1
    return window.count > max ? Math.max(1, Math.ceil((window.endsAt - now) / 1000)) : null
  }

  #prune(now: number): void {
    for (const [key, window] of this.#windows) if (window.endsAt <= now) this.#windows.delete(key)
  }
}

interface RedisLike {
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
}

/** INCR with an expiry set by the first hit of a window, as one atomic script. */
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { n, redis.call('PTTL', KEYS[1]) }
`

/** Shared by every node through Redis. If Redis fails, this node counts alone meanwhile rather than refusing everyone. */
export class RedisLimiter implements Limiter {
  readonly #redis: RedisLike
  readonly #fallback = new MemoryLimiter()
  readonly #onError: (error: unknown) => void

  constructor(redis: RedisLike, onError: (error: unknown) => void) {
    this.#redis = redis
    this.#onError = onError
  }

  async hit(key: string, max: number, windowMs = WINDOW_MS): Promise<number | null> {
    try {
      const [count, ttl] = (await this.#redis.eval(HIT_SCRIPT, { keys: [`vz:limit:${key}`], arguments: [String(windowMs)] })) as [number, number]
      return count > max ? Math.max(1, Math.ceil(ttl / 1000)) : null
    } catch (error) {
      this.#onError(error)
      return this.#fallback.hit(key, max, windowMs)
    }
  }
}

export function rateLimited(retryAfter: number, what = 'requests'): AppError {
  return new AppError('RATE_LIMITED', `Too many ${what}. Try again in ${retryAfter} s.`, { retryAfter })
}

export default fp(
  async (app) => {
    const { config } = app.ctx
    let limiter: Limiter = new MemoryLimiter()
    if (config.redisUrl) {
      const { createClient } = await import('redis')
      const client = createClient({ url: config.redisUrl })
      client.on('error', (error) => app.log.warn({ err: error }, 'redis (limits) error'))
      await client.connect()
      app.addHook('onClose', async () => {
        await client.quit().catch(() => {})
      })
      limiter = new RedisLimiter(client as unknown as RedisLike, (error) =>
        app.log.warn({ err: error }, 'shared rate limit unavailable; counting on this node'),
      )
    }
    app.decorate('limiter', limiter)

    const budgets: Record<LimitName, { max: number; by: (request: FastifyRequest) => string; what: string }> = {
      content: { max: config.limits.content, by: (r) => r.actor?.id ?? `ip:${r.ip}`, what: 'posts, comments, reports and uploads' },
      auth: { max: config.authRateLimit, by: (r) => `ip:${r.ip}`, what: 'attempts' },
      heavy: { max: HEAVY_READS, by: (r) => r.actor?.id ?? `ip:${r.ip}`, what: 'searches' },
    }
    app.addHook('onRequest', async (request, reply) => {
      if (!request.url.startsWith('/api/')) return
      const checks: Array<[string, number, string]> = []
      if (request.actor && UNSAFE.has(request.method)) checks.push([`w:${request.actor.id}`, config.limits.writes, 'changes'])
      for (const name of request.routeOptions.config?.limits ?? []) {
        const budget = budgets[name]
        checks.push([`${name}:${budget.by(request)}`, budget.max, budget.what])
      }
      for (const [key, max, what] of checks) {
        const retryAfter = await limiter.hit(key, max)
        if (retryAfter !== null) {
          void reply.header('retry-after', String(retryAfter))
          throw rateLimited(retryAfter, what)
        }
      }
    })
  },
  { name: 'limits', dependencies: ['context', 'auth'] },
)
