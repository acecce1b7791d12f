/**
 * Read models over the ledger: the partner dashboard here, the downline explorer
 * (downline-explorer.ts), the public income disclosure (income-disclosure.ts), all on a
 * partner's sums per period (earnings-periods.ts). Nothing here writes the ledger.
 */
import { periodOf } from '@vernetzt/shared/commissions'
import { AppError } from '@vernetzt/shared/errors'
import type { EarningsDashboard } from '@vernetzt/shared/schemas/earnings'
import type { Actor, ServiceContext } from '../../context.ts'
import { SUMMARY_FIELDS, toMemberSummary, type MemberDoc } from '../accounts/index.ts'
import { entryId as levelEntryId, levelKey } from '../referrals/index.ts'
import { periodState, periodsUpTo, periodTotals } from './earnings-periods.ts'

// Kept where they were before the split: the earnings unit test imports them from here.
export { foldName } from './downline-explorer.ts'
export { periodStart, periodsUpTo } from './earnings-periods.ts'
export { incomeBands, MONTH_BANDS } from './income-disclosure.ts'

/** How many level-1 list places the "new recruits" count reads at most. */
const RECRUITS_READ_MAX = 500
/** Members moved in by an admin keep their old join date; this many older ones in a row end the count. */
const OLDER_IN_A_ROW = 3
const RECRUITS_SHOWN = 5

/**
 * Direct recruits who joined in `period`, newest first: the level-1 list is numbered in join
 * order, so it is read from its head down until the joins are older than the period.
 */
async function recruitsIn(ctx: ServiceContext, me: Pick<MemberDoc, '_id' | 'downlineSeq'>, period: string): Promise<EarningsDashboard['recruits']> {
  let n = ((me.downlineSeq ?? {}) as Record<string, number>)[levelKey(1)] ?? 0
  const items: EarningsDashboard['recruits']['items'] = []
  let count = 0
  let read = 0
  let older = 0
  while (n >= 1 && older < OLDER_IN_A_ROW) {
    if (read >= RECRUITS_READ_MAX) return { count, items, more: true }
    const window = Array.from({ length: Math.min(25, n, RECRUITS_READ_MAX - read) }, (_, i) => n - i)
    const entries = await Promise.all(window.map((k) => ctx.models.DownlineEntry.findById(levelEntryId(me._id, 1, k)).lean()))
    const members = await Promise.all(entries.map((e) => (e ? ctx.models.Member.findById(e.m, { ...SUMMARY_FIELDS, createdAt: 1, upline: 1 }).lean() : null)))
    for (const m of members) {
      read += 1
      // A place left behind by a move points at someone who is no longer here.
      if (!m || !m.upline[0]?.equals(me._id)) continue
      if (periodOf(m.createdAt) < period) {
        older += 1
        if (older >= OLDER_IN_A_ROW) break
        continue
      }
      older = 0
      count += 1
      if (items.length < RECRUITS_SHOWN) items.push({ ...toMemberSummary(m), joinedAt: m.createdAt.toISOString() })
    }
    n = window[window.length - 1]! - 1
  }
  return { count, items, more: false }
}

export async function earningsDashboard(ctx: ServiceContext, actor: Actor, now = new Date()): Promise<EarningsDashboard> {
  const me = await ctx.models.Member.findById(actor.id, { createdAt: 1, downline: 1, downlineTotal: 1, downlineSeq: 1 }).lean()
  if (!me) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  const period = periodOf(now)
  const periods = periodsUpTo(period, 12)
  const states = await Promise.all(periods.map((p) => periodState(ctx, p, now.getTime())))
  const [totals, recruits] = await Promise.all([Promise.all(periods.map((p, i) => periodTotals(ctx, me._id, p, states[i]))), recruitsIn(ctx, me, period)])
  const counts = (me.downline ?? {}) as Record<string, number>
  return {
    period,
    current: totals[totals.length - 1]!,
    history: totals.map((t) => ({ period: t.period, totalCents: t.totalCents, closed: t.closed })),
    downline: {
      total: me.downlineTotal ?? 0,
      levels: Object.entries(counts)
        .map(([key, count]) => ({ level: Number(key.slice(1)), count }))
        .filter((r) => r.count > 0)
        .sort((a, b) => a.level - b.level),
    },
    recruits,
  }
}
