import { Schema, type Connection, type Model, type Types } from 'mongoose'
import { Memo } from './memo.ts'

/**
 * Append-only, numbered lists ("streams") that can be read newest-first by _id lookups alone:
 * a member's home feed, a profile's posts, the marketplace. Entry n of stream K has the _id
 * "K#n", so a page is a run of numbers counting down from the stream's head.
 *
 * Why not a sorted query? On MongoDB an index on (author, createdAt) would do. FerretDB 1.x
 * serves only a bare {_id} filter from an index and scans the whole collection for anything
 * else, which makes a sorted query over 200,000 posts take seconds. Numbers also make cursors
 * stable: new entries get higher numbers, so paging down never repeats or skips an entry.
 */
export interface StreamHeadDoc {
  _id: string
  seq: number
}
export interface StreamEntryDoc {
  _id: string
  ref: Types.ObjectId
}

const StreamHeadSchema = new Schema<StreamHeadDoc>({ _id: { type: String }, seq: { type: Number, required: true } }, { versionKey: false })
const StreamEntrySchema = new Schema<StreamEntryDoc>({ _id: { type: String }, ref: { type: Schema.Types.ObjectId, required: true } }, { versionKey: false })

export function streamModels(conn: Connection) {
  return {
    StreamHead: conn.model('StreamHead', StreamHeadSchema, 'stream_heads') as Model<StreamHeadDoc>,
    StreamEntry: conn.model('StreamEntry', StreamEntrySchema, 'stream_entries') as Model<StreamEntryDoc>,
  }
}

/** What stream functions need of the service context (kept structural: the context itself is built on the models). */
export interface StreamStore {
  models: { StreamHead: Model<StreamHeadDoc>; StreamEntry: Model<StreamEntryDoc> }
}

/** The _id of entry `seq` of `stream` (readers that follow a stream by number read it directly). */
export const streamEntryId = (stream: string, seq: number) => `${stream}#${seq}`
const entryKey = streamEntryId

/**
 * Entries of streams whose entries are written once and never changed or deleted (feeds,
 * profiles, groups, the marketplace), per database: a page read again costs no entry reads.
 */
const lasting = new WeakMap<object, Memo<StreamEntryDoc>>()
function lastingEntries(ctx: StreamStore): Memo<StreamEntryDoc> {
  let memo = lasting.get(ctx.models.StreamEntry)
  if (!memo) {
    memo = new Memo<StreamEntryDoc>(200_000, 60 * 60_000)
    lasting.set(ctx.models.StreamEntry, memo)
  }
  return memo
}

/**
 * Appends `ref` to each stream. Each entry is written right after its number is taken, so the
 * moment in which a reader can see a number without its entry is one round trip long; readers
 * wait that out (see readStream) instead of skipping the entry for good.
 */
export async function append(ctx: StreamStore, streams: string[], ref: Types.ObjectId): Promise<number[]> {
  const { StreamEntry, StreamHead } = ctx.models
  const seqs: number[] = []
  for (const stream of streams) {
    const head = await StreamHead.findOneAndUpdate({ _id: stream }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }).lean()
    await StreamEntry.create({ _id: entryKey(stream, head!.seq), ref })
    seqs.push(head!.seq)
  }
  return seqs
}

export async function headOf(ctx: StreamStore, stream: string): Promise<number> {
  return (await ctx.models.StreamHead.findById(stream).lean())?.seq ?? 0
}

export interface StreamPage<T> {
  items: T[]
  /** The stream number of each item (same order). */
  seqs: number[]
  /** Pass back as `cursor` for the next (older) page; null at the end. */
  nextCursor: string | null
}

/**
 * Reads a stream newest-first. `resolve` turns a window of refs into items, dropping those that
 * must not be shown (deleted, hidden, moved); the reader keeps going until the page is full, the
 * stream ends, or `maxProbe` numbers were looked at (then the cursor says where to go on).
 */
export async function readStream<T>(
  ctx: StreamStore,
  stream: string,
  options: {
    cursor?: string | undefined
    limit: number
    maxProbe?: number
    head?: () => Promise<number>
    /** The stream's entries are never changed or deleted once written: keep them in memory. */
    lasting?: boolean
  },
  resolve: (refs: Types.ObjectId[], seqs: number[]) => Promise<Array<T | null>>,
): Promise<StreamPage<T>> {
  const maxProbe = options.maxProbe ?? 500
  // Without a cursor the page starts at the stream's end: its head, or what `head` finds (feeds, see posts/feed-writer.ts).
  const start = options.cursor !== undefined ? Number(options.cursor) - 1 : await (options.head ?? (() => headOf(ctx, stream)))()
  const items: T[] = []
  const itemSeqs: number[] = []
  let next = start // the next number to look at
  while (items.length < options.limit && next >= 1 && start - next < maxProbe) {
    const window: number[] = []
    for (let n = next; n >= 1 && window.length < Math.max(options.limit - items.length, 10); n--) window.push(n)
    // The driver directly: these are the hottest reads in the app, and _ids need no casting.
    const read = (n: number) => ctx.models.StreamEntry.collection.findOne({ _id: entryKey(stream, n) as never }) as Promise<StreamEntryDoc | null>
    const memo = options.lasting ? lastingEntries(ctx) : null
    const fetch = memo ? (n: number) => memo.through(entryKey(stream, n), () => read(n)) : read
    const entries = await Promise.all(window.map(fetch))
    if (entries.some((e) => e === null)) {
      // A number without its entry is an append in flight; give it a moment. What is still
      // missing then was never written (a crash between the two writes) and stays a hole.
      await new Promise((r) => setTimeout(r, 50))
      await Promise.all(entries.map(async (e, i) => (entries[i] = e ?? (await fetch(window[i]!)))))
    }
    const present = entries.filter((e) => e !== null)
    const seqOf = (e: StreamEntryDoc) => Number(e._id.slice(e._id.lastIndexOf('#') + 1))
    const resolved = await resolve(
      present.map((e) => e.ref),
      present.map(seqOf),
    )
    for (let i = 0; i < resolved.length; i++) {
      const item = resolved[i]
      if (item === null || item === undefined) continue
      if (items.length === options.limit) {
        // The page is full before this window ends: the next page starts at this entry.
        next = seqOf(present[i]!)
        return { items, seqs: itemSeqs, nextCursor: String(next + 1) }
      }
      items.push(item)
      itemSeqs.push(seqOf(present[i]!))
    }
    next = window[window.length - 1]! - 1
  }
  return { items, seqs: itemSeqs, nextCursor: next >= 1 ? String(next + 1) : null }
}
