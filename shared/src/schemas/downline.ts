import type { FromSchema } from 'json-schema-to-ts'
import { MemberSummarySchema } from './common.ts'

/** Hard ceiling for any level query; plans pay at most 10 levels, but the team view may look deeper. */
export const MAX_LEVEL = 100

export const DownlineQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    level: { type: 'integer', minimum: 1, maximum: MAX_LEVEL, default: 1 },
    cursor: { type: 'string', maxLength: 200 },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 25 },
  },
} as const
export type DownlineQuery = FromSchema<typeof DownlineQuerySchema>

export const DownlineMemberSchema = {
  type: 'object',
  required: [...MemberSummarySchema.required, 'level', 'joinedAt', 'sponsorHandle'],
  additionalProperties: false,
  properties: {
    ...MemberSummarySchema.properties,
    level: { type: 'integer' },
    joinedAt: { type: 'string', format: 'date-time' },
    sponsorHandle: { type: 'string' },
  },
} as const
export type DownlineMember = FromSchema<typeof DownlineMemberSchema>

export const DownlinePageSchema = {
  type: 'object',
  required: ['level', 'items', 'nextCursor'],
  additionalProperties: false,
  properties: {
    level: { type: 'integer' },
    items: { type: 'array', items: DownlineMemberSchema },
    nextCursor: { type: ['string', 'null'] },
  },
} as const
export type DownlinePage = FromSchema<typeof DownlinePageSchema>

export const DownlineStatsSchema = {
  type: 'object',
  required: ['total', 'levels'],
  additionalProperties: false,
  properties: {
    total: { type: 'integer' },
    levels: {
      type: 'array',
      items: {
        type: 'object',
        required: ['level', 'count'],
        additionalProperties: false,
        properties: { level: { type: 'integer' }, count: { type: 'integer' } },
      },
    },
  },
} as const
export type DownlineStats = FromSchema<typeof DownlineStatsSchema>

export const MoveBodySchema = {
  type: 'object',
  required: ['member', 'newSponsor', 'reason'],
  additionalProperties: false,
  properties: {
    member: { type: 'string', minLength: 1, maxLength: 60 },
    newSponsor: { type: 'string', minLength: 1, maxLength: 60 },
    reason: { type: 'string', minLength: 3, maxLength: 500 },
  },
} as const
export type MoveBody = FromSchema<typeof MoveBodySchema>

export const MoveResultSchema = {
  type: 'object',
  required: ['member', 'oldSponsor', 'newSponsor', 'movedCount'],
  additionalProperties: false,
  properties: {
    member: { type: 'string' },
    oldSponsor: { type: 'string' },
    newSponsor: { type: 'string' },
    movedCount: { type: 'integer' },
  },
} as const
export type MoveResult = FromSchema<typeof MoveResultSchema>
