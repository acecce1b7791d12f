import type { MemberSummary } from '@vernetzt/shared/schemas/common'
import type { Types } from 'mongoose'
import type { ConversationDoc } from './model.ts'

/**
 * A bounded map whose entries expire. The chat's send path keeps here what it would otherwise
 * read from the database for every message (who is in a conversation, who blocked whom, each
 * participant's read state), so that a message costs a share of a few batched writes instead of
 * some thirty single reads and writes.
 */
export class Memory<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>()
  /** Keys being read from the database → how often they were changed meanwhile. */
  private readonly loading = new Map<K, { readers: number; changes: number }>()

  private readonly ttlMs: number
  private readonly max: number

  constructor(ttlMs: number, max = 20_000) {
    this.ttlMs = ttlMs
    this.max = max
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    if (entry.until < Date.now()) {
      this.entries.delete(key)
      return undefined
    }
    return entry.value
  }

  /**
   * The remembered value, or the one `fetch` reads, remembered unless this node changed the key
   * while it was being read: a read that started before a write (a read mark) may return the
   * older state, which must not then stand in memory for the next ten seconds.
   */
  async load(key: K, fetch: () => Promise<V | null>): Promise<V | null> {
    const known = this.get(key)
    if (known !== undefined) return known
    const mark = this.loading.get(key) ?? { readers: 0, changes: 0 }
    this.loading.set(key, mark)
    mark.readers++
    const changes = mark.changes
    try {
      const value = await fetch()
      if (value === null) return null
      return mark.changes === changes ? this.set(key, value) : value
    } finally {
      if (--mark.readers === 0) this.loading.delete(key)
    }
  }

  private changed(key: K): void {
    const mark = this.loading.get(key)
    if (mark) mark.changes++
  }

  set(key: K, value: V): V {
    this.entries.delete(key) // re-inserted at the end: the oldest entries are evicted first
    this.entries.set(key, { value, until: Date.now() + this.ttlMs })
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as K)
    return value
  }

  /** Changes a remembered value in place, keeping its expiry; absent keys stay absent. */
  update(key: K, change: (value: V) => V): void {
    this.changed(key)
    const entry = this.entries.get(key)
    if (entry) entry.value = change(entry.value)
  }

  /** Forgets every remembered key that `matches` (a scan: for rare events such as a move). */
  deleteWhere(matches: (key: K) => boolean): void {
    for (const key of this.loading.keys()) if (matches(key)) this.changed(key)
    for (const key of [...this.entries.keys()]) if (matches(key)) this.entries.delete(key)
  }

  delete(key: K): void {
    this.changed(key)
    this.entries.delete(key)
  }

  clear(): void {
    for (const mark of this.loading.values()) mark.changes++
    this.entries.clear()
  }
}

/** What the send path needs to know about a conversation; none of it changes after creation. */
export type ConversationInfo = Pick<ConversationDoc, '_id' | 'kind' | 'title' | 'groupId' | 'participantIds' | 'createdBy'>

/** An author as messages show them, and whose blocks decide who sees their messages. */
export interface AuthorInfo {
  summary: MemberSummary
  blocked: Types.ObjectId[]
  blockedBy: Types.ObjectId[]
}
