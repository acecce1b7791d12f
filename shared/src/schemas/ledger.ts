// Commission plans, ledger entries, statements and uplines: the money side of the shop.
import type { FromSchema } from 'json-schema-to-ts'
import { MAX_COMMISSION_DEPTH } from '../commissions.ts'
import { MemberSummarySchema } from './common.ts'
import { PERIOD_PATTERN, cents } from './money.ts'

// --- Commission plans -------------------------------------------------------------------------

export const PlanBodySchema = {
  type: 'object',
  required: ['ratesBp', 'maxDepth'],
  additionalProperties: false,
  properties: {
    /**
     * Rates per level in basis points (1000 = 10 %), level 1 first. There is deliberately no
     * field that pays for a registration or a recruit: commissions come from sales only.
     */
    ratesBp: { type: 'array', minItems: 1, maxItems: MAX_COMMISSION_DEPTH, items: { type: 'integer', minimum: 0, maximum: 5000 } },
    maxDepth: { type: 'integer', minimum: 1, maximum: MAX_COMMISSION_DEPTH },
    /** Optional activity rule: to earn on level `fromLevel` and deeper, buy this much yourself in the period. */
    qualification: {
      type: 'object',
      required: ['minOwnPurchaseCents', 'fromLevel'],
      additionalProperties: false,
      properties: { minOwnPurchaseCents: cents, fromLevel: { type: 'integer', minimum: 1, maximum: MAX_COMMISSION_DEPTH } },
    },
    note: { type: 'string', maxLength: 500 },
  },
} as const

export type PlanBody = FromSchema<typeof PlanBodySchema>

/** The plan may never pay out more than this share of the commissionable value in total. */
export const PLAN_TOTAL_MAX_BP = 5000

export const PlanSchema = {
  type: 'object',
  required: ['version', 'ratesBp', 'maxDepth', 'qualification', 'note', 'activeFrom', 'createdBy'],
  additionalProperties: false,
  properties: {
    version: { type: 'integer' },
    ratesBp: { type: 'array', items: { type: 'integer' } },
    maxDepth: { type: 'integer' },
    qualification: { anyOf: [{ type: 'null' }, PlanBodySchema.properties.qualification] },
    note: { type: 'string' },
    activeFrom: { type: 'string', format: 'date-time' },
    createdBy: { type: ['string', 'null'] },
  },
} as const

export type Plan = FromSchema<typeof PlanSchema>

export const PlanListSchema = {
  type: 'object',
  required: ['current', 'versions'],
  additionalProperties: false,
  properties: { current: { anyOf: [{ type: 'null' }, PlanSchema] }, versions: { type: 'array', items: PlanSchema } },
} as const

// --- Ledger and statements --------------------------------------------------------------------

export const LedgerEntrySchema = {
  type: 'object',
  required: ['id', 'orderId', 'orderNumber', 'level', 'kind', 'rateBp', 'amountCents', 'baseCents', 'planVersion', 'period', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    orderId: { type: 'string' },
    orderNumber: { type: 'string' },
    level: { type: 'integer' },
    kind: { type: 'string', enum: ['credit', 'reversal'] },
    rateBp: { type: 'integer' },
    amountCents: { type: 'integer' },
    baseCents: { type: 'integer' },
    planVersion: { type: 'integer' },
    period: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const

export type LedgerEntry = FromSchema<typeof LedgerEntrySchema>

export const PeriodParamsSchema = {
  type: 'object',
  required: ['period'],
  additionalProperties: false,
  properties: { period: { type: 'string', pattern: PERIOD_PATTERN } },
} as const

export type PeriodParams = FromSchema<typeof PeriodParamsSchema>

export const StatementSchema = {
  type: 'object',
  required: ['period', 'closed', 'member', 'totalCents', 'creditsCents', 'reversalsCents', 'perLevel', 'entries'],
  additionalProperties: false,
  properties: {
    period: { type: 'string' },
    closed: { type: 'boolean' },
    member: MemberSummarySchema,
    totalCents: { type: 'integer' },
    creditsCents: { type: 'integer' },
    reversalsCents: { type: 'integer' },
    perLevel: {
      type: 'array',
      items: {
        type: 'object',
        required: ['level', 'amountCents', 'salesCents', 'orders'],
        additionalProperties: false,
        properties: { level: { type: 'integer' }, amountCents: { type: 'integer' }, salesCents: { type: 'integer' }, orders: { type: 'integer' } },
      },
    },
    entries: { type: 'array', items: LedgerEntrySchema },
  },
} as const

export type Statement = FromSchema<typeof StatementSchema>

// --- Admin: the plan simulator ----------------------------------------------------------------

/** At most this many members: the plan's hard depth limit. */
export const UPLINE_MAX = MAX_COMMISSION_DEPTH

/**
 * A member and their upline (nearest first, the company root left out), for the plan simulator.
 * `distance` is the number of steps above the named member (0 = the member), so a gap left by a
 * missing member is visible instead of shifting everyone above it a level down.
 */
export const UplineSchema = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: {
    items: {
      type: 'array',
      maxItems: UPLINE_MAX,
      items: {
        type: 'object',
        required: [...MemberSummarySchema.required, 'distance'],
        additionalProperties: false,
        properties: { ...MemberSummarySchema.properties, distance: { type: 'integer', minimum: 0 } },
      },
    },
  },
} as const

export type Upline = FromSchema<typeof UplineSchema>
