import { computeCommissions, periodOf, type UplineMember } from '@vernetzt/shared/commissions'
import { AppError } from '@vernetzt/shared/errors'
import { type LedgerEntry, type Statement } from '@vernetzt/shared/schemas/commerce'
import type { PeriodTotals } from '@vernetzt/shared/schemas/earnings'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { append, readStream } from '../../db/streams.ts'
import { SUMMARY_FIELDS, toMemberSummary, type MemberDoc } from '../accounts/index.ts'
import { entryId, entryKey, type EntryKind, type LedgerEntryDoc, type OrderDoc, type PlanDoc } from './model.ts'
import { isClosed, openPeriodFrom, planAt } from './plans.ts'

// Plans and periods live in plans.ts; the routes and the benchmark import these from here.
export { closePeriod, createPlan, listPlans, planAt } from './plans.ts'

const DAY = 86_400_000

const WITHDRAWAL_MS = 14 * DAY

/** A beneficiary's entries of one period, in the order they were written. */
export const ledgerStream = (beneficiaryId: Types.ObjectId | string, period: string) => `ledger:${beneficiaryId.toString()}:${period}`

/** Everyone with entries in a period (for the payout export and the income disclosure). */
export const payeesStream = (period: string) => `payees:${period}`

/** A partner's level-1 lines of a period (own sales): the downline explorer sums these for "period volume". */
export const volumeStream = (beneficiaryId: Types.ObjectId | string, period: string) => `volume:${beneficiaryId.toString()}:${period}`

// --- Writing the ledger -----------------------------------------------------------------------

/**
 * Writes one ledger line and lists it in the beneficiary's period stream. Both steps can be
 * repeated: the line's _id is its identity, and a line already listed is not listed again (a
 * crash between listing and marking lists it twice; readers drop the second by _id).
 */
async function writeEntry(ctx: ServiceContext, fields: Omit<LedgerEntryDoc, '_id' | 'key' | 'listed' | 'createdAt'>): Promise<LedgerEntryDoc> {
  const key = entryKey(fields.orderId, fields.beneficiaryId, fields.level, fields.kind)
  const _id = entryId(key)
  let entry = (await ctx.models.LedgerEntry.findById(_id).lean()) as LedgerEntryDoc | null
  if (!entry) {
    try {
      await ctx.models.LedgerEntry.create({ _id, key, ...fields })
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
    }
    entry = (await ctx.models.LedgerEntry.findById(_id).lean()) as LedgerEntryDoc
  }
  if (entry.listed === null) {
    await listPayee(ctx, entry.period, entry.beneficiaryId)
    const [n] = await append(
      ctx,
      [ledgerStream(entry.beneficiaryId, entry.period), ...(entry.level === 1 ? [volumeStream(entry.beneficiaryId, entry.period)] : [])],
      _id,
    )
    await ctx.models.LedgerEntry.updateOne({ _id }, { $set: { listed: n } })
    entry = { ...entry, listed: n! }
  }
  // Also on a repeat (a repair after a crash that may have come between the listing and this
  // event): the reports' subscriber ignores a line it has counted (see period-reports.ts).
  await ctx.events.publish('ledger.entry_listed', {
    entryId: _id.toString(),
    beneficiaryId: entry.beneficiaryId.toString(),
    period: entry.period,
    seq: entry.listed!,
    kind: entry.kind as EntryKind,
    amountCents: entry.amountCents,
  })
  return entry
}

async function listPayee(ctx: ServiceContext, period: string, beneficiaryId: Types.ObjectId): Promise<void> {
  const key = `payee:${period}:${beneficiaryId.toString()}`
  if (await ctx.models.Key.findById(key).lean()) return
  await append(ctx, [payeesStream(period)], beneficiaryId) // a repeat after a crash is dropped by readers
  await ctx.models.Key.create({ _id: key, memberId: beneficiaryId }).catch((error: unknown) => {
    if (!isDuplicateKey(error)) throw error
  })
}

/** Own purchases in a period, for the plan's activity rule: paid, not refunded, paid in that period. */
export async function ownPurchasesCents(ctx: ServiceContext, memberId: Types.ObjectId, period: string): Promise<number> {
  let total = 0
  let cursor: string | undefined
  for (let pages = 0; pages < 10; pages++) {
    const page = await readStream(ctx, `orders:${memberId.toString()}`, { cursor, limit: 50 }, async (refs) =>
      Promise.all(
        refs.map(async (id) => (await ctx.models.Order.findById(id, { paidAt: 1, refundedAt: 1, totalCents: 1, createdAt: 1 }).lean()) as OrderDoc | null),
      ),
    )
    for (const o of page.items) if (o.paidAt && !o.refundedAt && periodOf(o.paidAt) === period) total += o.totalCents
    const oldest = page.items.at(-1)
    // Orders are listed when placed; one placed two months before the period is not paid in it.
    if (!page.nextCursor || (oldest && periodOf(new Date(oldest.createdAt.getTime() + 62 * DAY)) < period)) break
    cursor = page.nextCursor
  }
  return total
}

/** The partner the order counts for and their stored upline (one read), with each one's qualification. */
async function chainOf(ctx: ServiceContext, order: OrderDoc, plan: PlanDoc, period: string): Promise<UplineMember[]> {
  if (!order.attributedPartnerId) return []
  const partner = await ctx.models.Member.findById(order.attributedPartnerId, { upline: 1 }).lean()
  if (!partner) return []
  const ids = [partner._id, ...partner.upline].slice(0, plan.maxDepth)
  const members = await Promise.all(
    ids.map((id) => ctx.models.Member.findById(id, { role: 1, isRoot: 1 }).lean() as Promise<Pick<MemberDoc, '_id' | 'role' | 'isRoot'> | null>),
  )
  const rule = plan.qualification
  return Promise.all(
    ids.map(async (id, i) => {
      const m = members[i]
      // The company root and anyone no longer a partner earn nothing; their level is not passed on.
      let qualified = !!m && m.role === 'partner' && !m.isRoot
      if (qualified && rule && i + 1 >= rule.fromLevel) qualified = (await ownPurchasesCents(ctx, id, period)) >= rule.minOwnPurchaseCents
      return { id: id.toString(), qualified }
    }),
  )
}

async function credit(ctx: ServiceContext, order: OrderDoc & { paidAt: Date }): Promise<void> {
  const plan = await planAt(ctx, order.paidAt)
  const keys: string[] = []
  if (plan && order.commissionBaseCents > 0) {
    const period = await openPeriodFrom(ctx, periodOf(order.paidAt))
    const lines = computeCommissions(order.commissionBaseCents, await chainOf(ctx, order, plan, periodOf(order.paidAt)), plan)
    for (const line of lines) {
      const entry = await writeEntry(ctx, {
        orderId: order._id,
        orderNumber: order.number,
        beneficiaryId: new Types.ObjectId(line.beneficiaryId),
        level: line.level,
        kind: 'credit',
        rateBp: line.rateBp,
        amountCents: line.amountCents,
        baseCents: order.commissionBaseCents,
        planVersion: plan._id,
        period,
      })
      keys.push(entry.key)
    }
  }
  await ctx.models.Order.updateOne({ _id: order._id }, { $set: { creditedAt: new Date(), planVersion: plan?._id ?? null, creditKeys: keys } })
}

/** Reverses exactly what was credited (read back from the ledger, not recomputed). */
async function reverse(ctx: ServiceContext, order: OrderDoc & { refundedAt: Date }, creditKeys: string[]): Promise<void> {
  const period = await openPeriodFrom(ctx, periodOf(order.refundedAt > new Date() ? new Date() : order.refundedAt))
  for (const key of creditKeys) {
    const credited = (await ctx.models.LedgerEntry.findById(entryId(key)).lean()) as LedgerEntryDoc | null
    if (!credited) continue
    await writeEntry(ctx, {
      orderId: order._id,
      orderNumber: order.number,
      beneficiaryId: credited.beneficiaryId,
      level: credited.level,
      kind: 'reversal',
      rateBp: credited.rateBp,
      amountCents: -credited.amountCents,
      baseCents: credited.baseCents,
      planVersion: credited.planVersion,
      period,
    })
  }
  await ctx.models.Order.updateOne({ _id: order._id }, { $set: { reversedAt: new Date() } })
}

/**
 * Brings the ledger in line with the order's payment state: credit once paid, reverse once
 * refunded inside the withdrawal window. The job document is written first and removed last, so
 * an order a crash left half-done is found by repairLedger() and finished.
 */
export async function settleOrder(ctx: ServiceContext, orderId: Types.ObjectId): Promise<OrderDoc> {
  await ctx.models.CreditJob.updateOne({ _id: orderId }, { $setOnInsert: { createdAt: new Date() } }, { upsert: true })
  let order = (await ctx.models.Order.findById(orderId).lean()) as OrderDoc | null
  if (!order) throw new AppError('ORDER_NOT_FOUND', 'There is no such order.')
  if (order.paidAt && !order.creditedAt) {
    await credit(ctx, order as OrderDoc & { paidAt: Date })
    order = (await ctx.models.Order.findById(orderId).lean()) as OrderDoc
  }
  const paidAt = order.paidAt
  const refundedAt = order.refundedAt
  if (paidAt && refundedAt && order.creditedAt && !order.reversedAt && refundedAt.getTime() - paidAt.getTime() <= WITHDRAWAL_MS) {
    await reverse(ctx, order as OrderDoc & { refundedAt: Date }, order.creditKeys)
    order = (await ctx.models.Order.findById(orderId).lean()) as OrderDoc
  }
  await ctx.models.CreditJob.deleteOne({ _id: orderId })
  return order
}

/** The periodic job: finishes every order a crash or an error left unsettled. Returns how many. */
export async function repairLedger(ctx: ServiceContext, olderThanMs = 30_000): Promise<number> {
  // Only unfinished work has a document, so this reads a handful, not every order.
  const jobs = await ctx.models.CreditJob.find().lean()
  let repaired = 0
  for (const job of jobs) {
    if (Date.now() - job.createdAt.getTime() < olderThanMs) continue // still being worked on
    await settleOrder(ctx, job._id)
    repaired += 1
  }
  return repaired
}

// --- Reading the ledger -----------------------------------------------------------------------

export function toEntry(e: LedgerEntryDoc): LedgerEntry {
  return {
    id: e._id.toString(),
    orderId: e.orderId.toString(),
    orderNumber: e.orderNumber,
    level: e.level,
    kind: e.kind as EntryKind,
    rateBp: e.rateBp,
    amountCents: e.amountCents,
    baseCents: e.baseCents,
    planVersion: e.planVersion,
    period: e.period,
    createdAt: e.createdAt.toISOString(),
  }
}

/** Every entry of a beneficiary in a period, oldest first, each once. */
export async function periodEntries(ctx: ServiceContext, beneficiaryId: Types.ObjectId | string, period: string): Promise<LedgerEntryDoc[]> {
  const out: LedgerEntryDoc[] = []
  const seen = new Set<string>()
  let cursor: string | undefined
  do {
    const page = await readStream(ctx, ledgerStream(beneficiaryId, period), { cursor, limit: 200, maxProbe: 400 }, async (refs) =>
      Promise.all(refs.map(async (id) => (seen.has(id.toString()) ? null : ((await ctx.models.LedgerEntry.findById(id).lean()) as LedgerEntryDoc | null)))),
    )
    for (const e of page.items) {
      if (seen.has(e._id.toString())) continue
      seen.add(e._id.toString())
      out.push(e)
    }
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return out.reverse()
}

/** A partner's sums for a period: per level the amount, the sales (refunds deducted) and the orders. */
export function summarize(
  period: string,
  closed: boolean,
  entries: Array<Pick<LedgerEntryDoc, 'level' | 'kind' | 'amountCents' | 'baseCents' | 'orderId'>>,
): PeriodTotals {
  const levels = new Map<number, { amountCents: number; salesCents: number; orders: Set<string> }>()
  let creditsCents = 0
  let reversalsCents = 0
  for (const e of entries) {
    const level = levels.get(e.level) ?? { amountCents: 0, salesCents: 0, orders: new Set<string>() }
    level.amountCents += e.amountCents
    level.salesCents += e.kind === 'credit' ? e.baseCents : -e.baseCents
    level.orders.add(e.orderId.toString())
    levels.set(e.level, level)
    if (e.kind === 'credit') creditsCents += e.amountCents
    else reversalsCents += e.amountCents
  }
  return {
    period,
    closed,
    totalCents: creditsCents + reversalsCents,
    creditsCents,
    reversalsCents,
    perLevel: [...levels]
      .sort(([a], [b]) => a - b)
      .map(([level, v]) => ({ level, amountCents: v.amountCents, salesCents: v.salesCents, orders: v.orders.size })),
  }
}

/** A partner's statement for a period: every entry with its order, level and rate, and the sums. */
export async function statement(ctx: ServiceContext, actor: Actor, memberId: string, period: string): Promise<Statement> {
  if (memberId !== actor.id && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'A statement is for its partner (and administrators) only.')
  const member = await ctx.models.Member.findById(memberId, SUMMARY_FIELDS).lean()
  if (!member) throw new AppError('PROFILE_NOT_FOUND', 'There is no such member.')
  const [entries, closed] = await Promise.all([periodEntries(ctx, member._id, period), isClosed(ctx, period)])
  return {
    ...summarize(period, closed, entries),
    member: toMemberSummary(member),
    entries: entries.map(toEntry),
  }
}
