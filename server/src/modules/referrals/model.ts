import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * Level lists, addressable by _id: the entry "<ancestor>:<level>:<n>" names the n-th member who
 * joined at that level below the ancestor. A page of a level list is a run of numbers, so it is
 * read with _id lookups only. MongoDB could serve { upline, depth } from a multikey index, but
 * SQLite (under FerretDB) has no multikey indexes, and scanning 100,000 members took 15 s.
 */
export interface DownlineEntryDoc {
  _id: string
  /** The member. */
  m: Types.ObjectId
}

const DownlineEntrySchema = new Schema<DownlineEntryDoc>({ _id: { type: String }, m: { type: Schema.Types.ObjectId, required: true } }, { versionKey: false })

export const entryId = (ancestorId: Types.ObjectId | string, level: number, seq: number) => `${ancestorId.toString()}:${level}:${seq}`

export function referralModels(conn: Connection) {
  return { DownlineEntry: conn.model('DownlineEntry', DownlineEntrySchema, 'downline_entries') as Model<DownlineEntryDoc> }
}
