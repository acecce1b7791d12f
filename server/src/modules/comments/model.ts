import { Schema, type Connection, type Model, type Types } from 'mongoose'

export interface CommentDoc {
  _id: Types.ObjectId
  postId: Types.ObjectId
  parentId: Types.ObjectId | null
  authorId: Types.ObjectId
  body: string
  html: string
  deleted: boolean
  replyCount: number
  /** The first replies, oldest first (a thread reads top-down); the rest via the replies stream. */
  firstReplyIds: Types.ObjectId[]
  createdAt: Date
}

const CommentSchema = new Schema<CommentDoc>(
  {
    postId: { type: Schema.Types.ObjectId, required: true },
    parentId: { type: Schema.Types.ObjectId, default: null },
    authorId: { type: Schema.Types.ObjectId, required: true },
    body: { type: String, required: true },
    html: { type: String, required: true },
    deleted: { type: Boolean, default: false },
    replyCount: { type: Number, default: 0 },
    firstReplyIds: { type: [Schema.Types.ObjectId], default: [] },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
)
CommentSchema.index({ postId: 1, createdAt: 1 })

/** "<post>:<member>": liking twice is a duplicate, not a second like. */
export interface LikeDoc {
  _id: string
  createdAt: Date
}
const LikeSchema = new Schema<LikeDoc>({ _id: { type: String }, createdAt: { type: Date, default: () => new Date() } }, { versionKey: false })

export function commentModels(conn: Connection) {
  return {
    Comment: conn.model('Comment', CommentSchema, 'comments') as Model<CommentDoc>,
    Like: conn.model('Like', LikeSchema, 'likes') as Model<LikeDoc>,
  }
}
