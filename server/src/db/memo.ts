/**
 * A bounded in-process memory of documents read by `_id`, for reads that every request repeats
 * (sessions, member summaries, immutable stream entries). Least recently used entries go first;
 * each lives at most `ttlMs`. `forget` drops a key and remembers when, so that a read that
 * started before the change cannot store the old value after it (see `remember`).
 *
 * What a memo holds must be forgotten by whoever changes it: on every node, through an event
 * in CROSS_NODE_EVENTS, or be immutable. The lifetime bounds what a change made elsewhere (a
 * script, another node without Redis) can leave behind.
 */
export class Memo<V> {
  private readonly values = new Map<string, { value: V; until: number }>()
  private readonly forgotten = new Map<string, number>()
  private readonly limit: number
  private readonly ttlMs: number
  private everythingForgottenAt = -Infinity

  constructor(limit: number, ttlMs: number) {
    this.limit = limit
    this.ttlMs = ttlMs
  }

  get(key: string): V | undefined {
    const entry = this.values.get(key)
    if (!entry) return undefined
    if (entry.until <= Date.now()) {
      this.values.delete(key)
      return undefined
    }
    this.values.delete(key)
    this.values.set(key, entry)
    return entry.value
  }

  /** Stores a value read from `startedAt` on, unless its key was forgotten since. */
  remember(key: string, value: V, startedAt: number): void {
    if (startedAt <= this.everythingForgottenAt || startedAt <= (this.forgotten.get(key) ?? -Infinity)) return
    this.values.delete(key)
    this.values.set(key, { value, until: Date.now() + this.ttlMs })
    if (this.values.size > this.limit) this.values.delete(this.values.keys().next().value!)
  }

  /** Reads through the memo: `read` runs only for keys it does not hold (nothing is kept for null). */
  async through(key: string, read: () => Promise<V | null>): Promise<V | null> {
    const held = this.get(key)
    if (held !== undefined) return held
    const startedAt = Date.now()
    const value = await read()
    if (value !== null) this.remember(key, value, startedAt)
    return value
  }

  forget(key: string): void {
    this.values.delete(key)
    const now = Date.now()
    this.forgotten.delete(key)
    this.forgotten.set(key, now)
    // Marks older than a lifetime cannot matter any more (nothing read before them is kept).
    for (const [old, at] of this.forgotten) {
      if (at + this.ttlMs > now) break
      this.forgotten.delete(old)
    }
  }

  forgetAll(): void {
    this.values.clear()
    this.everythingForgottenAt = Date.now()
  }
}
