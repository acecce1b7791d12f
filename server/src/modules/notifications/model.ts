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

/**
 * A member's notification settings, read by _id (the member id) on every notify(). It also
 * lists the member's push subscriptions (a handful of devices), so delivering needs no query
 * other than _id lookups.
 */
export interface NotificationSettingsDoc {
  _id: string
  quietHours: { enabled: boolean; start: string; end: string; timeZone: string } | null
  /** Non-essential mail by kind; null: the defaults. */
  mail?: { messages?: boolean; digest?: 'daily' | 'weekly' | 'off' } | null
  /** Ids of PushSubscription documents, oldest first. */
  pushSubscriptions: string[]
  updatedAt: Date | null
}
const NotificationSettingsSchema = new Schema<NotificationSettingsDoc>(
  {
    _id: { type: String },
    quietHours: {
      type: new Schema({ enabled: Boolean, start: String, end: String, timeZone: String }, { _id: false }),
      default: null,
    },
    mail: { type: new Schema({ messages: Boolean, digest: String }, { _id: false }), default: null },
    pushSubscriptions: { type: [String], default: [] },
    updatedAt: { type: Date, default: null },
  },
  { versionKey: false, minimize: false },
)

/** One browser's push subscription; _id is the SHA-256 of its endpoint, so the same browser maps to one document. */
export interface PushSubscriptionDoc {
  _id: string
  memberId: Types.ObjectId
  endpoint: string
  p256dh: string
  auth: string
  lang: 'de' | 'en'
  createdAt: Date
}
const PushSubscriptionSchema = new Schema<PushSubscriptionDoc>(
  {
    _id: { type: String },
    memberId: { type: Schema.Types.ObjectId, required: true },
    endpoint: { type: String, required: true },
    p256dh: { type: String, required: true },
    auth: { type: String, required: true },
    lang: { type: String, enum: ['de', 'en'], default: 'de' },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
)

/**
 * Pushes held back during a member's quiet hours, one document per member (_id = member id):
 * how many there were and the newest one, which is enough for one message or a summary.
 * The member's id is also appended to the stream of the minute the quiet hours end
 * ("push-due:<epoch minute>"), which the flush job reads by _id.
 */
export interface HeldPushDoc {
  _id: string
  dueAt: Date
  count: number
  last: { id: string; type: string; text: { de: string; en: string }; data: Record<string, string> }
}
const HeldPushSchema = new Schema<HeldPushDoc>(
  {
    _id: { type: String },
    dueAt: { type: Date, required: true },
    count: { type: Number, required: true },
    last: { type: Schema.Types.Mixed, required: true },
  },
  { versionKey: false, minimize: false },
)

/** Where the flush job got to: the last epoch minute whose due stream it read ("held-pushes"). */
export interface JobCursorDoc {
  _id: string
  minute: number
}
const JobCursorSchema = new Schema<JobCursorDoc>({ _id: { type: String }, minute: { type: Number, required: true } }, { versionKey: false })

export function notificationModels(conn: Connection) {
  return {
    Notification: conn.model('Notification', NotificationSchema, 'notifications') as Model<NotificationDoc>,
    NotificationSettings: conn.model('NotificationSettings', NotificationSettingsSchema, 'notification_settings') as Model<NotificationSettingsDoc>,
    PushSubscription: conn.model('PushSubscription', PushSubscriptionSchema, 'push_subscriptions') as Model<PushSubscriptionDoc>,
    HeldPush: conn.model('HeldPush', HeldPushSchema, 'held_pushes') as Model<HeldPushDoc>,
    JobCursor: conn.model('JobCursor', JobCursorSchema, 'job_cursors') as Model<JobCursorDoc>,
  }
}
