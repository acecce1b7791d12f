import { Schema, type Connection, type Model, type Types } from 'mongoose'

export interface PostDoc {
  _id: Types.ObjectId
  authorId: Types.ObjectId
  kind: 'pr' | 'ad'
  area: { type: 'feed' | 'marketplace' | 'profile' | 'group'; groupId?: string }
  body: string
  /** Rendered once at write time by the shared markdown function (sanitized). */
  html: string
  /** The ad detector's score of the body, kept for moderation. */
  adScore: number
  adSignals: string[]
  /** Soft delete and moderation: only 'visible' posts appear anywhere. */
  status: 'visible' | 'hidden' | 'deleted'
  /** Earlier versions, oldest first. */
  history: Array<{ body: string; editedAt: Date }>
  editedAt: Date | null
  likeCount: number
  commentCount: number
  /** Ids of reports not yet handled; the post is in the moderation queue while this is non-empty. */
  openReportIds: string[]
  /** Its current place in the moderation queue stream (older places are ignored). */
  queueSeq: number | null
  createdAt: Date
  updatedAt: Date
}

const PostSchema = new Schema<PostDoc>(
  {
    authorId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ['pr', 'ad'], required: true },
    area: {
      type: { type: String, enum: ['feed', 'marketplace', 'profile', 'group'], required: true },
      groupId: { type: String },
    },
    body: { type: String, required: true },
    html: { type: String, required: true },
    adScore: { type: Number, default: 0 },
    adSignals: { type: [String], default: [] },
    status: { type: String, enum: ['visible', 'hidden', 'deleted'], default: 'visible' },
    history: { type: [{ body: String, editedAt: Date, _id: false }], default: [] },
    editedAt: { type: Date, default: null },
    likeCount: { type: Number, default: 0 },
    commentCount: { type: Number, default: 0 },
    openReportIds: { type: [String], default: [] },
    queueSeq: { type: Number, default: null },
  },
  { timestamps: true, minimize: false },
)
// Shard key on MongoDB; the feed itself reads through streams (server/src/db/streams.ts).
PostSchema.index({ authorId: 1, createdAt: -1 })

/**
 * Where each member's home feed stream ends, as a hint: the feed writer (feed-writer.ts) keeps the
 * exact numbers in memory and writes them here in bulk, one document per partition of members,
 * so a fan-out to 10,000 feeds reads and writes a few hundred documents instead of 10,000 heads.
 */
export interface FeedHintDoc {
  _id: string
  /** member id → highest number known to be in use in that member's feed stream. */
  h: Record<string, number>
}
const FeedHintSchema = new Schema<FeedHintDoc>(
  { _id: { type: String }, h: { type: Schema.Types.Mixed, default: () => ({}) } },
  { versionKey: false, minimize: false },
)

/**
 * How far a delivery job got. `<job>`: units (audience chunks) before `done` are delivered.
 * `<job>@<unit>`: written (an insert) before the unit is, with each recipient's feed end before it
 * (`since`, "member:n,…"), so a run after a crash checks that unit's feeds for the post instead of
 * delivering it twice.
 */
export interface DeliveryProgressDoc {
  _id: string
  done?: number
  since?: string
}
const DeliveryProgressSchema = new Schema<DeliveryProgressDoc>(
  { _id: { type: String }, done: { type: Number }, since: { type: String } },
  { versionKey: false },
)

export function postModels(conn: Connection) {
  return {
    Post: conn.model('Post', PostSchema, 'posts') as Model<PostDoc>,
    FeedHint: conn.model('FeedHint', FeedHintSchema, 'feed_hints') as Model<FeedHintDoc>,
    DeliveryProgress: conn.model('DeliveryProgress', DeliveryProgressSchema, 'feed_deliveries') as Model<DeliveryProgressDoc>,
  }
}
