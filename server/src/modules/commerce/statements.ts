/**
 * Statements and payouts leave the system as files: a partner's monthly statement as CSV and
 * PDF, and a closed month's payouts as CSV for the accounting system; and the admins' overview
 * of the periods. Everything here reads the ledger through ledger.ts (statement(),
 * periodEntries(), the payees stream) and never writes it. The files themselves are made in
 * statement-csv.ts and statement-pdf.ts, with the words from the catalogs.
 */
import { periodOf, previousPeriod } from '@vernetzt/shared/commissions'
import { AppError } from '@vernetzt/shared/errors'
import { translate, type Lang } from '@vernetzt/shared/i18n'
import type { PeriodList, PeriodTotals } from '@vernetzt/shared/schemas/periods'
import type { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { headOf, readStream } from '../../db/streams.ts'
import { SETTLE_MS } from './earnings-periods.ts'
import { payeesStream, periodEntries, statement } from './ledger.ts'
import { emptyTotals, finalizeReport, storedTotals, totalsCache } from './report-final.ts'
import { payoutsCsvBody, statementCsv, type PayoutRow } from './statement-csv.ts'
import { statementPdf } from './statement-pdf.ts'

// Kept where they were before the files moved out: the statements test and the benchmark import them from here.
export { isoDay } from './statement-format.ts'
export { statementCsv, statementPdf, type PayoutRow }

// --- Exports ----------------------------------------------------------------------------------

export interface ExportFile {
  filename: string
  contentType: string
  body: string | Buffer
}

/** A statement file: the same access rules as the JSON statement (own, or any for admins). */
export async function statementExport(
  ctx: ServiceContext,
  actor: Actor,
  memberId: string,
  period: string,
  format: 'csv' | 'pdf',
  lang: Lang = 'de',
): Promise<ExportFile> {
  const s = await statement(ctx, actor, memberId, period)
  const company = ctx.config.root.displayName
  const filename = `${translate(lang, 'statements.filename', { period, handle: s.member.handle })}.${format}`
  if (format === 'csv') return { filename, contentType: 'text/csv; charset=utf-8', body: statementCsv(s, company, lang) }
  return { filename, contentType: 'application/pdf', body: await statementPdf(s, { company, lang }) }
}

/** Everyone listed in the period's payees stream, each once (a crash may have listed one twice), oldest first. */
async function payeeIds(ctx: ServiceContext, period: string): Promise<Types.ObjectId[]> {
  const ids: Types.ObjectId[] = []
  const seen = new Set<string>()
  let cursor: string | undefined
  do {
    const page = await readStream(ctx, payeesStream(period), { cursor, limit: 500, maxProbe: 1000 }, async (refs) => refs)
    for (const id of page.items) {
      if (seen.has(id.toString())) continue
      seen.add(id.toString())
      ids.push(id)
    }
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return ids.reverse()
}

/**
 * Everyone with entries in the period and what they earned there. The payees stream may list a
 * partner twice (a crash between listing and marking); each is counted once. Each partner's
 * entries come from their own period stream, by _id.
 */
export async function periodPayouts(ctx: ServiceContext, period: string, lang: Lang = 'de'): Promise<PayoutRow[]> {
  const ids = await payeeIds(ctx, period)
  const deleted = translate(lang, 'statements.payouts.deleted')

  const rows: PayoutRow[] = []
  const BATCH = 50 // partners summed at once; each is a few round trips
  for (let i = 0; i < ids.length; i += BATCH) {
    rows.push(
      ...(await Promise.all(
        ids.slice(i, i + BATCH).map(async (id): Promise<PayoutRow> => {
          const [member, entries] = await Promise.all([
            ctx.models.Member.findById(id, { handle: 1, displayName: 1, email: 1 }).lean(),
            periodEntries(ctx, id, period),
          ])
          let creditsCents = 0
          let reversalsCents = 0
          for (const e of entries) {
            if (e.kind === 'credit') creditsCents += e.amountCents
            else reversalsCents += e.amountCents
          }
          return {
            memberId: id.toString(),
            handle: member?.handle ?? '',
            displayName: member?.displayName ?? deleted,
            email: member?.email ?? '',
            creditsCents,
            reversalsCents,
            totalCents: creditsCents + reversalsCents,
            entries: entries.length,
          }
        }),
      )),
    )
  }
  return rows
}

function requireAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an administrator can see the payouts of a period.')
}

/** The payouts of a closed period as CSV for the accounting system; open periods may still change. */
export async function payoutsCsv(ctx: ServiceContext, actor: Actor, period: string, lang: Lang = 'de'): Promise<ExportFile> {
  requireAdmin(actor)
  const closed = await ctx.models.Period.findById(period).lean()
  if (!closed) throw new AppError('PERIOD_OPEN', `${period} is not closed yet; payouts are exported for closed periods only, whose amounts no longer change.`)
  const rows = await periodPayouts(ctx, period, lang)
  rows.sort((a, b) => a.handle.localeCompare(b.handle))
  return {
    filename: `${translate(lang, 'statements.payouts.filename', { period })}.csv`,
    contentType: 'text/csv; charset=utf-8',
    body: payoutsCsvBody(rows, lang),
  }
}

// --- The periods overview ---------------------------------------------------------------------

const CACHE_AFTER_CLOSE_MS = SETTLE_MS

/**
 * The totals of several periods, summed live: how the overview was computed before the stored
 * reports (period-reports.ts); kept as the from-scratch reference for the tests and the
 * benchmark. Reading every entry by _id through the partners' streams (as the payout export does) costs a round trip per entry: minutes for a month of
 * 250,000 entries. A grouped scan is one round trip; on FerretDB it reads the whole ledger,
 * which is why closed months are cached and only the open ones are summed on every visit.
 * The groups are few on purpose: FerretDB 1.24 fills only the first accumulator of a $group
 * (hence sums and counts are two passes), and with one group per partner the pass took over
 * 20 minutes for 250,000 entries in the benchmark. Partners are counted by their listings in
 * the payees stream (its head, one read); a crash between listing and marking may have listed
 * one twice, so closed months count them exactly once, when they are cached.
 */
export async function sumPeriods(ctx: ServiceContext, periods: string[], exactPayees: ReadonlySet<string> = new Set()): Promise<Map<string, PeriodTotals>> {
  const out = new Map(periods.map((p) => [p, emptyTotals()]))
  if (periods.length === 0) return out
  const match = { $match: { period: { $in: periods } } }
  const [sums, counts, payees] = await Promise.all([
    ctx.models.LedgerEntry.aggregate<{ _id: { p: string; k: string }; cents: number }>([
      match,
      { $group: { _id: { p: '$period', k: '$kind' }, cents: { $sum: '$amountCents' } } },
    ]),
    ctx.models.LedgerEntry.aggregate<{ _id: string; n: number }>([match, { $group: { _id: '$period', n: { $sum: 1 } } }]),
    Promise.all(periods.map(async (p) => (exactPayees.has(p) ? (await payeeIds(ctx, p)).length : headOf(ctx, payeesStream(p))))),
  ])
  for (const g of sums) {
    const t = out.get(g._id.p)
    if (!t) continue
    if (g._id.k === 'credit') t.creditsCents += g.cents
    else t.reversalsCents += g.cents
    t.totalCents += g.cents
  }
  for (const c of counts) {
    const t = out.get(c._id)
    if (t) t.entries = c.n
  }
  periods.forEach((p, i) => (out.get(p)!.payees = payees[i]!))
  return out
}

/**
 * The current month and the twelve before it, newest first, with their status and totals: from
 * the stored reports, at most one read per period for the close, one for the stored totals of
 * a final period (or the payees stream's head) and the chunks of a period with payees.
 */
export async function listPeriods(ctx: ServiceContext, actor: Actor, now = new Date()): Promise<PeriodList> {
  requireAdmin(actor)
  const current = periodOf(now)
  const periods = [current]
  while (periods.length < 13) periods.push(previousPeriod(periods.at(-1)!))
  const closed = await Promise.all(periods.map((p) => ctx.models.Period.findById(p).lean()))
  const final = (i: number) => !!closed[i] && now.getTime() - closed[i].closedAt.getTime() >= CACHE_AFTER_CLOSE_MS
  const totals = await Promise.all(
    periods.map(async (p, i): Promise<PeriodTotals> => {
      if (!final(i)) return storedTotals(ctx, p)
      let c = await totalsCache(ctx).findOne({ _id: p })
      if (!c) {
        await finalizeReport(ctx, p) // the close's job has not run (yet), or the period is from before the reports
        c = await totalsCache(ctx).findOne({ _id: p })
      }
      return c
        ? { creditsCents: c.creditsCents, reversalsCents: c.reversalsCents, totalCents: c.totalCents, payees: c.payees, entries: c.entries }
        : emptyTotals()
    }),
  )
  return {
    items: periods.map((period, i) => {
      const doc = closed[i]
      return {
        period,
        status: doc ? ('closed' as const) : ('open' as const),
        closedAt: doc?.closedAt.toISOString() ?? null,
        closable: !doc && period < current,
        totals: totals[i]!,
      }
    }),
  }
}
