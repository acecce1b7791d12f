import type { FromSchema } from 'json-schema-to-ts'

export const ErrorResponseSchema = {
  $id: 'ErrorResponse',
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: false,
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {},
      },
    },
  },
} as const
export type ErrorResponse = FromSchema<typeof ErrorResponseSchema>

export const HandleParamsSchema = {
  type: 'object',
  required: ['handle'],
  additionalProperties: false,
  properties: { handle: { type: 'string', minLength: 1, maxLength: 60 } },
} as const
export type HandleParams = FromSchema<typeof HandleParamsSchema>

export const OkSchema = {
  type: 'object',
  required: ['ok'],
  additionalProperties: false,
  properties: { ok: { type: 'boolean' } },
} as const

/** A member as others see them in lists and cards. */
export const MemberSummarySchema = {
  type: 'object',
  required: ['id', 'handle', 'displayName', 'role', 'avatarUrl'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    handle: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: ['partner', 'customer', 'admin'] },
    avatarUrl: { type: ['string', 'null'] },
  },
} as const
export type MemberSummary = FromSchema<typeof MemberSummarySchema>

/** Error responses every route may give; spread into a route's `response`. */
export const errorResponses = {
  '4xx': ErrorResponseSchema,
  '5xx': ErrorResponseSchema,
} as const

/**
 * A stored file's id: 128 random bits in base64url (22 characters); files uploaded before ids
 * became random keep their 24-hex ObjectId.
 */
export const MEDIA_ID_PATTERN = '^(?:[0-9a-f]{24}|[A-Za-z0-9_-]{22})$'
export const MediaIdSchema = { type: 'string', pattern: MEDIA_ID_PATTERN } as const
