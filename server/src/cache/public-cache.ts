import { AsyncLocalStorage } from 'node:async_hooks'
import { LocalCache, etagOf, type CachedAnswer, type SharedCache } from './store.ts'
import { SERVER_TTL_MS } from './policy.ts'

/** What a page render collects from the API reads it makes (through the in-process bridge). */
export interface RenderScope {
  tags: Set<string>
  /** A read that is not cached (and so not tagged) makes the page uncacheable. */
  untagged: boolean
  /** Set when the page is a signed-in member's own, cached for them alone. */
  member?: string
}

export interface CacheStats {
  hits: number
  misses: number
  stored: number
  forgotten: number
}

/**
 * Anonymous answers, kept in this process (LRU, bounded) and, with Redis, shared by every node.
 * A lookup tries memory, then Redis (copying a hit into memory). Invalidation forgets tags in
 * Redis once and in every node's memory through the cache.invalidated event.
 */
export class PublicCache {
  readonly local: LocalCache
  readonly stats: CacheStats = { hits: 0, misses: 0, stored: 0, forgotten: 0 }
  private readonly scopes = new AsyncLocalStorage<RenderScope>()

  private readonly shared: SharedCache | null
  private readonly onError: (error: unknown) => void

  constructor(shared: SharedCache | null, onError: (error: unknown) => void, limits = { entries: 5_000, bytes: 64 << 20 }) {
    this.shared = shared
    this.onError = onError
    this.local = new LocalCache({ ...limits, ttlMs: SERVER_TTL_MS })
  }

  async lookup(key: string): Promise<CachedAnswer | null> {
    let answer = this.local.get(key)
    if (!answer && this.shared) {
      answer = await this.shared.get(key).catch((error: unknown) => {
        this.onError(error)
        return null
      })
      if (answer && answer.expiresAt > Date.now() && this.local.current(answer.tags, answer.storedAt)) this.local.set(key, answer)
      else answer = null
    }
    if (answer) this.stats.hits++
    else this.stats.misses++
    return answer
  }

  /** Stores an answer rendered from `startedAt` on, unless one of its tags changed meanwhile. */
  async store(key: string, input: Omit<CachedAnswer, 'etag' | 'storedAt' | 'expiresAt'>, startedAt: number): Promise<CachedAnswer> {
    const expiresAt = Math.round(startedAt + SERVER_TTL_MS * (0.75 + Math.random() * 0.25))
    const answer: CachedAnswer = { ...input, etag: etagOf(input.body), storedAt: startedAt, expiresAt }
    if (!this.local.current(answer.tags, startedAt)) return answer
    this.local.set(key, answer)
    this.stats.stored++
    await this.shared?.set(key, answer).catch((error: unknown) => this.onError(error))
    return answer
  }

  /** Forgets the tags in Redis; every node's memory forgets them in `forgetHere` (by event). */
  async forgetShared(tags: string[]): Promise<void> {
    if (tags.length === 0) return
    await this.shared?.forget(tags).catch((error: unknown) => this.onError(error))
  }

  forgetHere(tags: string[]): void {
    this.stats.forgotten += tags.length
    this.local.forget(tags)
  }

  /** Runs a page render with a scope that the API reads it makes add their tags to. */
  render<T>(scope: RenderScope, run: () => T): T {
    return this.scopes.run(scope, run)
  }

  /** The render this API read belongs to, if any. */
  scope(): RenderScope | undefined {
    return this.scopes.getStore()
  }

  async close(): Promise<void> {
    this.local.clear()
    await this.shared?.close().catch(() => {})
  }
}
