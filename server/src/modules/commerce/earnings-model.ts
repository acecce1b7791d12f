import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * Stored sums of closed periods for the dashboard and the income disclosure (see earnings.ts).
 * Closed periods never change, so each document is written once and only read afterwards.
 */

/** A partner's sums for one closed period, "<member>:<period>". */
export interface PeriodTotalDoc {
  _id: string
  memberId: Types.ObjectId
  period: string
  totalCents: number
  creditsCents: number
  reversalsCents: number
  perLevel: Array<{ level: number; amountCents: number; salesCents: number; orders: number }>
  computedAt: Date
}
const PeriodTotalSchema = new Schema<PeriodTotalDoc>(
  {
    _id: { type: String },
    memberId: { type: Schema.Types.ObjectId, required: true },
    period: { type: String, required: true },
    totalCents: { type: Number, required: true },
    creditsCents: { type: Number, required: true },
    reversalsCents: { type: Number, required: true },
    perLevel: { type: [{ _id: false, level: Number, amountCents: Number, salesCents: Number, orders: Number }], default: [] },
    computedAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
)

/**
 * The income distribution of one closed period, keyed by the period. Payees and their totals
 * are kept as two parallel arrays (no nested arrays on FerretDB), so twelve documents give the
 * yearly figures per partner without touching the ledger again.
 */
export interface DisclosureDoc {
  _id: string
  /** Partners (the company root left out) who had joined by the end of the period. */
  partnersJoined: number
  payeeIds: Types.ObjectId[]
  payeeCents: number[]
  /**
   * Payees the partner count misses: no longer partners (they were when they earned), or
   * recorded as joining after the period (imported or moved data). They count all the same.
   */
  extraIds: Types.ObjectId[]
  computedAt: Date
}
const DisclosureSchema = new Schema<DisclosureDoc>(
  {
    _id: { type: String },
    partnersJoined: { type: Number, required: true },
    payeeIds: { type: [Schema.Types.ObjectId], default: [] },
    payeeCents: { type: [Number], default: [] },
    extraIds: { type: [Schema.Types.ObjectId], default: [] },
    computedAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
)

export function earningsModels(conn: Connection) {
  return {
    PeriodTotal: conn.model('PeriodTotal', PeriodTotalSchema, 'earnings_period_totals') as Model<PeriodTotalDoc>,
    IncomeDisclosure: conn.model('IncomeDisclosure', DisclosureSchema, 'income_disclosures') as Model<DisclosureDoc>,
  }
}
