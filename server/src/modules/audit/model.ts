import { Schema, type Connection, type Model, type Types } from 'mongoose'

export interface AuditDoc {
  _id: Types.ObjectId
  actorId: Types.ObjectId | null
  action: string
  subjectId: Types.ObjectId | null
  reason: string
  data: Record<string, unknown>
  createdAt: Date
}

const AuditSchema = new Schema<AuditDoc>(
  {
    actorId: { type: Schema.Types.ObjectId, default: null },
    action: { type: String, required: true },
    subjectId: { type: Schema.Types.ObjectId, default: null },
    reason: { type: String, default: '' },
    data: { type: Schema.Types.Mixed, default: () => ({}) },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false, minimize: false },
)
AuditSchema.index({ subjectId: 1, createdAt: -1 })
AuditSchema.index({ action: 1, createdAt: -1 })

export function auditModels(conn: Connection) {
  return { Audit: conn.model('Audit', AuditSchema, 'audit') as Model<AuditDoc> }
}
