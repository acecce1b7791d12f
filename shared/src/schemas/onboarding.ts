import type { FromSchema } from 'json-schema-to-ts'
import { MemberSummarySchema } from './common.ts'

/**
 * A recruit's first steps, in the order the checklist shows them. Each is a milestone: it ticks
 * once, from the event itself, and stays ticked.
 * - profile: bio and location filled in
 * - photo: a profile picture uploaded
 * - firstPrPost: a first PR post (feed, profile or group; ads do not count)
 * - teamGroup: opened (or posted in) a team group they belong to through the join graph
 * - firstLesson: a first lesson of a training group marked done
 */
export const ONBOARDING_ITEMS = ['profile', 'photo', 'firstPrPost', 'teamGroup', 'firstLesson'] as const
export type OnboardingItem = (typeof ONBOARDING_ITEMS)[number]

const tickedAt = { type: ['string', 'null'], format: 'date-time' } as const

export const OnboardingChecklistSchema = {
  type: 'object',
  required: ['member', 'sponsor', 'joinedAt', 'items', 'done', 'total', 'completedAt'],
  additionalProperties: false,
  properties: {
    member: MemberSummarySchema,
    /** The direct sponsor (null for members of the company root). */
    sponsor: { anyOf: [MemberSummarySchema, { type: 'null' }] },
    joinedAt: { type: 'string', format: 'date-time' },
    /** When each step was first done; null while it is open. */
    items: {
      type: 'object',
      required: ONBOARDING_ITEMS,
      additionalProperties: false,
      properties: {
        profile: tickedAt,
        photo: tickedAt,
        firstPrPost: tickedAt,
        teamGroup: tickedAt,
        firstLesson: tickedAt,
      },
    },
    done: { type: 'integer', minimum: 0, maximum: ONBOARDING_ITEMS.length },
    total: { type: 'integer', const: ONBOARDING_ITEMS.length },
    /** When the last open step was done. */
    completedAt: tickedAt,
  },
} as const
export type OnboardingChecklist = FromSchema<typeof OnboardingChecklistSchema>

export const RecruitsOnboardingQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cursor: { type: 'string', pattern: '^[0-9]{1,12}$' },
    limit: { type: 'integer', minimum: 1, maximum: 50, default: 20 },
  },
} as const
export type RecruitsOnboardingQuery = FromSchema<typeof RecruitsOnboardingQuerySchema>

export const RecruitsOnboardingPageSchema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  additionalProperties: false,
  properties: {
    /** Direct recruits, newest first. */
    items: { type: 'array', items: OnboardingChecklistSchema },
    nextCursor: { type: ['string', 'null'] },
  },
} as const
export type RecruitsOnboardingPage = FromSchema<typeof RecruitsOnboardingPageSchema>
