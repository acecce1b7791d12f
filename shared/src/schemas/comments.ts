import type { FromSchema } from 'json-schema-to-ts'
import { MemberSummarySchema } from './common.ts'

export const COMMENT_MAX = 5000

export const CommentBodySchema = {
  type: 'object',
  required: ['body'],
  additionalProperties: false,
  properties: {
    body: { type: 'string', minLength: 1, maxLength: COMMENT_MAX, pattern: '\\S' },
    /** Reply to this top-level comment; threads are one level deep. */
    parentId: { type: 'string', pattern: '^[0-9a-f]{24}$' },
  },
} as const
export type CommentBody = FromSchema<typeof CommentBodySchema>

const CommentCore = {
  id: { type: 'string' },
  postId: { type: 'string' },
  parentId: { type: ['string', 'null'] },
  author: MemberSummarySchema,
  html: { type: 'string' },
  deleted: { type: 'boolean' },
  createdAt: { type: 'string', format: 'date-time' },
} as const

export const CommentSchema = {
  type: 'object',
  required: ['id', 'postId', 'parentId', 'author', 'html', 'deleted', 'createdAt', 'replyCount', 'replies'],
  additionalProperties: false,
  properties: {
    ...CommentCore,
    replyCount: { type: 'integer' },
    /** The oldest replies, in order (up to 20); more through /comments/:id/replies. */
    replies: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'postId', 'parentId', 'author', 'html', 'deleted', 'createdAt'],
        additionalProperties: false,
        properties: CommentCore,
      },
    },
  },
} as const
export type Comment = FromSchema<typeof CommentSchema>

export const CommentPageSchema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  additionalProperties: false,
  properties: { items: { type: 'array', items: CommentSchema }, nextCursor: { type: ['string', 'null'] } },
} as const
export type CommentPage = FromSchema<typeof CommentPageSchema>

export const LikeStateSchema = {
  type: 'object',
  required: ['liked', 'likeCount'],
  additionalProperties: false,
  properties: { liked: { type: 'boolean' }, likeCount: { type: 'integer' } },
} as const
export type LikeState = FromSchema<typeof LikeStateSchema>
