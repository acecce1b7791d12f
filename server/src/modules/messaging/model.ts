import { Schema, type Connection, type Model, type Types } from 'mongoose'

export interface ConversationDoc {
  _id: Types.ObjectId
  kind: 'direct' | 'group'
  title: string | null
  participantIds: Types.ObjectId[]
  createdBy: Types.ObjectId
  lastSeq: number
  lastPreview: { text: string; at: Date; author: string } | null
  createdAt: Date
}
const ConversationSchema = new Schema<ConversationDoc>(
  {
    kind: { type: String, enum: ['direct', 'group'], required: true },
    title: { type: String, default: null },
    participantIds: { type: [Schema.Types.ObjectId], required: true },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    lastSeq: { type: Number, default: 0 },
    lastPreview: { type: Schema.Types.Mixed, default: null },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
)
// Shard key on MongoDB: messages by conversation.
ConversationSchema.index({ participantIds: 1 })

/** "<conversation>:<member>": a participant's own state in a conversation. */
export interface ParticipantDoc {
  _id: string
  status: 'active' | 'request'
  lastReadSeq: number
  /** The conversation's newest place in this member's inbox stream (older places are ignored). */
  inboxSeq: number | null
}
const ParticipantSchema = new Schema<ParticipantDoc>(
  {
    _id: { type: String },
    status: { type: String, enum: ['active', 'request'], default: 'active' },
    lastReadSeq: { type: Number, default: 0 },
    inboxSeq: { type: Number, default: null },
  },
  { versionKey: false },
)

export interface MessageDoc {
  /** "<conversation>:<seq>": any stretch of a conversation is read by _id. */
  _id: string
  conversationId: Types.ObjectId
  authorId: Types.ObjectId
  seq: number
  body: string
  html: string
  clientMessageId: string
  editedAt: Date | null
  deleted: boolean
  createdAt: Date
}
const MessageSchema = new Schema<MessageDoc>(
  {
    _id: { type: String },
    conversationId: { type: Schema.Types.ObjectId, required: true },
    authorId: { type: Schema.Types.ObjectId, required: true },
    seq: { type: Number, required: true },
    body: { type: String, required: true },
    html: { type: String, required: true },
    clientMessageId: { type: String, required: true },
    editedAt: { type: Date, default: null },
    deleted: { type: Boolean, default: false },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
)
MessageSchema.index({ conversationId: 1, seq: 1 })

/** "<author>:<clientMessageId>" → the message it became: a resend finds it instead of writing again. */
export interface MessageKeyDoc {
  _id: string
  messageId: string | null
  createdAt: Date
}
const MessageKeySchema = new Schema<MessageKeyDoc>(
  { _id: { type: String }, messageId: { type: String, default: null }, createdAt: { type: Date, default: () => new Date() } },
  { versionKey: false },
)

export const messageId = (conversationId: Types.ObjectId | string, seq: number) => `${conversationId.toString()}:${seq}`

export const participantId = (conversationId: Types.ObjectId | string, memberId: Types.ObjectId | string) => `${conversationId.toString()}:${memberId.toString()}`

export function messagingModels(conn: Connection) {
  return {
    Conversation: conn.model('Conversation', ConversationSchema, 'conversations') as Model<ConversationDoc>,
    Participant: conn.model('Participant', ParticipantSchema, 'conversation_participants') as Model<ParticipantDoc>,
    Message: conn.model('Message', MessageSchema, 'messages') as Model<MessageDoc>,
    MessageKey: conn.model('MessageKey', MessageKeySchema, 'message_keys') as Model<MessageKeyDoc>,
  }
}
