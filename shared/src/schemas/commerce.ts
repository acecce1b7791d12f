import type { FromSchema } from 'json-schema-to-ts'
import { MAX_COMMISSION_DEPTH } from '../commissions.ts'
import { MediaIdSchema, MemberSummarySchema } from './common.ts'

const cents = { type: 'integer', minimum: 0, maximum: 100_000_000 } as const
const objectId = { type: 'string', pattern: '^[0-9a-f]{24}$' } as const
/** Calendar months, "2026-11"; periods follow Europe/Berlin time. */
export const PERIOD_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])$'

// --- Products ---------------------------------------------------------------------------------

export const ProductBodySchema = {
  type: 'object',
  required: ['name', 'priceCents', 'vatRateBp', 'commissionableCents'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 2, maxLength: 120, pattern: '\\S' },
    description: { type: 'string', maxLength: 10_000, default: '' },
    /** Ids from POST /media. */
    imageIds: { type: 'array', maxItems: 8, uniqueItems: true, items: MediaIdSchema, default: [] },
    /** Gross price the buyer pays, VAT included. */
    priceCents: { ...cents, minimum: 1 },
    currency: { type: 'string', enum: ['EUR'], default: 'EUR' },
    /** 1900 = 19 %, 700 = 7 %. */
    vatRateBp: { type: 'integer', enum: [0, 700, 1900] },
    /**
     * What commissions are computed on (often the net price or less). 0 for registration fees,
     * starter kits and memberships: nothing is ever paid on recruiting.
     */
    commissionableCents: cents,
    active: { type: 'boolean', default: true },
  },
} as const
export type ProductBody = FromSchema<typeof ProductBodySchema>

export const ProductSchema = {
  type: 'object',
  required: [
    'id',
    'name',
    'description',
    'descriptionHtml',
    'imageUrls',
    'imageIds',
    'priceCents',
    'currency',
    'vatRateBp',
    'commissionableCents',
    'active',
    'createdAt',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    descriptionHtml: { type: 'string' },
    imageIds: { type: 'array', items: { type: 'string' } },
    imageUrls: { type: 'array', items: { type: 'string' } },
    priceCents: { type: 'integer' },
    currency: { type: 'string' },
    vatRateBp: { type: 'integer' },
    commissionableCents: { type: 'integer' },
    active: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const
export type Product = FromSchema<typeof ProductSchema>

export const ProductListSchema = {
  type: 'object',
  required: ['items'],
  additionalProperties: false,
  properties: { items: { type: 'array', items: ProductSchema } },
} as const

// --- Orders and payments ----------------------------------------------------------------------

export const ORDER_ITEMS_MAX = 50
/** Of one product in one order, also when it is sent as several lines. */
export const ORDER_QUANTITY_MAX = 999

export const CreateOrderBodySchema = {
  type: 'object',
  required: ['items', 'idempotencyKey'],
  additionalProperties: false,
  properties: {
    items: {
      type: 'array',
      minItems: 1,
      maxItems: ORDER_ITEMS_MAX,
      items: {
        type: 'object',
        required: ['productId', 'quantity'],
        additionalProperties: false,
        properties: { productId: objectId, quantity: { type: 'integer', minimum: 1, maximum: ORDER_QUANTITY_MAX } },
      },
    },
    /** The same key from the same buyer returns the same order: a double click never orders twice. */
    idempotencyKey: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' },
  },
} as const
export type CreateOrderBody = FromSchema<typeof CreateOrderBodySchema>

export const ORDER_STATUSES = ['pending', 'paid', 'failed', 'refunded'] as const

export const OrderSchema = {
  type: 'object',
  required: [
    'id',
    'number',
    'status',
    'items',
    'totalCents',
    'vatCents',
    'commissionBaseCents',
    'currency',
    'buyer',
    'attributedTo',
    'payment',
    'createdAt',
    'paidAt',
    'refundedAt',
    'withdrawalEndsAt',
    'planVersion',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    /** Short, human: shown on statements ("B-2026-000123"). */
    number: { type: 'string' },
    status: { type: 'string', enum: ORDER_STATUSES },
    items: {
      type: 'array',
      items: {
        type: 'object',
        required: ['productId', 'name', 'quantity', 'unitPriceCents', 'vatRateBp', 'commissionableCents'],
        additionalProperties: false,
        properties: {
          productId: { type: 'string' },
          name: { type: 'string' },
          quantity: { type: 'integer' },
          unitPriceCents: { type: 'integer' },
          vatRateBp: { type: 'integer' },
          commissionableCents: { type: 'integer' },
        },
      },
    },
    totalCents: { type: 'integer' },
    vatCents: { type: 'integer' },
    commissionBaseCents: { type: 'integer' },
    currency: { type: 'string' },
    buyer: MemberSummarySchema,
    /** The partner the sale counts for: a customer's referrer, or the partner buying for themselves. */
    attributedTo: { anyOf: [{ type: 'null' }, MemberSummarySchema] },
    payment: {
      type: 'object',
      required: ['provider', 'reference', 'checkoutUrl'],
      additionalProperties: false,
      properties: { provider: { type: 'string' }, reference: { type: 'string' }, checkoutUrl: { type: ['string', 'null'] } },
    },
    createdAt: { type: 'string', format: 'date-time' },
    paidAt: { type: ['string', 'null'], format: 'date-time' },
    refundedAt: { type: ['string', 'null'], format: 'date-time' },
    /** The statutory 14 days: a refund before this reverses the order's commissions. */
    withdrawalEndsAt: { type: ['string', 'null'], format: 'date-time' },
    planVersion: { type: ['integer', 'null'] },
  },
} as const
export type Order = FromSchema<typeof OrderSchema>

export const OrderPageSchema = {
  type: 'object',
  required: ['items', 'nextCursor'],
  additionalProperties: false,
  properties: { items: { type: 'array', items: OrderSchema }, nextCursor: { type: ['string', 'null'] } },
} as const

/** What the payment provider tells us; the test provider signs it with PAYMENT_WEBHOOK_SECRET. */
export const PaymentEventSchema = {
  type: 'object',
  required: ['id', 'type', 'reference', 'occurredAt'],
  additionalProperties: false,
  properties: {
    /** The provider's event id: the same event delivered twice is applied once. */
    id: { type: 'string', minLength: 1, maxLength: 100 },
    type: { type: 'string', enum: ['payment.paid', 'payment.failed', 'payment.refunded'] },
    /** The payment reference the order got at checkout. */
    reference: { type: 'string', minLength: 1, maxLength: 100 },
    /** When it happened at the provider (not when it reached us): order of arrival does not matter. */
    occurredAt: { type: 'string', format: 'date-time' },
    /** What the provider took (paid) or gave back (refunded); a paid event must match the order's total. */
    amountCents: { type: 'integer', minimum: 0, maximum: 100_000_000_000 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
  },
} as const
export type PaymentEvent = FromSchema<typeof PaymentEventSchema>

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
