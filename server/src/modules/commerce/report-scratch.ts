/**
 * The income distribution of a period computed from scratch, the way the disclosure did before
 * the stored reports (period-reports.ts): every payee's sums from their ledger stream, every
 * payee's member document and a count of all partners (a scan on FerretDB). Nothing here is
 * on a request's path any more; the tests and `npm run bench:reports` compare the stored
 * totals with it.
 */
import { nextPeriod } from '@vernetzt/shared/commissions'
import type { Types } from 'mongoose'
import type { ServiceContext } from '../../context.ts'
import type { DisclosureDoc } from './earnings-model.ts'
import { periodStart, periodState, periodTotals, type PeriodState } from './earnings-periods.ts'
import { listedPayees } from './period-reports.ts'

export type Distribution = Omit<DisclosureDoc, '_id' | 'computedAt'>

export async function distributionFromScratch(ctx: ServiceContext, period: string, given?: PeriodState): Promise<Distribution> {
  const state = given ?? (await periodState(ctx, period))
  const payees = await listedPayees(ctx, period)
  const payeeCents: number[] = []
  const extraIds: Types.ObjectId[] = []
  const end = periodStart(nextPeriod(period))
  for (let i = 0; i < payees.length; i += 20) {
    const batch = payees.slice(i, i + 20)
    const [totals, members] = await Promise.all([
      Promise.all(batch.map((id) => periodTotals(ctx, id, period, state))),
      Promise.all(batch.map((id) => ctx.models.Member.findById(id, { role: 1, createdAt: 1 }).lean())),
    ])
    payeeCents.push(...totals.map((t) => t.totalCents))
    members.forEach((m, j) => {
      if (!m || m.role !== 'partner' || m.createdAt >= end) extraIds.push(batch[j]!)
    })
  }
  const partnersJoined = await ctx.models.Member.countDocuments({ role: 'partner', isRoot: { $ne: true }, createdAt: { $lt: end } })
  return { partnersJoined, payeeIds: payees, payeeCents, extraIds }
}
