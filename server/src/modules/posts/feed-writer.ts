// Home feed streams written in bulk: one post into thousands of feeds with insertMany, no read or update per feed.
import type { Types } from 'mongoose'
import type { ServiceContext } from '../../context.ts'
import { insertAll } from '../../db/errors.ts'
import type { StreamEntryDoc } from '../../db/streams.ts'
import type { FeedHintDoc } from './model.ts'

/** Members are spread over this many hint documents (fixed: changing it would move every hint). */
export const HINT_PARTITIONS = 256
const COUNTERS_MAX = 200_000
/** Entries per insertMany: small enough that a chat write waiting behind one waits a few ms. */
const INSERT_CHUNK = 250
const RENUMBER_ATTEMPTS = 5
/** Hints are written at most this often: every partition once per interval, however many fan-outs ran. */
const FLUSH_MS = 10_000

export const feedStream = (memberId: Types.ObjectId | string) => `feed:${memberId.toString()}`
const entryKey = (memberId: string, n: number) => `${feedStream(memberId)}#${n}`
/** An ObjectId's last bytes are a counter, so its last four hex digits spread members evenly. */
export const hintPartition = (memberId: string) => `feedhint:${parseInt(memberId.slice(-4), 16) % HINT_PARTITIONS}`

type Ctx = Pick<ServiceContext, 'models'>

/**
 * Numbers in a member's feed stream are claimed by inserting entry "feed:<member>#<n>": the
 * database refuses a number taken before (on another node, or by this post in a run that
 * crashed), and only that entry is renumbered. Entries are dense from 1, so the end of a stream
 * is the first number without an entry; the hints only say where to start looking.
 *
 * This node remembers each stream's end it wrote or found (bounded), so a fan-out plans all its
 * numbers without a read; the hints are read once per partition for streams it has not seen, and
 * written back once per partition per fan-out (`flush`).
 */
export class FeedWriter {
  readonly #counters = new Map<string, number>()
  readonly #unflushed = new Map<string, Map<string, number>>()
  #timer: NodeJS.Timeout | null = null

  /**
   * The end of each member's stream as far as this node knows: memory, else the hints (not
   * probed). A fan-out passes one `hints` map for all its units, so each partition is read once.
   */
  async known(ctx: Ctx, memberIds: string[], hints = new Map<string, Record<string, number>>()): Promise<Map<string, number>> {
    const missing = memberIds.filter((id) => !this.#counters.has(id))
    const partitions = [...new Set(missing.map(hintPartition))].filter((p) => !hints.has(p))
    const docs = await Promise.all(partitions.map((_id) => ctx.models.FeedHint.collection.findOne({ _id: _id as never }) as Promise<FeedHintDoc | null>))
    partitions.forEach((p, i) => hints.set(p, docs[i]?.h ?? {}))
    for (const id of missing) if (!this.#counters.has(id)) this.#remember(id, hints.get(hintPartition(id))![id] ?? 0)
    return new Map(memberIds.map((id) => [id, this.#counters.get(id)!]))
  }

  /**
   * Appends `refs` (oldest first) to each member's feed stream. With `verify`, each member's
   * entries above the given end are looked at first and refs found there are not written again
   * (the run after a crash). Returns, per member, the refs written.
   */
  async deliver(
    ctx: Ctx,
    memberIds: string[],
    refs: Types.ObjectId[],
    options: { verify?: Map<string, number> | undefined; hints?: Map<string, Record<string, number>> } = {},
  ): Promise<Map<string, number>> {
    const todo = new Map<string, Types.ObjectId[]>()
    const known = await this.known(ctx, memberIds, options.hints)
    await Promise.all(
      memberIds.map(async (id) => {
        const since = options.verify?.get(id)
        if (since === undefined) {
          todo.set(id, refs)
          return
        }
        const { end, seen } = await scanFrom(ctx, id, since)
        this.#remember(id, Math.max(end, known.get(id) ?? 0))
        todo.set(
          id,
          refs.filter((r) => !seen.has(r.toString())),
        )
      }),
    )
    const written = new Map<string, number>()
    for (let attempt = 0; todo.size > 0; attempt++) {
      const planned: Array<{ member: string; ref: Types.ObjectId; n: number }> = []
      for (const [member, list] of todo) for (const ref of list) planned.push({ member, ref, n: this.#next(member) })
      const failed = new Map<number, 'duplicate' | 'failed'>()
      for (let i = 0; i < planned.length; i += INSERT_CHUNK) {
        const chunk = planned.slice(i, i + INSERT_CHUNK)
        const lost = await insertAll(
          ctx.models.StreamEntry.collection,
          chunk.map((p) => ({ _id: entryKey(p.member, p.n), ref: p.ref })),
        )
        for (const [index, why] of lost) failed.set(i + index, why)
      }
      todo.clear()
      const clash = new Map<string, number>() // member → lowest number refused
      planned.forEach((p, i) => {
        const why = failed.get(i)
        if (!why) {
          written.set(p.member, (written.get(p.member) ?? 0) + 1)
          this.#noteWritten(p.member, p.n)
        } else if (why === 'duplicate' && attempt < RENUMBER_ATTEMPTS) {
          todo.set(p.member, [...(todo.get(p.member) ?? []), p.ref])
          clash.set(p.member, Math.min(p.n, clash.get(p.member) ?? p.n))
        } else throw new Error(`feed entry ${entryKey(p.member, p.n)} could not be written`)
      })
      // Another writer holds those numbers: find each stream's real end (and whether the ref is
      // there already: our own entry from an answer lost on the way), then try again above it.
      await Promise.all(
        [...clash].map(async ([member, lowest]) => {
          const { end, seen } = await scanFrom(ctx, member, lowest - 1)
          this.#remember(member, Math.max(end, this.#counters.get(member)!))
          const rest = todo.get(member)!.filter((r) => !seen.has(r.toString()))
          if (rest.length) todo.set(member, rest)
          else todo.delete(member)
        }),
      )
    }
    return written
  }

  /**
   * Writes the hints within FLUSH_MS, off the delivery's path: deliveries that come meanwhile share
   * the writes. Losing them (a crash) costs readers and the next fan-out a few reads above a stale
   * hint; `stop` writes them at shutdown.
   */
  flushSoon(ctx: Ctx & Pick<ServiceContext, 'log'>): void {
    if (this.#timer) return
    this.#timer = setTimeout(() => {
      this.#timer = null
      this.flush(ctx).catch((error: unknown) => ctx.log.warn({ err: error }, 'feed hints could not be written'))
    }, FLUSH_MS)
    this.#timer.unref()
  }

  /** At shutdown: the hints are written now. */
  async stop(ctx: Ctx): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    await this.flush(ctx)
  }

  /** Writes what this node learnt of stream ends into the hints: one `$max` per partition. */
  async flush(ctx: Ctx): Promise<void> {
    const pending = [...this.#unflushed]
    this.#unflushed.clear()
    for (const [partition, ends] of pending) {
      const update = Object.fromEntries([...ends].map(([member, n]) => [`h.${member}`, n]))
      await ctx.models.FeedHint.collection.updateOne({ _id: partition as never }, { $max: update }, { upsert: true })
    }
  }

  /** Takes `n` as a stream's end if it is beyond what this node knows (the migration of old heads); flushed with the rest. */
  adopt(member: string, n: number): void {
    if (n <= (this.#counters.get(member) ?? 0)) return
    this.#remember(member, n)
    this.#noteWritten(member, n)
  }

  /** This node's idea of a stream's end (0 when unknown); readers add what they find above it. */
  remembered(memberId: string): number {
    return this.#counters.get(memberId) ?? 0
  }

  #next(member: string): number {
    const n = (this.#counters.get(member) ?? 0) + 1
    this.#remember(member, n)
    return n
  }

  #remember(member: string, n: number): void {
    this.#counters.delete(member)
    this.#counters.set(member, n)
    if (this.#counters.size > COUNTERS_MAX) this.#counters.delete(this.#counters.keys().next().value!)
  }

  #noteWritten(member: string, n: number): void {
    const partition = hintPartition(member)
    const ends = this.#unflushed.get(partition) ?? new Map<string, number>()
    ends.set(member, Math.max(n, ends.get(member) ?? 0))
    this.#unflushed.set(partition, ends)
  }
}

/**
 * Walks a member's feed stream up from number `from` to its end (the first number without an
 * entry), in growing windows read in parallel; returns the end and the refs met on the way.
 */
export async function scanFrom(ctx: Ctx, memberId: string, from: number): Promise<{ end: number; seen: Set<string> }> {
  const seen = new Set<string>()
  let end = Math.max(0, from)
  for (let width = 2; ; width = Math.min(width * 2, 64)) {
    const numbers = Array.from({ length: width }, (_, i) => end + 1 + i)
    const entries = await Promise.all(
      numbers.map((n) => ctx.models.StreamEntry.collection.findOne({ _id: entryKey(memberId, n) as never }) as Promise<StreamEntryDoc | null>),
    )
    for (const entry of entries) {
      if (!entry) return { end, seen }
      seen.add(entry.ref.toString())
      end += 1
    }
  }
}

const writers = new WeakMap<object, FeedWriter>()

/** The feed writer of this process for these models (one per database connection). */
export function feedWriter(ctx: Ctx): FeedWriter {
  let writer = writers.get(ctx.models)
  if (!writer) writers.set(ctx.models, (writer = new FeedWriter()))
  return writer
}

/** The end of a member's feed stream now: the hint (or this node's memory) and whatever was written above it. */
export async function feedEnd(ctx: Ctx, memberId: string): Promise<number> {
  const writer = feedWriter(ctx)
  const hint = (await ctx.models.FeedHint.collection.findOne({ _id: hintPartition(memberId) as never })) as FeedHintDoc | null
  const from = Math.max(hint?.h[memberId] ?? 0, writer.remembered(memberId))
  return (await scanFrom(ctx, memberId, from)).end
}
