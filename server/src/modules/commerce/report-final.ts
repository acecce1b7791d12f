/**
 * Turning a period's stored payee sums (period-reports.ts) into what the two views show, and
 * finalising a closed period: a job `reports.finalize` runs a minute after the close (when no
 * late line can land in it any more), catches every payee up, counts the partners once and
 * stores the disclosure and the overview's totals for good. A view that finds a final period
 * without them (the job has not run, or data from before the stored reports) finalises it itself.
 */
import { nextPeriod, periodOf } from '@vernetzt/shared/commissions'
import type { PeriodTotals } from '@vernetzt/shared/schemas/periods'
import { Types } from 'mongoose'
import type { ServiceContext } from '../../context.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { headOf } from '../../db/streams.ts'
import { periodStart, periodState, periodsUpTo, SETTLE_MS } from './earnings-periods.ts'
import { payeesStream } from './ledger.ts'
import { catchUpPeriod, reportChunks, storedPayees, type PayeeState } from './period-reports.ts'
import type { Distribution } from './report-scratch.ts'

export interface PeriodTotalsDoc extends PeriodTotals {
  _id: string
  computedAt: Date
}
/** The overview's stored totals of final periods, by period. */
export const totalsCache = (ctx: ServiceContext) => ctx.models.Period.db.collection<PeriodTotalsDoc>('period_totals')

export const emptyTotals = (): PeriodTotals => ({ creditsCents: 0, reversalsCents: 0, totalCents: 0, payees: 0, entries: 0 })

/** The overview's sums over the payees' stored sums. */
export function totalsOf(payees: ReadonlyMap<string, PayeeState>): PeriodTotals {
  const t = emptyTotals()
  for (const p of payees.values()) {
    t.creditsCents += p.c
    t.reversalsCents += p.r
    t.entries += p.n
    if (p.n > 0) t.payees += 1
  }
  t.totalCents = t.creditsCents + t.reversalsCents
  return t
}

/** A period's totals as stored now: one read for a period without payees, else the chunks. */
export async function storedTotals(ctx: ServiceContext, period: string): Promise<PeriodTotals> {
  if ((await headOf(ctx, payeesStream(period))) === 0) return emptyTotals()
  return totalsOf(await storedPayees(ctx, period))
}

/**
 * Who counts as a partner of the period: one pass over the members (a scan on FerretDB), done
 * once per closed period rather than per visit. Extra are payees the count misses (no longer
 * partners, or recorded as joining after the period), as the disclosure has always counted them.
 */
async function membership(ctx: ServiceContext, period: string, payees: readonly string[]): Promise<Pick<Distribution, 'partnersJoined' | 'extraIds'>> {
  const end = periodStart(nextPeriod(period))
  const partners = new Set<string>()
  let partnersJoined = 0
  for await (const m of ctx.models.Member.find({}, { role: 1, isRoot: 1, createdAt: 1 }).lean().cursor()) {
    if (m.role !== 'partner' || m.createdAt >= end) continue
    partners.add(m._id.toString())
    if (!m.isRoot) partnersJoined += 1
  }
  return { partnersJoined, extraIds: payees.filter((id) => !partners.has(id)).map((id) => new Types.ObjectId(id)) }
}

/** The disclosure's figures from stored payee sums. */
export async function distributionOf(ctx: ServiceContext, period: string, payees: ReadonlyMap<string, PayeeState>): Promise<Distribution> {
  const ids = [...payees.keys()]
  return {
    ...(await membership(ctx, period, ids)),
    payeeIds: ids.map((id) => new Types.ObjectId(id)),
    payeeCents: ids.map((id) => payees.get(id)!.c + payees.get(id)!.r),
  }
}

const finalising = new WeakMap<ServiceContext, Map<string, Promise<Distribution>>>()

/**
 * Stores a final period's disclosure and overview totals (once per node at a time; a second
 * node doing the same writes the same figures). The totals are upserted, the disclosure is
 * created once: both only ever hold the final sums.
 */
export function finalizeReport(ctx: ServiceContext, period: string): Promise<Distribution> {
  const running = finalising.get(ctx) ?? new Map<string, Promise<Distribution>>()
  finalising.set(ctx, running)
  let job = running.get(period)
  if (!job) {
    job = (async () => {
      const payees = await catchUpPeriod(ctx, period)
      const distribution = await distributionOf(ctx, period, payees)
      await totalsCache(ctx).updateOne({ _id: period }, { $set: { ...totalsOf(payees), computedAt: new Date() } }, { upsert: true })
      await ctx.models.IncomeDisclosure.create({ _id: period, ...distribution }).catch((error: unknown) => {
        if (!isDuplicateKey(error)) throw error
      })
      return distribution
    })().finally(() => running.delete(period))
    running.set(period, job)
  }
  return job
}

/** The `reports.finalize` job: enqueued by the close for a minute later; does nothing for a period not final. */
export async function finalizeJob(ctx: ServiceContext, job: { payload: { period: string } }): Promise<void> {
  const { payload } = job
  const state = await periodState(ctx, payload.period)
  if (!state.final) return
  const [disclosure, totals] = await Promise.all([
    ctx.models.IncomeDisclosure.findById(payload.period).lean(),
    totalsCache(ctx).findOne({ _id: payload.period }),
  ])
  if (!disclosure || !totals) await finalizeReport(ctx, payload.period)
}

/** When the close's job is due. */
export const finalizeAt = (closedAt: Date) => new Date(closedAt.getTime() + SETTLE_MS + 1_000)

/**
 * Data from before the stored reports, once (a marker says it is done): the views' window (the
 * current month and the twelve before it) is caught up from the ledger at start. Open months
 * are caught up here, payee by payee (one read per line, once; the overview used to scan the
 * ledger on every visit); final months without stored figures get their finalisation job.
 * Every node may run this at once: catching up and finalising can be repeated.
 */
export async function migrateReports(ctx: ServiceContext, now = new Date()): Promise<void> {
  const marker = 'reports:migrated'
  if (await reportChunks(ctx).findOne({ _id: marker })) return
  for (const period of periodsUpTo(periodOf(now), 13)) {
    const state = await periodState(ctx, period, now.getTime())
    if (state.final) {
      const [disclosure, totals] = await Promise.all([ctx.models.IncomeDisclosure.findById(period).lean(), totalsCache(ctx).findOne({ _id: period })])
      if (!disclosure || !totals) await ctx.jobs.enqueue('reports.finalize', period, { period })
    } else if ((await headOf(ctx, payeesStream(period))) > 0) await catchUpPeriod(ctx, period)
  }
  await reportChunks(ctx)
    .insertOne({ _id: marker, p: {} })
    .catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error
    })
}
