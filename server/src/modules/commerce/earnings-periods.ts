/**
 * A partner's sums per period, the first read model over the ledger that the others build on:
 * closed periods' sums never change again, so each is computed once and stored.
 */
import { periodOf, previousPeriod } from '@vernetzt/shared/commissions'
import type { PeriodTotals } from '@vernetzt/shared/schemas/earnings'
import type { Types } from 'mongoose'
import type { ServiceContext } from '../../context.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { headOf } from '../../db/streams.ts'
import { ledgerStream, periodEntries, summarize } from './ledger.ts'

/**
 * A period is cached only once it has been closed for this long. Crediting decides an entry's
 * period a moment before writing it, so an order paid in the very second of the close can still
 * land in the period just closed; after a minute nothing can.
 */
export const SETTLE_MS = 60_000

export interface PeriodState {
  closed: boolean
  /** Closed long enough ago that its sums are final and may be stored. */
  final: boolean
}

export async function periodState(ctx: ServiceContext, period: string, now = Date.now()): Promise<PeriodState> {
  const doc = await ctx.models.Period.findById(period).lean()
  return { closed: !!doc, final: !!doc && now - doc.closedAt.getTime() >= SETTLE_MS }
}

/** The last `n` periods up to and including `period`, oldest first. */
export function periodsUpTo(period: string, n: number): string[] {
  const out = [period]
  while (out.length < n) out.unshift(previousPeriod(out[0]!))
  return out
}

/** The first moment of a period (Europe/Berlin midnight on the 1st), as a Date. */
export function periodStart(period: string): Date {
  const [year, month] = period.split('-').map(Number) as [number, number]
  // Midnight in Berlin is 22:00 or 23:00 UTC the day before; take the first hour that is in the period.
  const guess = new Date(Date.UTC(year, month - 1, 1) - 2 * 3_600_000)
  return periodOf(guess) === period ? guess : new Date(guess.getTime() + 3_600_000)
}

const emptyTotals = (period: string, closed: boolean): PeriodTotals => ({ period, closed, totalCents: 0, creditsCents: 0, reversalsCents: 0, perLevel: [] })

/**
 * A partner's sums for a period. Closed periods come from the cache (computed on the first read
 * after closing); open ones are added up from the ledger. A period without a single entry costs
 * one read (the stream head) either way.
 */
export async function periodTotals(ctx: ServiceContext, memberId: Types.ObjectId, period: string, state?: PeriodState): Promise<PeriodTotals> {
  const { closed, final } = state ?? (await periodState(ctx, period))
  const key = `${memberId.toString()}:${period}`
  if (final) {
    const cached = await ctx.models.PeriodTotal.findById(key).lean()
    if (cached)
      return {
        period,
        closed,
        totalCents: cached.totalCents,
        creditsCents: cached.creditsCents,
        reversalsCents: cached.reversalsCents,
        perLevel: cached.perLevel.map(({ level, amountCents, salesCents, orders }) => ({ level, amountCents, salesCents, orders })),
      }
  }
  if ((await headOf(ctx, ledgerStream(memberId, period))) === 0) return emptyTotals(period, closed)
  const totals = summarize(period, closed, await periodEntries(ctx, memberId, period))
  if (final) {
    await ctx.models.PeriodTotal.create({ ...totals, _id: key, memberId }).catch((error: unknown) => {
      if (!isDuplicateKey(error)) throw error // another reader stored the same sums first
    })
  }
  return totals
}
