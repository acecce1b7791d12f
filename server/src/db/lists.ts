import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * Member lists kept as chunked documents: "everyone who follows Anna", "Anna's direct recruits".
 * A feed fan-out reads an audience of 50,000 as 50 documents by `_id` instead of 50,000 entries
 * (one read each, some 3,600 per second on the embedded database) or a scan.
 *
 * A member's place in a list comes from a numbered stream the owning module already keeps (the
 * followers stream, the level-1 downline list): number n lives in chunk ⌊(n − 1) / 1000⌋, so
 * adding is one `$addToSet` on a known document and a repeat changes nothing. Removing is a
 * `$pull` from the chunk of the member's number (or from every chunk when it is unknown).
 */
export interface IdListDoc {
  _id: string
  ids: Types.ObjectId[]
}

const IdListSchema = new Schema<IdListDoc>({ _id: { type: String }, ids: { type: [Schema.Types.ObjectId], default: [] } }, { versionKey: false })

export function listModels(conn: Connection) {
  return { IdList: conn.model('IdList', IdListSchema, 'id_lists') as Model<IdListDoc> }
}

export interface ListStore {
  models: { IdList: Model<IdListDoc> }
}

export const LIST_CHUNK = 1000

const chunkOf = (n: number) => Math.floor((Math.max(1, n) - 1) / LIST_CHUNK)
const chunkId = (list: string, chunk: number) => `${list}@${chunk}`

/** Adds `id` to the list at its number `n` (idempotent). */
export async function addToList(ctx: ListStore, list: string, n: number, id: Types.ObjectId): Promise<void> {
  await ctx.models.IdList.collection.updateOne({ _id: chunkId(list, chunkOf(n)) as never }, { $addToSet: { ids: id } }, { upsert: true })
}

/** Adds many members at their numbers, one `$addToSet … $each` per chunk (idempotent). */
export async function addAllToList(ctx: ListStore, list: string, members: Array<{ id: Types.ObjectId; n: number }>): Promise<void> {
  const byChunk = new Map<number, Types.ObjectId[]>()
  for (const m of members) byChunk.set(chunkOf(m.n), [...(byChunk.get(chunkOf(m.n)) ?? []), m.id])
  for (const [chunk, ids] of byChunk)
    await ctx.models.IdList.collection.updateOne({ _id: chunkId(list, chunk) as never }, { $addToSet: { ids: { $each: ids } } }, { upsert: true })
}

/** Removes `id` from the list: from the chunk of its number when known, else from each of the `count` numbers' chunks. */
export async function removeFromList(ctx: ListStore, list: string, id: Types.ObjectId, at: { n?: number | undefined; count: number }): Promise<void> {
  const chunks = at.n !== undefined ? [chunkOf(at.n)] : Array.from({ length: chunkOf(at.count) + 1 }, (_, i) => i)
  for (const chunk of chunks) await ctx.models.IdList.collection.updateOne({ _id: chunkId(list, chunk) as never }, { $pull: { ids: id } } as never)
}

/** The whole list, given how many numbers were handed out (`count`), in chunk order; one read per 1,000. */
export async function readList(ctx: ListStore, list: string, count: number): Promise<Types.ObjectId[][]> {
  if (count <= 0) return []
  const chunks = await Promise.all(
    Array.from({ length: chunkOf(count) + 1 }, (_, i) => ctx.models.IdList.collection.findOne({ _id: chunkId(list, i) as never }) as Promise<IdListDoc | null>),
  )
  return chunks.map((c) => c?.ids ?? [])
}
