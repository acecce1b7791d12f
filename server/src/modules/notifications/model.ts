import { Schema, type Connection, type Model, type Types } from 'mongoose'

export interface NotificationDoc {
  _id: Types.ObjectId
  userId: Types.ObjectId
  type: string
  text: { de: string; en: string }
  data: Record<string, string>
  read: boolean
  createdAt: Date
}

const NotificationSchema = new Schema<NotificationDoc>(
  {
    userId: { type: Schema.Types.ObjectId, required: true },
    type: { type: String, required: true },
    text: { de: { type: String, required: true }, en: { type: String, required: true } },
    data: { type: Schema.Types.Mixed, default: () => ({}) },
    read: { type: Boolean, default: false },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false, minimize: false },
)
NotificationSchema.index({ userId: 1, createdAt: -1 })

export function notificationModels(conn: Connection) {
  return { Notification: conn.model('Notification', NotificationSchema, 'notifications') as Model<NotificationDoc> }
}
