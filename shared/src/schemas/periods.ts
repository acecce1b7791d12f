import type { FromSchema } from 'json-schema-to-ts'

/** What a period paid out in all: the sums over every partner's entries of that month. */
export const PeriodTotalsSchema = {
  type: 'object',
  required: ['creditsCents', 'reversalsCents', 'totalCents', 'payees', 'entries'],
  additionalProperties: false,
  properties: {
    creditsCents: { type: 'integer' },
    /** Zero or negative. */
    reversalsCents: { type: 'integer' },
    /** What is paid out: credits plus reversals. */
    totalCents: { type: 'integer' },
    /**
     * Partners with at least one entry in the period. While a month is open, its listings in the
     * payees stream (a crash may list one twice); exact once the month is closed and cached.
     */
    payees: { type: 'integer' },
    entries: { type: 'integer' },
  },
} as const
export type PeriodTotals = FromSchema<typeof PeriodTotalsSchema>

export const PeriodSummarySchema = {
  type: 'object',
  required: ['period', 'status', 'closedAt', 'closable', 'totals'],
  additionalProperties: false,
  properties: {
    period: { type: 'string' },
    status: { type: 'string', enum: ['open', 'closed'] },
    closedAt: { type: ['string', 'null'], format: 'date-time' },
    /** Open and over: an admin can close it now. */
    closable: { type: 'boolean' },
    totals: PeriodTotalsSchema,
  },
} as const
export type PeriodSummary = FromSchema<typeof PeriodSummarySchema>

export const PeriodListSchema = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: { items: { type: 'array', items: PeriodSummarySchema } },
} as const
export type PeriodList = FromSchema<typeof PeriodListSchema>
