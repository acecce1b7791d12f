import type { FromSchema } from 'json-schema-to-ts'
import { MARKDOWN_MAX } from '../markdown.ts'
import { MemberSummarySchema } from './common.ts'

export const POST_KINDS = ['pr', 'ad'] as const
export type PostKind = (typeof POST_KINDS)[number]

/** Where a post lives. Ads only in the marketplace, the author's offers tab and groups whose owner allows them. */
export const AreaSchema = {
  oneOf: [
    {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: { type: { type: 'string', enum: ['feed', 'marketplace', 'profile'] } },
    },
    {
      type: 'object',
      required: ['type', 'groupId'],
      additionalProperties: false,
      properties: { type: { type: 'string', const: 'group' }, groupId: { type: 'string', minLength: 1, maxLength: 40 } },
    },
  ],
} as const
export type Area = FromSchema<typeof AreaSchema>

/** Areas that accept ads without further checks (a group needs its owner's switch as well). */
export const AD_AREAS = ['marketplace', 'profile'] as const

export const CreatePostBodySchema = {
  type: 'object',
  required: ['body', 'kind', 'area'],
  additionalProperties: false,
  properties: {
    body: { type: 'string', minLength: 1, maxLength: MARKDOWN_MAX, pattern: '\\S' },
    kind: { type: 'string', enum: POST_KINDS },
    area: AreaSchema,
  },
} as const
export type CreatePostBody = FromSchema<typeof CreatePostBodySchema>

export const EditPostBodySchema = {
  type: 'object',
  required: ['body'],
  additionalProperties: false,
  properties: { body: CreatePostBodySchema.properties.body },
} as const
export type EditPostBody = FromSchema<typeof EditPostBodySchema>

export const PostIdParamsSchema = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', pattern: '^[0-9a-f]{24}$' } },
} as const
export type PostIdParams = FromSchema<typeof PostIdParamsSchema>

export const PostSchema = {
  type: 'object',
  required: ['id', 'author', 'kind', 'area', 'body', 'html', 'adScore', 'likeCount', 'commentCount', 'createdAt', 'editedAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    author: MemberSummarySchema,
    kind: { type: 'string', enum: POST_KINDS },
    area: {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: { type: { type: 'string' }, groupId: { type: 'string' } },
    },
    body: { type: 'string' },
    html: { type: 'string' },
    adScore: { type: 'number' },
    likeCount: { type: 'integer' },
    commentCount: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    editedAt: { type: ['string', 'null'], format: 'date-time' },
    /** Only in a group feed: pinned by the group's owner or moderators. */
    pinned: { type: 'boolean' },
  },
} as const
export type Post = FromSchema<typeof PostSchema>

export const PostPageSchema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  additionalProperties: false,
  properties: {
    items: { type: 'array', items: PostSchema },
    nextCursor: { type: ['string', 'null'] },
  },
} as const
export type PostPage = FromSchema<typeof PostPageSchema>

const cursor = { type: 'string', pattern: '^[0-9]{1,12}$' } as const
const limit = { type: 'integer', minimum: 1, maximum: 50, default: 20 } as const

export const FeedQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { cursor, limit },
} as const

/** The home feed merges several streams; its cursor holds a position for each (base64url). */
export const HomeFeedQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { cursor: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,4000}$' }, limit },
} as const
export type FeedQuery = FromSchema<typeof FeedQuerySchema>

export const MarketplaceQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cursor,
    limit,
    q: { type: 'string', maxLength: 100 },
    author: { type: 'string', maxLength: 60 },
  },
} as const
export type MarketplaceQuery = FromSchema<typeof MarketplaceQuerySchema>

export const ProfilePostsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { cursor, limit, kind: { type: 'string', enum: POST_KINDS, default: 'pr' } },
} as const
export type ProfilePostsQuery = FromSchema<typeof ProfilePostsQuerySchema>

export const FollowStateSchema = {
  type: 'object',
  required: ['following', 'followers', 'followingCount'],
  additionalProperties: false,
  properties: {
    following: { type: 'boolean' },
    followers: { type: 'integer' },
    followingCount: { type: 'integer' },
  },
} as const
export type FollowState = FromSchema<typeof FollowStateSchema>
