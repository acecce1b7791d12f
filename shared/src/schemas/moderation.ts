import type { FromSchema } from 'json-schema-to-ts'
import { MemberSummarySchema } from './common.ts'
import { PostSchema } from './posts.ts'

export const REPORT_REASONS = ['unflagged_ad', 'spam', 'abuse', 'other'] as const
export const MODERATION_ACTIONS = ['reclassify', 'hide', 'dismiss'] as const

export const ReportBodySchema = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: {
    reason: { type: 'string', enum: REPORT_REASONS },
    text: { type: 'string', maxLength: 1000 },
  },
} as const
export type ReportBody = FromSchema<typeof ReportBodySchema>

export const ReportSchema = {
  type: 'object',
  required: ['id', 'postId', 'reason', 'text', 'status', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    postId: { type: 'string' },
    reason: { type: 'string', enum: REPORT_REASONS },
    text: { type: 'string' },
    status: { type: 'string', enum: ['open', 'upheld', 'dismissed'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const
export type Report = FromSchema<typeof ReportSchema>

/** One queue item per reported post, with every open report about it. */
export const QueueItemSchema = {
  type: 'object',
  required: ['post', 'reports', 'authorOffences'],
  additionalProperties: false,
  properties: {
    post: { ...PostSchema, required: [...PostSchema.required, 'status'], properties: { ...PostSchema.properties, status: { type: 'string' } } },
    reports: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'reason', 'text', 'reporter', 'createdAt'],
        additionalProperties: false,
        properties: {
          id: { type: 'string' },
          reason: { type: 'string', enum: REPORT_REASONS },
          text: { type: 'string' },
          reporter: MemberSummarySchema,
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
    },
    authorOffences: { type: 'integer' },
  },
} as const
export type QueueItem = FromSchema<typeof QueueItemSchema>

export const QueuePageSchema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  additionalProperties: false,
  properties: { items: { type: 'array', items: QueueItemSchema }, nextCursor: { type: ['string', 'null'] } },
} as const
export type QueuePage = FromSchema<typeof QueuePageSchema>

export const ModerationActionBodySchema = {
  type: 'object',
  required: ['action', 'reason'],
  additionalProperties: false,
  properties: {
    action: { type: 'string', enum: MODERATION_ACTIONS },
    reason: { type: 'string', minLength: 3, maxLength: 500 },
  },
} as const
export type ModerationActionBody = FromSchema<typeof ModerationActionBodySchema>

export const ModerationResultSchema = {
  type: 'object',
  required: ['postId', 'action', 'resolvedReports', 'authorOffences', 'authorWarned'],
  additionalProperties: false,
  properties: {
    postId: { type: 'string' },
    action: { type: 'string', enum: MODERATION_ACTIONS },
    resolvedReports: { type: 'integer' },
    authorOffences: { type: 'integer' },
    authorWarned: { type: 'boolean' },
  },
} as const
export type ModerationResult = FromSchema<typeof ModerationResultSchema>

export const PostingLimitBodySchema = {
  type: 'object',
  required: ['days', 'reason'],
  additionalProperties: false,
  properties: {
    days: { type: 'integer', minimum: 0, maximum: 365 },
    reason: { type: 'string', minLength: 3, maxLength: 500 },
  },
} as const
export type PostingLimitBody = FromSchema<typeof PostingLimitBodySchema>

export const PostingLimitSchema = {
  type: 'object',
  required: ['handle', 'limitedUntil'],
  additionalProperties: false,
  properties: { handle: { type: 'string' }, limitedUntil: { type: ['string', 'null'], format: 'date-time' } },
} as const

export const NotificationSchema = {
  type: 'object',
  required: ['id', 'type', 'text', 'data', 'read', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    /** German and English text, so any client can show it without knowing every type. */
    text: { type: 'object', required: ['de', 'en'], additionalProperties: false, properties: { de: { type: 'string' }, en: { type: 'string' } } },
    data: { type: 'object', additionalProperties: { type: 'string' } },
    read: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const
export type Notification = FromSchema<typeof NotificationSchema>

export const NotificationPageSchema = {
  type: 'object',
  required: ['items', 'nextCursor', 'unread'],
  additionalProperties: false,
  properties: {
    items: { type: 'array', items: NotificationSchema },
    nextCursor: { type: ['string', 'null'] },
    unread: { type: 'integer' },
  },
} as const
export type NotificationPage = FromSchema<typeof NotificationPageSchema>
