import type { FromSchema } from 'json-schema-to-ts'
import { MemberSummarySchema } from './common.ts'

/** What an admin sees of a member on /admin/members. */
export const AdminMemberSchema = {
  type: 'object',
  required: [
    'id',
    'handle',
    'displayName',
    'email',
    'role',
    'moderator',
    'sponsor',
    'status',
    'suspension',
    'emailVerified',
    'twoFactor',
    'joinedAt',
    'lastSeenAt',
    'sessions',
    'history',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    handle: { type: 'string' },
    displayName: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string', enum: ['partner', 'customer', 'admin'] },
    moderator: { type: 'boolean' },
    sponsor: { anyOf: [MemberSummarySchema, { type: 'null' }] },
    status: { type: 'string', enum: ['active', 'suspended'] },
    suspension: {
      anyOf: [
        {
          type: 'object',
          required: ['at', 'reason', 'by'],
          additionalProperties: false,
          properties: { at: { type: 'string', format: 'date-time' }, reason: { type: 'string' }, by: { type: ['string', 'null'] } },
        },
        { type: 'null' },
      ],
    },
    emailVerified: { type: 'boolean' },
    twoFactor: { type: 'boolean' },
    joinedAt: { type: 'string', format: 'date-time' },
    /** The newest use of any of the member's sessions; null: no session now. */
    lastSeenAt: { type: ['string', 'null'], format: 'date-time' },
    /** Open sessions. */
    sessions: { type: 'integer' },
    /** What admins did to this member, newest first. */
    history: {
      type: 'array',
      items: {
        type: 'object',
        required: ['action', 'by', 'reason', 'at'],
        additionalProperties: false,
        properties: {
          action: { type: 'string', enum: ['member.suspended', 'member.unsuspended', 'member.role_changed', 'member.verification_resent'] },
          by: { type: ['string', 'null'] },
          reason: { type: 'string' },
          /** For a role change: the new standing. */
          to: { type: 'string' },
          at: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
} as const
export type AdminMember = FromSchema<typeof AdminMemberSchema>

export const AdminMemberSearchSchema = {
  type: 'object',
  required: ['q'],
  additionalProperties: false,
  properties: {
    /** A handle (with or without "@") or an exact email address. */
    q: { type: 'string', minLength: 1, maxLength: 254 },
  },
} as const
export type AdminMemberSearch = FromSchema<typeof AdminMemberSearchSchema>

export const AdminMemberResultSchema = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: { items: { type: 'array', items: AdminMemberSchema } },
} as const

const reason = { type: 'string', minLength: 3, maxLength: 500, pattern: '\\S' } as const

export const SuspendBodySchema = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: { reason },
} as const
export type SuspendBody = FromSchema<typeof SuspendBodySchema>

/** A member's standing: `admin`, a site-wide `moderator`, or neither (`member`). */
export const STANDINGS = ['admin', 'moderator', 'member'] as const
export type Standing = (typeof STANDINGS)[number]

export const StandingBodySchema = {
  type: 'object',
  required: ['standing', 'reason'],
  additionalProperties: false,
  properties: { standing: { type: 'string', enum: STANDINGS }, reason },
} as const
export type StandingBody = FromSchema<typeof StandingBodySchema>
