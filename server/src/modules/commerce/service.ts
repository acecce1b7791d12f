import { AppError } from '@vernetzt/shared/errors'
import { ORDER_QUANTITY_MAX, type CreateOrderBody, type Order, type PaymentEvent } from '@vernetzt/shared/schemas/commerce'
import { Types } from 'mongoose'
import { requireAdmin, type Actor, type ServiceContext } from '../../context.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { append, readStream } from '../../db/streams.ts'
import { memberSummaries, type MemberDoc } from '../accounts/index.ts'
import { settleOrder } from './ledger.ts'
import type { OrderDoc, OrderItem, PaymentEventDoc, ProductDoc } from './model.ts'
import type { PaymentProvider } from './payments.ts'
import { withdrawalEndOf } from './withdrawal.ts'

// The catalog lives in products.ts; the routes import it from here.
export { createProduct, getProduct, listProducts, updateProduct } from './products.ts'

export { WITHDRAWAL_DAYS } from './withdrawal.ts'

const ordersOf = (buyerId: Types.ObjectId | string) => `orders:${buyerId.toString()}`

const ALL_ORDERS = 'orders'

export async function toOrder(ctx: ServiceContext, o: OrderDoc): Promise<Order> {
  const people = await memberSummaries(ctx, [o.buyerId, ...(o.attributedPartnerId ? [o.attributedPartnerId] : [])])
  const buyer = people.get(o.buyerId.toString())
  return {
    id: o._id.toString(),
    number: o.number,
    status: statusOf(o),
    items: o.items.map((i) => ({ ...i, productId: i.productId.toString() })),
    totalCents: o.totalCents,
    vatCents: o.vatCents,
    commissionBaseCents: o.commissionBaseCents,
    currency: o.currency,
    buyer: buyer ?? { id: o.buyerId.toString(), handle: '', displayName: '—', role: 'customer', avatarUrl: null },
    attributedTo: o.attributedPartnerId ? (people.get(o.attributedPartnerId.toString()) ?? null) : null,
    payment: o.payment,
    createdAt: o.createdAt.toISOString(),
    paidAt: o.paidAt?.toISOString() ?? null,
    refundedAt: o.refundedAt?.toISOString() ?? null,
    withdrawalEndsAt: o.paidAt ? withdrawalEndOf(o.paidAt).toISOString() : null,
    planVersion: o.planVersion,
  }
}

/** Events may arrive in any order; the state is read from all of them, so the outcome is the same. */
export function statusOf(o: Pick<OrderDoc, 'paidAt' | 'failedAt' | 'refundedAt'>): Order['status'] {
  if (o.refundedAt) return 'refunded'
  if (o.paidAt) return 'paid'
  if (o.failedAt) return 'failed'
  return 'pending'
}

/**
 * A customer's purchase counts for the partner who referred them; a partner's own purchase
 * counts for themselves (level 1 is the buyer). Admins and the company root earn nothing.
 */
async function attributionOf(ctx: ServiceContext, buyer: MemberDoc): Promise<Types.ObjectId | null> {
  if (buyer.role === 'partner' && !buyer.isRoot) return buyer._id
  if (!buyer.sponsorId) return null
  const referrer = await ctx.models.Member.findById(buyer.sponsorId, { role: 1, isRoot: 1 }).lean()
  return referrer && referrer.role === 'partner' && !referrer.isRoot ? referrer._id : null
}

/**
 * Places an order and starts its payment. The same idempotency key from the same buyer is the
 * same order (a double click or a retried request never orders twice).
 */
export async function createOrder(
  ctx: ServiceContext,
  provider: PaymentProvider,
  actor: Actor,
  input: CreateOrderBody,
  attempt = 0,
): Promise<{ order: Order; created: boolean }> {
  const key = `order:${actor.id}:${input.idempotencyKey}`
  const earlier = await ctx.models.Key.findById(key).lean()
  if (earlier) {
    const existing = (await ctx.models.Order.findById(earlier.memberId).lean()) as OrderDoc | null
    if (existing) return { order: await toOrder(ctx, existing), created: false }
    // The first request with this key is still being placed, or died before storing its order.
    if (attempt < 40) {
      await new Promise((r) => setTimeout(r, 50))
      return createOrder(ctx, provider, actor, input, attempt + 1)
    }
    await ctx.models.Key.deleteOne({ _id: key })
  }
  const buyer = (await ctx.models.Member.findById(actor.id).lean()) as MemberDoc | null
  if (!buyer) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  const items: OrderItem[] = []
  for (const [i, line] of input.items.entries()) {
    const product = (await ctx.models.Product.findById(line.productId).lean()) as ProductDoc | null
    if (!product || !product.active) throw new AppError('PRODUCT_NOT_FOUND', 'A product in the order is not available.', { field: `items/${i}/productId` })
    const same = items.find((it) => it.productId.equals(product._id))
    if (same) {
      // Lines of one product are one line: the cap holds for what is ordered, not per line sent.
      same.quantity += line.quantity
      if (same.quantity > ORDER_QUANTITY_MAX) {
        throw new AppError('VALIDATION_FAILED', `At most ${ORDER_QUANTITY_MAX} of one product per order.`, {
          field: `items/${i}/quantity`,
          max: ORDER_QUANTITY_MAX,
        })
      }
    } else
      items.push({
        productId: product._id,
        name: product.name,
        quantity: line.quantity,
        unitPriceCents: product.priceCents,
        vatRateBp: product.vatRateBp,
        commissionableCents: product.commissionableCents,
      })
  }
  const totalCents = items.reduce((s, it) => s + it.unitPriceCents * it.quantity, 0)
  // VAT contained in a gross price: price × rate / (1 + rate), rounded per line.
  const vatCents = items.reduce((s, it) => s + Math.round((it.unitPriceCents * it.quantity * it.vatRateBp) / (10_000 + it.vatRateBp)), 0)
  const _id = new Types.ObjectId()
  try {
    await ctx.models.Key.create({ _id: key, memberId: _id })
  } catch (error) {
    if (!isDuplicateKey(error)) throw error
    return createOrder(ctx, provider, actor, input, attempt + 1) // the same key at the same moment: answer with that order
  }
  let order: OrderDoc
  try {
    const [seq] = await append(ctx, [ALL_ORDERS], _id)
    const number = `B-${new Date().getUTCFullYear()}-${String(seq).padStart(6, '0')}`
    const payment = await provider.createPayment({ id: _id.toString(), number, totalCents, currency: 'EUR' })
    order = (
      await ctx.models.Order.create({
        _id,
        number,
        buyerId: buyer._id,
        attributedPartnerId: await attributionOf(ctx, buyer),
        items,
        totalCents,
        vatCents,
        commissionBaseCents: items.reduce((s, it) => s + it.commissionableCents * it.quantity, 0),
        payment: { provider: provider.name, ...payment },
      })
    ).toObject() as OrderDoc
    await ctx.models.Key.create({ _id: `payment:${payment.reference}`, memberId: _id })
  } catch (error) {
    await ctx.models.Key.deleteOne({ _id: key }) // a retry with the same key starts afresh
    throw error
  }
  await append(ctx, [ordersOf(buyer._id)], _id)
  await ctx.events.publish('order.placed', { orderId: _id.toString(), buyerId: buyer._id.toString(), totalCents, currency: order.currency })
  return { order: await toOrder(ctx, order), created: true }
}

export async function getOrder(ctx: ServiceContext, actor: Actor, id: string): Promise<Order> {
  const order = Types.ObjectId.isValid(id) ? ((await ctx.models.Order.findById(id).lean()) as OrderDoc | null) : null
  if (!order || (!order.buyerId.equals(actor.id) && actor.role !== 'admin')) throw new AppError('ORDER_NOT_FOUND', 'There is no such order.')
  return toOrder(ctx, order)
}

export async function listOrders(ctx: ServiceContext, actor: Actor, query: { cursor?: string; limit?: number; all?: boolean }) {
  if (query.all) requireAdmin(actor)
  const page = await readStream(ctx, query.all ? ALL_ORDERS : ordersOf(actor.id), { cursor: query.cursor, limit: query.limit ?? 20 }, async (refs) =>
    Promise.all(refs.map(async (id) => (await ctx.models.Order.findById(id).lean()) as OrderDoc | null)),
  )
  return { items: await Promise.all(page.items.map((o) => toOrder(ctx, o))), nextCursor: page.nextCursor }
}

/**
 * Applies a provider event. Each event id counts once; the order keeps the earliest time of each
 * kind, so duplicates, late and out-of-order events all end in the same state. The ledger then
 * follows the state (credit when paid, reversal when refunded inside the withdrawal window).
 */
/**
 * A payment counts only for exactly what was ordered: a paid event names the order's total and
 * currency, a refund at most the total. Anything else is refused (and logged), so a wrong or
 * forged amount never credits commissions.
 */
function checkPaymentAmount(ctx: ServiceContext, event: PaymentEvent, order: Pick<OrderDoc, 'totalCents' | 'currency'>): void {
  const currency = order.currency ?? 'EUR'
  const wrongCurrency = event.currency !== undefined && event.currency !== currency
  const wrongAmount =
    event.type === 'payment.paid'
      ? event.amountCents !== order.totalCents || event.currency === undefined
      : event.amountCents !== undefined && event.amountCents > order.totalCents
  if (wrongCurrency || wrongAmount) {
    ctx.log.warn(
      { event: { id: event.id, type: event.type, reference: event.reference, amountCents: event.amountCents, currency: event.currency }, order },
      'payment event refused: amount or currency does not match the order',
    )
    throw new AppError('PAYMENT_MISMATCH', `The ${event.type} event does not match the order (${order.totalCents} ${currency}).`, {
      expected: { amountCents: order.totalCents, currency },
      got: { amountCents: event.amountCents ?? null, currency: event.currency ?? null },
    })
  }
}

export async function applyPaymentEvent(ctx: ServiceContext, event: PaymentEvent): Promise<{ orderId: string; status: Order['status']; duplicate: boolean }> {
  const key = await ctx.models.Key.findById(`payment:${event.reference}`).lean()
  if (!key) throw new AppError('ORDER_NOT_FOUND', `No order has the payment reference "${event.reference}".`)
  const placed = (await ctx.models.Order.findById(key.memberId, { totalCents: 1, currency: 1 }).lean()) as Pick<OrderDoc, 'totalCents' | 'currency'> | null
  if (!placed) throw new AppError('ORDER_NOT_FOUND', 'The order of this payment no longer exists.')
  checkPaymentAmount(ctx, event, placed)
  const occurredAt = new Date(event.occurredAt)
  let duplicate = false
  try {
    await ctx.models.PaymentEvent.create({ _id: event.id, orderId: key.memberId, type: event.type, occurredAt } satisfies Omit<PaymentEventDoc, 'receivedAt'>)
  } catch (error) {
    if (!isDuplicateKey(error)) throw error
    duplicate = true // still settle below: the first delivery may have died half-way
  }
  const field = event.type === 'payment.paid' ? 'paidAt' : event.type === 'payment.failed' ? 'failedAt' : 'refundedAt'
  // Journal first: a crash from here on leaves a job that repairLedger() finishes.
  await ctx.models.CreditJob.updateOne({ _id: key.memberId }, { $setOnInsert: { createdAt: new Date() } }, { upsert: true })
  const before = (await ctx.models.Order.findOneAndUpdate({ _id: key.memberId }, { $min: { [field]: occurredAt } }).lean()) as OrderDoc | null
  if (!before) throw new AppError('ORDER_NOT_FOUND', 'The order of this payment no longer exists.')
  const order = await settleOrder(ctx, key.memberId)
  // Said once, by the delivery that set the date (receipts, mail and shop analytics subscribe in later issues).
  if (!before[field] && (field === 'paidAt' || field === 'refundedAt')) {
    const base = { orderId: order._id.toString(), buyerId: order.buyerId?.toString() ?? null, currency: order.currency, at: occurredAt.toISOString() }
    if (field === 'paidAt') await ctx.events.publish('order.paid', { ...base, totalCents: order.totalCents })
    else await ctx.events.publish('order.refunded', { ...base, amountCents: event.amountCents ?? order.totalCents })
  }
  return { orderId: key.memberId.toString(), status: statusOf(order), duplicate }
}
