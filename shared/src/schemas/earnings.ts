import type { FromSchema } from 'json-schema-to-ts'
import { MemberSummarySchema } from './common.ts'
import { PERIOD_PATTERN } from './commerce.ts'

/** Name search in the downline explorer reads at most this many members through the level lists. */
export const DOWNLINE_SEARCH_SCAN = 2000
/** A page of the downline tree: one node's direct recruits. */
export const DOWNLINE_TREE_PAGE = 25

const objectId = { type: 'string', pattern: '^[0-9a-f]{24}$' } as const

const LevelSumSchema = {
  type: 'object',
  required: ['level', 'amountCents', 'salesCents', 'orders'],
  additionalProperties: false,
  properties: { level: { type: 'integer' }, amountCents: { type: 'integer' }, salesCents: { type: 'integer' }, orders: { type: 'integer' } },
} as const

/** One partner's sums for one period (what a statement adds up to, without its lines). */
export const PeriodTotalsSchema = {
  type: 'object',
  required: ['period', 'closed', 'totalCents', 'creditsCents', 'reversalsCents', 'perLevel'],
  additionalProperties: false,
  properties: {
    period: { type: 'string' },
    /** Final: the period is closed and its numbers never change. */
    closed: { type: 'boolean' },
    totalCents: { type: 'integer' },
    creditsCents: { type: 'integer' },
    reversalsCents: { type: 'integer' },
    perLevel: { type: 'array', items: LevelSumSchema },
  },
} as const
export type PeriodTotals = FromSchema<typeof PeriodTotalsSchema>

export const RecruitSchema = {
  type: 'object',
  required: [...MemberSummarySchema.required, 'joinedAt'],
  additionalProperties: false,
  properties: { ...MemberSummarySchema.properties, joinedAt: { type: 'string', format: 'date-time' } },
} as const

export const EarningsDashboardSchema = {
  type: 'object',
  required: ['period', 'current', 'history', 'downline', 'recruits'],
  additionalProperties: false,
  properties: {
    /** The current (open) period, "2026-11". */
    period: { type: 'string' },
    current: PeriodTotalsSchema,
    /** The last 12 periods, oldest first; the last one is the current period. */
    history: {
      type: 'array',
      items: {
        type: 'object',
        required: ['period', 'totalCents', 'closed'],
        additionalProperties: false,
        properties: { period: { type: 'string' }, totalCents: { type: 'integer' }, closed: { type: 'boolean' } },
      },
    },
    downline: {
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
    },
    /** Direct recruits who joined in the current period, newest first. */
    recruits: {
      type: 'object',
      required: ['count', 'items', 'more'],
      additionalProperties: false,
      properties: {
        count: { type: 'integer' },
        /** The newest few. */
        items: { type: 'array', items: RecruitSchema },
        /** True when the count stopped at the reading limit (there may be more). */
        more: { type: 'boolean' },
      },
    },
  },
} as const
export type EarningsDashboard = FromSchema<typeof EarningsDashboardSchema>

// --- Downline explorer ------------------------------------------------------------------------

export const TreeNodeSchema = {
  type: 'object',
  required: [...MemberSummarySchema.required, 'level', 'joinedAt', 'directCount', 'periodVolumeCents'],
  additionalProperties: false,
  properties: {
    ...MemberSummarySchema.properties,
    /** Distance below the viewer: 1 = their direct recruit (0 = the viewer). */
    level: { type: 'integer' },
    joinedAt: { type: 'string', format: 'date-time' },
    /** How many direct recruits this member has. */
    directCount: { type: 'integer' },
    /** Own commissionable sales this period (credited at level 1, refunds deducted). */
    periodVolumeCents: { type: 'integer' },
  },
} as const
export type TreeNode = FromSchema<typeof TreeNodeSchema>

export const TreeQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { parent: objectId, cursor: { type: 'string', pattern: '^[0-9]{1,12}$' } },
} as const
export type TreeQuery = FromSchema<typeof TreeQuerySchema>

export const TreePageSchema = {
  type: 'object',
  required: ['period', 'parent', 'items', 'nextCursor'],
  additionalProperties: false,
  properties: {
    period: { type: 'string' },
    parent: TreeNodeSchema,
    items: { type: 'array', items: TreeNodeSchema },
    nextCursor: { type: ['string', 'null'] },
  },
} as const
export type TreePage = FromSchema<typeof TreePageSchema>

export const DownlineSearchQuerySchema = {
  type: 'object',
  required: ['q'],
  additionalProperties: false,
  properties: { q: { type: 'string', minLength: 2, maxLength: 60 } },
} as const
export type DownlineSearchQuery = FromSchema<typeof DownlineSearchQuerySchema>

export const DownlineSearchResultSchema = {
  type: 'object',
  required: ['items', 'scanned', 'scanLimit', 'complete'],
  additionalProperties: false,
  properties: {
    items: { type: 'array', items: TreeNodeSchema },
    /** How many members' names were compared. */
    scanned: { type: 'integer' },
    scanLimit: { type: 'integer' },
    /** True when every member of the downline was compared (the downline is smaller than the limit). */
    complete: { type: 'boolean' },
  },
} as const
export type DownlineSearchResult = FromSchema<typeof DownlineSearchResultSchema>

// --- Income disclosure ------------------------------------------------------------------------

export const IncomeDisclosureQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { period: { type: 'string', pattern: PERIOD_PATTERN } },
} as const
export type IncomeDisclosureQuery = FromSchema<typeof IncomeDisclosureQuerySchema>

export const IncomeDisclosureSchema = {
  type: 'object',
  required: ['scope', 'periods', 'partners', 'earners', 'bands', 'medianCents', 'earnersMedianCents', 'earnersMeanCents', 'totalPaidCents'],
  additionalProperties: false,
  properties: {
    /** One closed month, or the last twelve closed months added up per partner. */
    scope: { type: 'string', enum: ['month', 'year'] },
    /** The closed periods counted, oldest first (empty: nothing is closed yet). */
    periods: { type: 'array', items: { type: 'string' } },
    /** Everyone who was a partner in the time counted. */
    partners: { type: 'integer' },
    /** Partners with more than 0 € in the time counted. */
    earners: { type: 'integer' },
    bands: {
      type: 'array',
      items: {
        type: 'object',
        required: ['minCents', 'maxCents', 'partners', 'shareBp'],
        additionalProperties: false,
        properties: {
          /** Exclusive lower bound; null for the "0 €" band (nothing, or refunds only). */
          minCents: { type: ['integer', 'null'] },
          /** Inclusive upper bound; null for the open top band. */
          maxCents: { type: ['integer', 'null'] },
          partners: { type: 'integer' },
          /** Share of all partners, in basis points (1234 = 12.34 %). */
          shareBp: { type: 'integer' },
        },
      },
    },
    /** Median over all partners, those who earned nothing included. */
    medianCents: { type: 'integer' },
    earnersMedianCents: { type: 'integer' },
    earnersMeanCents: { type: 'integer' },
    totalPaidCents: { type: 'integer' },
  },
} as const
export type IncomeDisclosure = FromSchema<typeof IncomeDisclosureSchema>
