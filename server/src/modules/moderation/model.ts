import { Schema, type Connection, type Model, type Types } from 'mongoose'

/** "<post>:<reporter>": one report per member and post; reporting twice changes nothing. */
export interface ReportDoc {
  _id: string
  postId: Types.ObjectId
  reporterId: Types.ObjectId
  reason: 'unflagged_ad' | 'spam' | 'abuse' | 'other'
  text: string
  status: 'open' | 'upheld' | 'dismissed'
  createdAt: Date
  resolvedBy: Types.ObjectId | null
  resolvedAt: Date | null
}

const ReportSchema = new Schema<ReportDoc>(
  {
    _id: { type: String },
    postId: { type: Schema.Types.ObjectId, required: true },
    reporterId: { type: Schema.Types.ObjectId, required: true },
    reason: { type: String, enum: ['unflagged_ad', 'spam', 'abuse', 'other'], required: true },
    text: { type: String, default: '' },
    status: { type: String, enum: ['open', 'upheld', 'dismissed'], default: 'open' },
    createdAt: { type: Date, default: () => new Date() },
    resolvedBy: { type: Schema.Types.ObjectId, default: null },
    resolvedAt: { type: Date, default: null },
  },
  { versionKey: false },
)

export function moderationModels(conn: Connection) {
  return { Report: conn.model('Report', ReportSchema, 'reports') as Model<ReportDoc> }
}
