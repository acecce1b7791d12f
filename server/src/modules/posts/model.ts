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

export function postModels(conn: Connection) {
  return { Post: conn.model('Post', PostSchema, 'posts') as Model<PostDoc> }
}
