import { createHash } from 'node:crypto'

/** One stored anonymous answer: what is sent again, and the tags whose change forgets it. */
export interface CachedAnswer {
  status: number
  headers: Record<string, string>
  body: Buffer
  etag: string
  tags: string[]
  /** When it was rendered (ms). */
  storedAt: number
  /** Until when it is served (ms): a lifetime with some jitter, so that copies stored together do not expire together. */
  expiresAt: number
}

export interface SharedCache {
  get(key: string): Promise<CachedAnswer | null>
  set(key: string, answer: CachedAnswer): Promise<void>
  /** Forgets every answer tagged with one of `tags`. */
  forget(tags: string[]): Promise<void>
  close(): Promise<void>
}

export const etagOf = (body: Buffer): string => `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`

/**
 * The in-process cache: least recently used answers go first once either bound is reached.
 * A tag index finds the answers to forget; `invalidatedAt` remembers, for one lifetime, when
 * each tag was last invalidated, so that a render that started before an edit is not stored
 * after it (it would show the old state until it expires).
 */
export class LocalCache {
  private readonly answers = new Map<string, CachedAnswer>()
  private readonly byTag = new Map<string, Set<string>>()
  private readonly invalidatedAt = new Map<string, number>()
  private bytes = 0

  private readonly limits: { entries: number; bytes: number; ttlMs: number }
  private readonly now: () => number

  constructor(limits: { entries: number; bytes: number; ttlMs: number }, now: () => number = Date.now) {
    this.limits = limits
    this.now = now
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.answers.size, bytes: this.bytes }
  }

  get(key: string): CachedAnswer | null {
    const answer = this.answers.get(key)
    if (!answer) return null
    if (answer.expiresAt <= this.now()) {
      this.remove(key)
      return null
    }
    // Map order is the recency order: a hit moves to the end.
    this.answers.delete(key)
    this.answers.set(key, answer)
    return answer
  }

  /** Whether an answer rendered from `startedAt` on is still current for all its tags. */
  current(tags: string[], startedAt: number): boolean {
    return tags.every((tag) => (this.invalidatedAt.get(tag) ?? -Infinity) < startedAt)
  }

  set(key: string, answer: CachedAnswer): void {
    if (answer.body.length > this.limits.bytes / 8) return // one page may not push out most others
    this.remove(key)
    this.answers.set(key, answer)
    this.bytes += answer.body.length
    for (const tag of answer.tags) {
      const keys = this.byTag.get(tag) ?? new Set<string>()
      keys.add(key)
      this.byTag.set(tag, keys)
    }
    for (const oldest of this.answers.keys()) {
      if (this.answers.size <= this.limits.entries && this.bytes <= this.limits.bytes) break
      this.remove(oldest)
    }
  }

  forget(tags: string[]): void {
    const at = this.now()
    for (const tag of tags) {
      this.invalidatedAt.delete(tag)
      this.invalidatedAt.set(tag, at)
      for (const key of this.byTag.get(tag) ?? []) this.remove(key)
    }
    // Older invalidations can no longer matter: every answer rendered before them has expired.
    for (const [tag, when] of this.invalidatedAt) {
      if (when + this.limits.ttlMs > at) break
      this.invalidatedAt.delete(tag)
    }
  }

  clear(): void {
    this.answers.clear()
    this.byTag.clear()
    this.bytes = 0
  }

  private remove(key: string): void {
    const answer = this.answers.get(key)
    if (!answer) return
    this.answers.delete(key)
    this.bytes -= answer.body.length
    for (const tag of answer.tags) {
      const keys = this.byTag.get(tag)
      keys?.delete(key)
      if (keys?.size === 0) this.byTag.delete(tag)
    }
  }
}

interface RedisLike {
  get(key: string): Promise<string | null>
  multi(): {
    set(key: string, value: string, options: { PX: number }): unknown
    sAdd(key: string, member: string): unknown
    pExpire(key: string, ms: number): unknown
    del(keys: string | string[]): unknown
    exec(): Promise<unknown>
  }
  sMembers(key: string): Promise<string[]>
  quit(): Promise<unknown>
}

const PREFIX = 'vernetzt:cache:'

/**
 * The cache every node shares through Redis: answers under `answer:<key>` with their lifetime,
 * and a set per tag of the keys carrying it. Forgetting a tag deletes its keys; each node's own
 * copy is dropped by the cache.invalidated event (see plugins/public-cache.ts).
 */
export async function redisCache(url: string, onError: (error: unknown) => void): Promise<SharedCache> {
  const { createClient } = await import('redis')
  const client = createClient({ url })
  client.on('error', (error: unknown) => onError(error))
  await client.connect()
  const redis = client as unknown as RedisLike
  return {
    async get(key) {
      const raw = await redis.get(`${PREFIX}answer:${key}`)
      if (!raw) return null
      const stored = JSON.parse(raw) as Omit<CachedAnswer, 'body'> & { body: string }
      return { ...stored, body: Buffer.from(stored.body, 'base64') }
    },
    async set(key, answer) {
      const ttlMs = Math.max(1, Math.ceil(answer.expiresAt - Date.now())) // Redis takes whole milliseconds
      const tx = redis.multi()
      tx.set(`${PREFIX}answer:${key}`, JSON.stringify({ ...answer, body: answer.body.toString('base64') }), { PX: ttlMs })
      for (const tag of answer.tags) {
        tx.sAdd(`${PREFIX}tag:${tag}`, key)
        tx.pExpire(`${PREFIX}tag:${tag}`, ttlMs * 2)
      }
      await tx.exec()
    },
    async forget(tags) {
      const keys = (await Promise.all(tags.map((tag) => redis.sMembers(`${PREFIX}tag:${tag}`)))).flat()
      const tx = redis.multi()
      tx.del([...new Set(keys)].map((key) => `${PREFIX}answer:${key}`).concat(tags.map((tag) => `${PREFIX}tag:${tag}`)))
      await tx.exec()
    },
    async close() {
      await redis.quit()
    },
  }
}
