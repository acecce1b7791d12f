import type { JobCollections, JobEntryDoc } from './model.ts'

/**
 * The due list: how runners find work without a query. Time is cut into slots of SLOT_MS; a job
 * that should be looked at at time t gets an entry `<slot start>#<n>` in t's slot, numbered by
 * the slot's head (one atomic `$inc`). A runner reads, for every slot from the low mark to now,
 * the head and the entries it has not seen yet — all by `_id` — and keeps in memory what it
 * could not settle yet. A slot whose entries are all settled, and which ended more than GRACE_MS
 * ago (no entry can still be on its way into it), is passed: the low mark (`$max`, shared by all
 * runners) moves beyond it, so a runner that starts later begins there.
 *
 * Why not `find({ state: 'pending', runAt: { $lte: now } })`? On MongoDB an index would answer
 * it; FerretDB 1.x reads the whole collection for it, and a claim by `findOneAndUpdate` with such
 * a filter holds its write lock while it reads (see README, Background jobs, for the figures).
 * Entries are hints: the job document decides (an entry that is not the job's `entry` is stale).
 *
 * SLOT_MS is part of the stored format (slot starts are multiples of it): every node must agree.
 */
export const SLOT_MS = 10_000
/** How long after a slot's end an entry may still be written into it (clock skew between nodes, a slow write). */
export const GRACE_MS = 30_000

export const slotOf = (t: number) => Math.floor(t / SLOT_MS) * SLOT_MS
const LOW = 'low'
/** Entries of one slot read in one round (a burst of enqueues is taken in parts). */
const READ_BATCH = 500
const FAILED = 'failed'
/** First wait before looking again at an entry its job does not point at (yet); doubles per look. */
const RECHECK_MS = 250

export class DueList {
  readonly #c: JobCollections
  /** Whether this process has made sure the low mark is at or below what it writes. */
  #lowSet = false

  constructor(collections: JobCollections) {
    this.#c = collections
  }

  /** Appends "look at `job` at `at`" (never into a slot that may already be passed) and returns the entry's id. */
  async add(job: string, name: string, at: Date, kind: 'run' | 'purge'): Promise<string> {
    const now = Date.now()
    if (!this.#lowSet) {
      // The first write of a process: a runner that never ran yet must start no later than now.
      // Later writes land in this slot or after it, and the low mark only passes finished slots.
      await this.lowerLow(slotOf(now))
      this.#lowSet = true
    }
    const slot = slotOf(Math.max(at.getTime(), now))
    return this.#append(`${slot}`, { job, name, at, kind })
  }

  /** Numbers a job that gave up in the operator's `failed` list. */
  async addFailed(job: string, name: string, at: Date): Promise<void> {
    await this.#append(FAILED, { job, name, at, kind: 'failed' })
  }

  async #append(list: string, fields: Omit<JobEntryDoc, '_id'>): Promise<string> {
    const head = await this.#c.marks.findOneAndUpdate({ _id: list }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' })
    const _id = `${list}#${head!.seq}`
    // A crash between the two writes leaves a number without an entry: readers skip it once
    // the slot is over (see SlotReader), so nothing waits for it forever.
    await this.#c.entries.insertOne({ _id, ...fields })
    return _id
  }

  async low(): Promise<number | null> {
    return (await this.#c.marks.findOne({ _id: LOW }))?.seq ?? null
  }

  /** Everything below `slot` is settled. */
  async raiseLow(slot: number): Promise<void> {
    await this.#c.marks.updateOne({ _id: LOW }, { $max: { seq: slot } }, { upsert: true })
  }

  /** There may be work from `slot` on (a first enqueue, a first start). */
  async lowerLow(slot: number): Promise<void> {
    await this.#c.marks.updateOne({ _id: LOW }, { $min: { seq: slot } }, { upsert: true })
  }

  async head(slot: number): Promise<number> {
    return (await this.#c.marks.findOne({ _id: `${slot}` }))?.seq ?? 0
  }

  /** Entries `from..to` of a slot, null where a number has no entry (yet). */
  async entries(slot: number, from: number, to: number): Promise<Array<JobEntryDoc | null>> {
    const ids = Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => `${slot}#${from + i}`)
    return Promise.all(ids.map((_id) => this.#c.entries.findOne({ _id })))
  }

  /** The operator's list of jobs that gave up, newest first: ids, each once. */
  async failedJobs(limit: number): Promise<string[]> {
    const head = (await this.#c.marks.findOne({ _id: FAILED }))?.seq ?? 0
    const out: string[] = []
    for (let n = head; n >= 1 && out.length < limit; n -= 50) {
      const ids = Array.from({ length: Math.min(50, n) }, (_, i) => `${FAILED}#${n - i}`)
      for (const e of await Promise.all(ids.map((_id) => this.#c.entries.findOne({ _id })))) {
        if (e && !out.includes(e.job)) out.push(e.job)
      }
    }
    return out.slice(0, limit)
  }
}

/** What one runner knows about one slot: how far it has read, and what it could not settle yet. */
export interface SlotView {
  seen: number
  /** The head was read after the slot's grace ended: no further entries can appear. */
  final: boolean
  /** Unsettled entries by number; null: the number is taken but its entry was not there. */
  open: Map<number, JobEntryDoc | null>
}

/**
 * One runner's window over the due list, from the low mark to the current slot. `refresh` reads
 * what is new; the runner settles open entries and calls `advance` to pass finished slots.
 */
export class SlotReader {
  readonly #list: DueList
  readonly #views = new Map<number, SlotView>()
  low: number | null = null

  constructor(list: DueList) {
    this.#list = list
  }

  /**
   * Reads new heads and entries (at most `maxReads` slots that need reading, at most READ_BATCH
   * entries of each) and returns the window's slots; `more` says that reading was cut short.
   */
  async refresh(now: number, maxReads: number): Promise<{ views: Array<[number, SlotView]>; more: boolean }> {
    const stored = await this.#list.low()
    if (this.low === null) this.low = stored ?? slotOf(now)
    if (stored !== null && stored > this.low) this.low = stored // another runner passed these
    for (const slot of this.#views.keys()) if (slot < this.low) this.#views.delete(slot)
    const window: Array<[number, SlotView]> = []
    const toRead: Array<[number, SlotView]> = []
    let more = false
    for (let s = this.low; s <= slotOf(now); s += SLOT_MS) {
      const view = this.#views.get(s) ?? { seen: 0, final: false, open: new Map<number, JobEntryDoc | null>() }
      const needsRead = !view.final || [...view.open.values()].includes(null)
      if (needsRead && toRead.length === maxReads) {
        more = true
        break
      }
      this.#views.set(s, view)
      window.push([s, view])
      if (needsRead) toRead.push([s, view])
    }
    const cut = await Promise.all(toRead.map(([slot, view]) => this.#read(slot, view, now)))
    return { views: window, more: more || cut.includes(true) }
  }

  /** Brings one slot's view up to date; true if entries were left for the next round. */
  async #read(slot: number, view: SlotView, now: number): Promise<boolean> {
    // Numbers whose entry was missing: an append in flight, or a writer that died in between.
    for (const [n, e] of view.open) {
      if (e !== null) continue
      const [found] = await this.#list.entries(slot, n, n)
      if (found) view.open.set(n, found)
      else if (view.final) view.open.delete(n) // the slot is over: it never comes
    }
    if (view.final) return false
    const final = slot + SLOT_MS + GRACE_MS <= now // decided before the head is read
    const head = await this.#list.head(slot)
    const to = Math.min(head, view.seen + READ_BATCH)
    if (to > view.seen) {
      const fresh = await this.#list.entries(slot, view.seen + 1, to)
      fresh.forEach((e, i) => view.open.set(view.seen + 1 + i, e))
      view.seen = to
    }
    view.final = final && to === head
    return to < head
  }

  /** Passes every leading slot that is over and settled; stores the new low mark if it moved. */
  async advance(): Promise<void> {
    if (this.low === null) return
    const from = this.low
    for (let view = this.#views.get(this.low); view?.final && view.open.size === 0; view = this.#views.get(this.low)) {
      this.#views.delete(this.low)
      this.low += SLOT_MS
    }
    if (this.low > from) await this.#list.raiseLow(this.low)
  }
}

/**
 * When the write that follows an entry has landed, at the latest: an entry is written at or after
 * its `at` (when that has passed, in the slot of its writing) and the job's update follows within
 * the grace that the due list allows for late writes.
 */
export function writtenBy(entry: JobEntryDoc, slot: number): number {
  return Math.max(entry.at.getTime(), slot) + SLOT_MS + GRACE_MS
}

/** A runner's entries that their job did not point at (yet) when looked at: when to look next. */
export class Rechecks {
  readonly #by = new Map<string, { looks: number; next: number; until: number }>()

  waiting = (id: string, now: number): boolean => (this.#by.get(id)?.next ?? 0) > now
  forget = (id: string): boolean => this.#by.delete(id)

  defer(entry: JobEntryDoc, slot: number, now: number): void {
    const looks = (this.#by.get(entry._id)?.looks ?? 0) + 1
    this.#by.set(entry._id, { looks, next: now + RECHECK_MS * 2 ** (looks - 1), until: writtenBy(entry, slot) })
  }

  /** Forgets entries past their write's deadline: a look then settles them (or their slot is gone). */
  prune(now: number): void {
    for (const [id, later] of this.#by) if (later.until < now) this.#by.delete(id)
  }
}
