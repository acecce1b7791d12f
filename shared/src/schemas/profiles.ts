import type { FromSchema } from 'json-schema-to-ts'
import { MemberSummarySchema } from './common.ts'

export const LinkSchema = {
  type: 'object',
  required: ['label', 'url'],
  additionalProperties: false,
  properties: {
    label: { type: 'string', minLength: 1, maxLength: 40 },
    url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 300 },
  },
} as const

export const ProfileSchema = {
  type: 'object',
  required: [
    'id',
    'handle',
    'displayName',
    'role',
    'avatarUrl',
    'bio',
    'bioHtml',
    'location',
    'languages',
    'links',
    'joinedAt',
    'profileUrl',
    'subdomainUrl',
    'sponsor',
  ],
  additionalProperties: false,
  properties: {
    ...MemberSummarySchema.properties,
    bio: { type: 'string' },
    bioHtml: { type: 'string' },
    location: { type: 'string' },
    languages: { type: 'array', items: { type: 'string' } },
    links: { type: 'array', items: LinkSchema },
    joinedAt: { type: 'string', format: 'date-time' },
    profileUrl: { type: 'string' },
    subdomainUrl: { type: 'string' },
    sponsor: { anyOf: [MemberSummarySchema, { type: 'null' }] },
  },
} as const
export type Profile = FromSchema<typeof ProfileSchema>

export const BIO_MAX = 5000

export const ProfilePatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    displayName: { type: 'string', minLength: 1, maxLength: 80, pattern: '\\S' },
    bio: { type: 'string', maxLength: BIO_MAX },
    location: { type: 'string', maxLength: 80 },
    languages: {
      type: 'array',
      maxItems: 10,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[a-z]{2,3}$' },
    },
    links: { type: 'array', maxItems: 8, items: LinkSchema },
  },
} as const
export type ProfilePatch = FromSchema<typeof ProfilePatchSchema>

/** The largest upload accepted: avatars, post images and PDF handouts. */
export const UPLOAD_MAX_BYTES = 8 * 1024 * 1024
