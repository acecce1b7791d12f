import { createHash } from 'node:crypto'
import { Schema, Types, type Connection, type Model } from 'mongoose'

export interface ProductDoc {
  _id: Types.ObjectId
  name: string
  description: string
  descriptionHtml: string
  /** Media ids (random strings; older ones ObjectIds). */
  imageIds: Array<string | Types.ObjectId>
  priceCents: number
  currency: string
  vatRateBp: number
  commissionableCents: number
  active: boolean
  createdAt: Date
  updatedAt: Date
}
const ProductSchema = new Schema<ProductDoc>(
  {
    name: { type: String, required: true },
    description: { type: String, default: '' },
    descriptionHtml: { type: String, default: '' },
    imageIds: { type: [Schema.Types.Mixed], default: [] },
    priceCents: { type: Number, required: true },
    currency: { type: String, default: 'EUR' },
    vatRateBp: { type: Number, required: true },
    commissionableCents: { type: Number, required: true },
    active: { type: Boolean, default: true },
  },
  { versionKey: false, timestamps: true },
)

export interface OrderItem {
  productId: Types.ObjectId
  name: string
  quantity: number
  unitPriceCents: number
  vatRateBp: number
  commissionableCents: number
}

export interface OrderDoc {
  _id: Types.ObjectId
  number: string
  buyerId: Types.ObjectId
  /** The partner the sale counts for (null when a customer has no partner above them). */
  attributedPartnerId: Types.ObjectId | null
  items: OrderItem[]
  totalCents: number
  vatCents: number
  commissionBaseCents: number
  currency: string
  payment: { provider: string; reference: string; checkoutUrl: string | null }
  /** The earliest "paid" event's time at the provider. */
  paidAt?: Date | null
  failedAt?: Date | null
  refundedAt?: Date | null
  planVersion: number | null
  /** Set once every credit entry is written (and listed); until then the order has a credit job. */
  creditedAt: Date | null
  /** The identities of the credit lines written, so a reversal undoes exactly those. */
  creditKeys: string[]
  /** Set once a refund inside the withdrawal window is reversed in the ledger. */
  reversedAt: Date | null
  createdAt: Date
}
const OrderSchema = new Schema<OrderDoc>(
  {
    number: { type: String, required: true },
    buyerId: { type: Schema.Types.ObjectId, required: true },
    attributedPartnerId: { type: Schema.Types.ObjectId, default: null },
    items: { type: Schema.Types.Mixed, required: true },
    totalCents: { type: Number, required: true },
    vatCents: { type: Number, required: true },
    commissionBaseCents: { type: Number, required: true },
    currency: { type: String, default: 'EUR' },
    payment: { type: Schema.Types.Mixed, required: true },
    // No defaults: a missing time lets `$min` set the earliest event's time, whatever the order of arrival.
    paidAt: { type: Date },
    failedAt: { type: Date },
    refundedAt: { type: Date },
    planVersion: { type: Number, default: null },
    creditedAt: { type: Date, default: null },
    creditKeys: { type: [String], default: [] },
    reversedAt: { type: Date, default: null },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
)
// Shard key on MongoDB: orders by buyer.
OrderSchema.index({ buyerId: 1, createdAt: -1 })

/** A provider event, kept by its id: the second delivery of the same event changes nothing. */
export interface PaymentEventDoc {
  _id: string
  orderId: Types.ObjectId
  type: string
  occurredAt: Date
  receivedAt: Date
}
const PaymentEventSchema = new Schema<PaymentEventDoc>(
  {
    _id: { type: String },
    orderId: { type: Schema.Types.ObjectId, required: true },
    type: { type: String, required: true },
    occurredAt: { type: Date, required: true },
    receivedAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
)

/** Plans are versions: "plan:<n>" keyed by number; a new version never changes an older one. */
export interface PlanDoc {
  _id: number
  ratesBp: number[]
  maxDepth: number
  qualification: { minOwnPurchaseCents: number; fromLevel: number } | null
  note: string
  activeFrom: Date
  createdBy: Types.ObjectId | null
}
const PlanSchema = new Schema<PlanDoc>(
  {
    _id: { type: Number },
    ratesBp: { type: [Number], required: true },
    maxDepth: { type: Number, required: true },
    qualification: { type: Schema.Types.Mixed, default: null },
    note: { type: String, default: '' },
    activeFrom: { type: Date, required: true },
    createdBy: { type: Schema.Types.ObjectId, default: null },
  },
  { versionKey: false },
)

export type EntryKind = 'credit' | 'reversal'

/**
 * One line of the append-only ledger. Its _id is derived from (order, beneficiary, level, kind),
 * so writing the same line twice is a duplicate-key no-op on any backend.
 */
export interface LedgerEntryDoc {
  _id: Types.ObjectId
  key: string
  orderId: Types.ObjectId
  orderNumber: string
  beneficiaryId: Types.ObjectId
  level: number
  kind: EntryKind
  rateBp: number
  amountCents: number
  baseCents: number
  planVersion: number
  period: string
  /** Its number in the beneficiary's period stream, once listed there. */
  listed: number | null
  createdAt: Date
}
const LedgerEntrySchema = new Schema<LedgerEntryDoc>(
  {
    key: { type: String, required: true },
    orderId: { type: Schema.Types.ObjectId, required: true },
    orderNumber: { type: String, required: true },
    beneficiaryId: { type: Schema.Types.ObjectId, required: true },
    level: { type: Number, required: true },
    kind: { type: String, enum: ['credit', 'reversal'], required: true },
    rateBp: { type: Number, required: true },
    amountCents: { type: Number, required: true },
    baseCents: { type: Number, required: true },
    planVersion: { type: Number, required: true },
    period: { type: String, required: true },
    listed: { type: Number, default: null },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
)
// On MongoDB the natural identity is also unique on its own; shard key: beneficiary + period.
LedgerEntrySchema.index({ key: 1 }, { unique: true })
LedgerEntrySchema.index({ beneficiaryId: 1, period: 1 })

export const entryKey = (orderId: Types.ObjectId | string, beneficiaryId: Types.ObjectId | string, level: number, kind: EntryKind) =>
  `${orderId.toString()}:${beneficiaryId.toString()}:${level}:${kind}`

/** The ObjectId a ledger line always gets: the first 12 bytes of SHA-256 over its identity. */
export const entryId = (key: string) => new Types.ObjectId(createHash('sha256').update(key).digest('hex').slice(0, 24))

/** A closed period: its entries never change again. Open periods have no document. */
export interface PeriodDoc {
  _id: string
  closedAt: Date
  closedBy: Types.ObjectId
}
const PeriodSchema = new Schema<PeriodDoc>(
  { _id: { type: String }, closedAt: { type: Date, required: true }, closedBy: { type: Schema.Types.ObjectId, required: true } },
  { versionKey: false },
)

/** "An order waits for crediting or reversing": one small document per order, deleted when done. */
export interface CreditJobDoc {
  _id: Types.ObjectId
  createdAt: Date
}
const CreditJobSchema = new Schema<CreditJobDoc>({ createdAt: { type: Date, default: () => new Date() } }, { versionKey: false })

export function commerceModels(conn: Connection) {
  return {
    Product: conn.model('Product', ProductSchema, 'products') as Model<ProductDoc>,
    Order: conn.model('Order', OrderSchema, 'orders') as Model<OrderDoc>,
    PaymentEvent: conn.model('PaymentEvent', PaymentEventSchema, 'payment_events') as Model<PaymentEventDoc>,
    Plan: conn.model('Plan', PlanSchema, 'commission_plans') as Model<PlanDoc>,
    LedgerEntry: conn.model('LedgerEntry', LedgerEntrySchema, 'ledger') as Model<LedgerEntryDoc>,
    Period: conn.model('Period', PeriodSchema, 'periods') as Model<PeriodDoc>,
    CreditJob: conn.model('CreditJob', CreditJobSchema, 'credit_jobs') as Model<CreditJobDoc>,
  }
}
