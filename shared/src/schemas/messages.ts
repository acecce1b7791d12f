import type { FromSchema } from 'json-schema-to-ts'
import { MEDIA_ID_PATTERN, MemberSummarySchema } from './common.ts'

export const MESSAGE_MAX = 5000
export const GROUP_CONVERSATION_MAX = 50
/** Attachments per message, and the size of one (images are re-encoded, PDFs kept as sent). */
export const ATTACHMENTS_MAX = 4
export const ATTACHMENT_BYTES_MAX = 8 << 20

export const CreateConversationBodySchema = {
  type: 'object',
  required: ['participants'],
  additionalProperties: false,
  properties: {
    /** Handles of the others; one makes a direct conversation, more a named group conversation. */
    participants: {
      type: 'array',
      minItems: 1,
      maxItems: GROUP_CONVERSATION_MAX - 1,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 60 },
    },
    title: { type: 'string', minLength: 1, maxLength: 80 },
  },
} as const
export type CreateConversationBody = FromSchema<typeof CreateConversationBodySchema>

export const ConversationSchema = {
  type: 'object',
  required: ['id', 'kind', 'title', 'groupSlug', 'participants', 'lastMessage', 'unread', 'status', 'lastSeq', 'muted'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    /** direct: two people; group: a named chat of up to 50; room: a group's chat, open to its members. */
    kind: { type: 'string', enum: ['direct', 'group', 'room'] },
    title: { type: ['string', 'null'] },
    /** For a room: the group it belongs to. */
    groupSlug: { type: ['string', 'null'] },
    participants: { type: 'array', items: MemberSummarySchema },
    lastMessage: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['text', 'at', 'author'],
          additionalProperties: false,
          properties: { text: { type: 'string' }, at: { type: 'string', format: 'date-time' }, author: { type: 'string' } },
        },
      ],
    },
    unread: { type: 'integer' },
    /** 'request': someone outside the member's circle wrote first; it waits for acceptance. */
    status: { type: 'string', enum: ['active', 'request'] },
    lastSeq: { type: 'integer' },
    /** The member switched notifications for this conversation off. */
    muted: { type: 'boolean' },
  },
} as const
export type Conversation = FromSchema<typeof ConversationSchema>

export const ConversationPageSchema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  additionalProperties: false,
  properties: {
    items: { type: 'array', items: ConversationSchema },
    nextCursor: { type: ['string', 'null'] },
    /** First page only: the chat rooms of the member's groups. */
    rooms: { type: 'array', items: ConversationSchema },
  },
} as const
export type ConversationPage = FromSchema<typeof ConversationPageSchema>

export const AttachmentSchema = {
  type: 'object',
  required: ['id', 'kind', 'url', 'name', 'size', 'width', 'height'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['image', 'pdf'] },
    /** Served only to the conversation's participants. */
    url: { type: 'string' },
    name: { type: 'string' },
    size: { type: 'integer' },
    width: { type: 'integer' },
    height: { type: 'integer' },
  },
} as const
export type Attachment = FromSchema<typeof AttachmentSchema>

export const MessageSchema = {
  type: 'object',
  required: ['id', 'conversationId', 'seq', 'author', 'html', 'attachments', 'clientMessageId', 'createdAt', 'editedAt', 'deleted'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    conversationId: { type: 'string' },
    /** Position in the conversation: strictly increasing, so a client catches up with "after". */
    seq: { type: 'integer' },
    author: MemberSummarySchema,
    html: { type: 'string' },
    attachments: { type: 'array', items: AttachmentSchema },
    clientMessageId: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    editedAt: { type: ['string', 'null'], format: 'date-time' },
    /** A deleted message keeps its place (and number) without its text. */
    deleted: { type: 'boolean' },
  },
} as const
export type Message = FromSchema<typeof MessageSchema>

export const MessagesQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    before: { type: 'integer', minimum: 1 },
    after: { type: 'integer', minimum: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
  },
} as const
export type MessagesQuery = FromSchema<typeof MessagesQuerySchema>

export const MessagePageSchema = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: { items: { type: 'array', items: MessageSchema } },
} as const

/** socket.io `message:send` payload, validated with ajv like any request body. */
export const SendMessageSchema = {
  type: 'object',
  required: ['conversationId', 'body', 'clientMessageId'],
  additionalProperties: false,
  properties: {
    conversationId: { type: 'string', pattern: '^[0-9a-f]{24}$' },
    /** May be empty only when the message carries attachments. */
    body: { type: 'string', maxLength: MESSAGE_MAX },
    clientMessageId: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' },
    /** Ids from POST /conversations/:id/attachments, uploaded by the sender to this conversation. */
    attachments: { type: 'array', maxItems: ATTACHMENTS_MAX, uniqueItems: true, items: { type: 'string', pattern: MEDIA_ID_PATTERN } },
  },
} as const
export type SendMessage = FromSchema<typeof SendMessageSchema>

export type SendAck = { ok: true; id: string; seq: number; createdAt: string } | { ok: false; error: { code: string; message: string; details?: unknown } }

export const WelcomeSchema = {
  type: 'object',
  required: ['text', 'defaultText'],
  additionalProperties: false,
  properties: { text: { type: ['string', 'null'] }, defaultText: { type: 'string' } },
} as const
export const WelcomeBodySchema = {
  type: 'object',
  required: ['text'],
  additionalProperties: false,
  properties: { text: { anyOf: [{ type: 'string', minLength: 1, maxLength: 2000, pattern: '\\S' }, { type: 'null' }] } },
} as const

export const PrivacySchema = {
  type: 'object',
  required: ['readReceipts', 'presence'],
  additionalProperties: false,
  properties: {
    /** Others see "gesehen von …" for this member. */
    readReceipts: { type: 'boolean' },
    /** People who share a conversation see "online" / "last seen". */
    presence: { type: 'boolean' },
  },
} as const
export type Privacy = FromSchema<typeof PrivacySchema>
export const PrivacyBodySchema = { ...PrivacySchema, required: [], minProperties: 1 } as const

/** Online now, or when last seen; null when the member hides it (or nobody may see it). */
export const PresenceSchema = {
  type: 'object',
  required: ['handle', 'online', 'lastSeenAt'],
  additionalProperties: false,
  properties: {
    handle: { type: 'string' },
    online: { type: ['boolean', 'null'] },
    lastSeenAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const
export type Presence = FromSchema<typeof PresenceSchema>

export const ConversationSettingsBodySchema = {
  type: 'object',
  required: ['muted'],
  additionalProperties: false,
  properties: { muted: { type: 'boolean' } },
} as const

export const BlockListSchema = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: { items: { type: 'array', items: MemberSummarySchema } },
} as const

/** How far the reader has read (POST …/read). */
export const ReadBodySchema = {
  type: 'object',
  required: ['seq'],
  additionalProperties: false,
  properties: { seq: { type: 'integer', minimum: 0 } },
} as const

/** GET /conversations/unread: the badge beside "Nachrichten". */
export const UnreadConversationsSchema = {
  type: 'object',
  required: ['conversations'],
  additionalProperties: false,
  properties: { conversations: { type: 'integer', minimum: 0 } },
} as const
export type UnreadConversations = FromSchema<typeof UnreadConversationsSchema>

/** /admin/inbox: a company conversation's messages, and which staff member wrote each company message. */
export const InboxMessagesSchema = {
  type: 'object',
  required: ['items', 'answeredBy', 'company'],
  additionalProperties: false,
  properties: {
    items: { type: 'array', items: MessageSchema },
    /** The company as it appears in the conversation (its messages are the staff's). */
    company: MemberSummarySchema,
    /** seq → the handle of the administrator or moderator who wrote that message as the company. */
    answeredBy: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const
export type InboxMessages = FromSchema<typeof InboxMessagesSchema>

/** /admin/inbox: the company's conversations, and the company as it appears in them. */
export const InboxPageSchema = {
  type: 'object',
  required: ['items', 'nextCursor', 'company'],
  additionalProperties: false,
  properties: {
    items: ConversationPageSchema.properties.items,
    nextCursor: ConversationPageSchema.properties.nextCursor,
    company: MemberSummarySchema,
  },
} as const
export type InboxPage = FromSchema<typeof InboxPageSchema>
