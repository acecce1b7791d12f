import type { FromSchema } from 'json-schema-to-ts'
import { MediaIdSchema, MemberSummarySchema } from './common.ts'
import { cents, objectId } from './money.ts'

// Plans, ledger entries, statements and uplines live in ledger.ts; importers of this file get them too.
export * from './ledger.ts'
export { PERIOD_PATTERN } from './money.ts'

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
