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

  set(key: K, value: V): V {
    this.entries.delete(key) // re-inserted at the end: the oldest entries are evicted first
    this.entries.set(key, { value, until: Date.now() + this.ttlMs })
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as K)
    return value
  }

  /** Changes a remembered value in place, keeping its expiry; absent keys stay absent. */
  update(key: K, change: (value: V) => V): void {
    const entry = this.entries.get(key)
    if (entry) entry.value = change(entry.value)
  }

  /** Forgets every remembered key that `matches` (a scan: for rare events such as a move). */
  deleteWhere(matches: (key: K) => boolean): void {
    for (const key of [...this.entries.keys()]) if (matches(key)) this.entries.delete(key)
  }

  delete(key: K): void {
    this.entries.delete(key)
  }

  clear(): void {
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
