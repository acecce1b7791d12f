import { Schema, type Connection, type Model, type Types } from 'mongoose'

export interface ConversationDoc {
  _id: Types.ObjectId
  kind: 'direct' | 'group' | 'room'
  title: string | null
  /** A room's _id is its group's _id; participantIds stays empty (membership decides). */
  groupId: Types.ObjectId | null
  participantIds: Types.ObjectId[]
  createdBy: Types.ObjectId
  lastSeq: number
  lastPreview: { text: string; at: Date; author: string } | null
  /** member → the newest message they wrote there: read by writing it (see effectiveRead). */
  wrote?: Record<string, number>
  createdAt: Date
}
const ConversationSchema = new Schema<ConversationDoc>(
  {
    kind: { type: String, enum: ['direct', 'group', 'room'], required: true },
    title: { type: String, default: null },
    groupId: { type: Schema.Types.ObjectId, default: null },
    participantIds: { type: [Schema.Types.ObjectId], required: true },
    createdBy: { type: Schema.Types.ObjectId, required: true },
    lastSeq: { type: Number, default: 0 },
    lastPreview: { type: Schema.Types.Mixed, default: null },
    wrote: { type: Schema.Types.Mixed, default: () => ({}) },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false, minimize: false },
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
  /** No "new message" notifications (mentions still come through). */
  muted: boolean
  /** The newest message this member was notified about: one notice per unread stretch. */
  notifiedSeq: number
  /** The first seq of the unread stretch whose missed-message mail is scheduled (missed-mail.ts). */
  mailedSeq?: number
  lastReadAt: Date | null
}
const ParticipantSchema = new Schema<ParticipantDoc>(
  {
    _id: { type: String },
    status: { type: String, enum: ['active', 'request'], default: 'active' },
    lastReadSeq: { type: Number, default: 0 },
    inboxSeq: { type: Number, default: null },
    muted: { type: Boolean, default: false },
    notifiedSeq: { type: Number, default: 0 },
    mailedSeq: { type: Number, default: 0 },
    lastReadAt: { type: Date, default: null },
  },
  { versionKey: false },
)

export interface AttachmentRef {
  /** The media id (random; attachments stored before that keep an ObjectId). */
  id: string | Types.ObjectId
  kind: 'image' | 'pdf'
  name: string
  size: number
  width: number
  height: number
}

export interface MessageDoc {
  /** "<conversation>:<seq>": any stretch of a conversation is read by _id. */
  _id: string
  conversationId: Types.ObjectId
  authorId: Types.ObjectId
  seq: number
  body: string
  html: string
  attachments: AttachmentRef[]
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
    body: { type: String, default: '' },
    html: { type: String, default: '' },
    attachments: { type: Schema.Types.Mixed, default: () => [] },
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

/** Keyed by member: online while a socket of theirs renews onlineUntil. */
export interface PresenceDoc {
  _id: Types.ObjectId
  onlineUntil: Date
  lastSeenAt: Date
  /** When a tab of the member was last in view (a socket open in a background tab does not count). */
  visibleAt?: Date | null
}
const PresenceSchema = new Schema<PresenceDoc>(
  { onlineUntil: { type: Date, required: true }, lastSeenAt: { type: Date, required: true }, visibleAt: { type: Date, default: null } },
  { versionKey: false },
)

/** A member's list of conversations, in INDEX_CHUNKS documents (see inbox-index.ts). */
export interface IndexEntry {
  kind?: 'direct' | 'group'
  title?: string | null
  /** The participants' ids (who is in a conversation never changes). */
  members?: string[]
  lastSeq?: number
  preview?: { text: string; at: Date; author: string } | null
  /** Last activity (ms since 1970): the newest message, or the creation. The list's order. */
  at?: number
  /** How far this member has read: their read mark, or the last message they wrote, if later. */
  read?: number
  status?: 'active' | 'request'
  muted?: boolean
}
export interface ConversationIndexDoc {
  /** "<member>:<chunk>" */
  _id: string
  c: Record<string, IndexEntry>
}
const ConversationIndexSchema = new Schema<ConversationIndexDoc>(
  { _id: { type: String }, c: { type: Schema.Types.Mixed, default: () => ({}) } },
  { versionKey: false, minimize: false },
)

export const messageId = (conversationId: Types.ObjectId | string, seq: number) => `${conversationId.toString()}:${seq}`

export const participantId = (conversationId: Types.ObjectId | string, memberId: Types.ObjectId | string) =>
  `${conversationId.toString()}:${memberId.toString()}`

/** "<conversation>:<seq>": which staff member wrote that company-inbox message (company-inbox.ts). */
export interface InboxReplyDoc {
  _id: string
  staffId: string
  handle: string
  at: Date
}
const InboxReplySchema = new Schema<InboxReplyDoc>(
  { _id: { type: String }, staffId: { type: String, required: true }, handle: { type: String, required: true }, at: { type: Date, required: true } },
  { versionKey: false },
)

export function messagingModels(conn: Connection) {
  return {
    Conversation: conn.model('Conversation', ConversationSchema, 'conversations') as Model<ConversationDoc>,
    Participant: conn.model('Participant', ParticipantSchema, 'conversation_participants') as Model<ParticipantDoc>,
    Message: conn.model('Message', MessageSchema, 'messages') as Model<MessageDoc>,
    MessageKey: conn.model('MessageKey', MessageKeySchema, 'message_keys') as Model<MessageKeyDoc>,
    Presence: conn.model('Presence', PresenceSchema, 'presence') as Model<PresenceDoc>,
    ConversationIndex: conn.model('ConversationIndex', ConversationIndexSchema, 'conversation_index') as Model<ConversationIndexDoc>,
    InboxReply: conn.model('InboxReply', InboxReplySchema, 'inbox_replies') as Model<InboxReplyDoc>,
  }
}
