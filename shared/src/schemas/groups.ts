import type { FromSchema } from 'json-schema-to-ts'
import { MemberSummarySchema } from './common.ts'

export const GROUP_KINDS = ['community', 'team', 'training'] as const
export const GROUP_ROLES = ['owner', 'moderator', 'member'] as const
/** Team groups reach at most as deep as a commission plan may (its hard limit is 10 levels). */
export const MAX_TEAM_DEPTH = 10
export const SLUG_PATTERN = '^[a-z0-9](?:[a-z0-9-]{1,48}[a-z0-9])$'

export const CreateGroupBodySchema = {
  type: 'object',
  required: ['name', 'slug', 'kind', 'visibility'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 3, maxLength: 80, pattern: '\\S' },
    slug: { type: 'string', minLength: 1, maxLength: 60 },
    kind: { type: 'string', enum: GROUP_KINDS },
    visibility: { type: 'string', enum: ['public', 'private'] },
    adsAllowed: { type: 'boolean', default: false },
    teamDepth: { type: 'integer', minimum: 1, maximum: MAX_TEAM_DEPTH },
    description: { type: 'string', maxLength: 2000 },
  },
} as const
export type CreateGroupBody = FromSchema<typeof CreateGroupBodySchema>

export const SlugParamsSchema = {
  type: 'object',
  required: ['slug'],
  additionalProperties: false,
  properties: { slug: { type: 'string', minLength: 1, maxLength: 60 } },
} as const
export type SlugParams = FromSchema<typeof SlugParamsSchema>

export const GroupSchema = {
  type: 'object',
  required: [
    'id',
    'slug',
    'name',
    'kind',
    'visibility',
    'adsAllowed',
    'teamDepth',
    'descriptionHtml',
    'owner',
    'memberCount',
    'myRole',
    'myRequest',
    'createdAt',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    slug: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string', enum: GROUP_KINDS },
    visibility: { type: 'string', enum: ['public', 'private'] },
    adsAllowed: { type: 'boolean' },
    teamDepth: { type: ['integer', 'null'] },
    descriptionHtml: { type: 'string' },
    owner: MemberSummarySchema,
    memberCount: { type: 'integer' },
    myRole: { type: ['string', 'null'], enum: [...GROUP_ROLES, null] },
    myRequest: { type: ['string', 'null'], enum: ['pending', 'invited', null] },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const
export type Group = FromSchema<typeof GroupSchema>

export const GroupsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mine: { type: 'boolean', default: false },
    q: { type: 'string', maxLength: 80 },
    cursor: { type: 'string', pattern: '^[0-9]{1,12}$' },
    limit: { type: 'integer', minimum: 1, maximum: 50, default: 20 },
  },
} as const
export type GroupsQuery = FromSchema<typeof GroupsQuerySchema>

export const GroupPageSchema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  additionalProperties: false,
  properties: { items: { type: 'array', items: GroupSchema }, nextCursor: { type: ['string', 'null'] } },
} as const
export type GroupPage = FromSchema<typeof GroupPageSchema>

export const GroupMemberSchema = {
  type: 'object',
  required: ['member', 'role'],
  additionalProperties: false,
  properties: { member: MemberSummarySchema, role: { type: 'string', enum: GROUP_ROLES } },
} as const

export const GroupMemberPageSchema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  additionalProperties: false,
  properties: { items: { type: 'array', items: GroupMemberSchema }, nextCursor: { type: ['string', 'null'] } },
} as const
export type GroupMemberPage = FromSchema<typeof GroupMemberPageSchema>

export const JoinResultSchema = {
  type: 'object',
  required: ['status'],
  additionalProperties: false,
  properties: { status: { type: 'string', enum: ['joined', 'requested', 'member'] } },
} as const
export type JoinResult = FromSchema<typeof JoinResultSchema>

export const HandleBodySchema = {
  type: 'object',
  required: ['handle'],
  additionalProperties: false,
  properties: { handle: { type: 'string', minLength: 1, maxLength: 60 } },
} as const
export type HandleBody = FromSchema<typeof HandleBodySchema>

export const DecisionBodySchema = {
  type: 'object',
  required: ['handle', 'approve'],
  additionalProperties: false,
  properties: { handle: { type: 'string', minLength: 1, maxLength: 60 }, approve: { type: 'boolean' } },
} as const
export type DecisionBody = FromSchema<typeof DecisionBodySchema>

export const RoleBodySchema = {
  type: 'object',
  required: ['handle', 'role'],
  additionalProperties: false,
  properties: { handle: { type: 'string', minLength: 1, maxLength: 60 }, role: { type: 'string', enum: ['moderator', 'member'] } },
} as const
export type RoleBody = FromSchema<typeof RoleBodySchema>

export const RequestPageSchema = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: { items: { type: 'array', items: MemberSummarySchema } },
} as const
