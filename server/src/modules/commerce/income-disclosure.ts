/**
 * The public income disclosure: how many partners earned how much, from closed periods only
 * (their numbers are final). It reads the stored reports (report-final.ts), never the ledger.
 */
import { nextPeriod, periodOf, previousPeriod } from '@vernetzt/shared/commissions'
import { AppError } from '@vernetzt/shared/errors'
import type { IncomeDisclosure } from '@vernetzt/shared/schemas/earnings'
import type { ServiceContext } from '../../context.ts'
import { periodStart, periodState, periodsUpTo } from './earnings-periods.ts'
import { storedPayees } from './period-reports.ts'
import { distributionOf, finalizeReport } from './report-final.ts'
import type { Distribution } from './report-scratch.ts'

/** Band edges in cents: "0 €", then up to each edge, then above the last. */
export const MONTH_BANDS = [5_000, 25_000, 100_000, 500_000] as const
export const YEAR_BANDS = [50_000, 250_000, 1_000_000, 5_000_000] as const

const computing = new WeakMap<ServiceContext, Map<string, Promise<Distribution>>>()

/**
 * A closed period's distribution from the stored reports: final periods read one document
 * (stored by the close's job, or here on the first read if it has not run); a period closed
 * less than a minute ago is taken from the payees' current sums (CHUNKS reads) and the partner
 * count, once per process at a time, and not stored (a late line may still land in it).
 */
async function periodDistribution(ctx: ServiceContext, period: string, now: number): Promise<Distribution | null> {
  const state = await periodState(ctx, period, now)
  if (!state.closed) return null
  if (state.final) return (await ctx.models.IncomeDisclosure.findById(period).lean()) ?? finalizeReport(ctx, period)
  const running = computing.get(ctx) ?? new Map<string, Promise<Distribution>>()
  computing.set(ctx, running)
  let job = running.get(period)
  if (!job) {
    job = storedPayees(ctx, period)
      .then((payees) => distributionOf(ctx, period, payees))
      .finally(() => running.delete(period))
    running.set(period, job)
  }
  return job
}

function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid]! : Math.floor((sorted[mid - 1]! + sorted[mid]!) / 2)
}

/** Bands, shares and medians from each earner's total; everyone else in `population` had 0 €. */
export function incomeBands(population: number, totals: readonly number[], edges: readonly number[]): Omit<IncomeDisclosure, 'scope' | 'periods'> {
  const positive = totals.filter((c) => c > 0).sort((a, b) => a - b)
  const partners = Math.max(population, totals.length)
  const zero = partners - positive.length
  const share = (n: number) => (partners === 0 ? 0 : Math.round((n * 10_000) / partners))
  const bounds = [0, ...edges]
  const bands = [{ minCents: null as number | null, maxCents: 0 as number | null, partners: zero, shareBp: share(zero) }]
  bounds.forEach((min, i) => {
    const max = bounds[i + 1] ?? null
    const n = positive.filter((c) => c > min && (max === null || c <= max)).length
    bands.push({ minCents: min, maxCents: max, partners: n, shareBp: share(n) })
  })
  // The overall median: below the middle are `zero` zeros, then the earners in order.
  const at = (i: number) => (i < zero ? 0 : positive[i - zero]!)
  const mid = Math.floor(partners / 2)
  const overall = partners === 0 ? 0 : partners % 2 ? at(mid) : Math.floor((at(mid - 1) + at(mid)) / 2)
  const paid = positive.reduce((s, c) => s + c, 0)
  return {
    partners,
    earners: positive.length,
    bands,
    medianCents: overall,
    earnersMedianCents: median(positive),
    earnersMeanCents: positive.length ? Math.round(paid / positive.length) : 0,
    totalPaidCents: totals.reduce((s, c) => s + c, 0),
  }
}

/**
 * The public income disclosure: one closed month (`period`), or the last twelve months before
 * the current one that are closed, added up per partner. Only closed periods count: their
 * numbers are final.
 */
export async function incomeDisclosure(ctx: ServiceContext, query: { period?: string }, now = new Date()): Promise<IncomeDisclosure> {
  if (query.period) {
    const d = await periodDistribution(ctx, query.period, now.getTime())
    if (!d) throw new AppError('NOT_FOUND', `${query.period} is not closed yet; its numbers are not final.`)
    return { scope: 'month', periods: [query.period], ...incomeBands(d.partnersJoined + d.extraIds.length, d.payeeCents, MONTH_BANDS) }
  }
  const candidates = periodsUpTo(previousPeriod(periodOf(now)), 12)
  const found = await Promise.all(candidates.map((p) => periodDistribution(ctx, p, now.getTime())))
  const periods = candidates.filter((_, i) => found[i])
  const perPartner = new Map<string, number>()
  const extra = new Set<string>()
  for (const d of found) {
    if (!d) continue
    d.payeeIds.forEach((id, i) => perPartner.set(id.toString(), (perPartner.get(id.toString()) ?? 0) + d.payeeCents[i]!))
    for (const id of d.extraIds) extra.add(id.toString())
  }
  const latest = found.findLast((d) => d !== null)
  if (!latest) return { scope: 'year', periods, ...incomeBands(0, [], YEAR_BANDS) }
  // The latest month's count covers everyone who was a partner by its end; an earlier month's
  // extra payee may be among them by now (a few reads: extras are rare).
  const end = periodStart(nextPeriod(periods[periods.length - 1]!))
  const extras = await Promise.all([...extra].map((id) => ctx.models.Member.findById(id, { role: 1, createdAt: 1 }).lean()))
  const uncounted = extras.filter((m) => !m || m.role !== 'partner' || m.createdAt >= end).length
  return { scope: 'year', periods, ...incomeBands(latest.partnersJoined + uncounted, [...perPartner.values()], YEAR_BANDS) }
}
