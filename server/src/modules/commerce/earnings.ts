import { periodOf, previousPeriod, nextPeriod } from '@vernetzt/shared/commissions'
import { AppError } from '@vernetzt/shared/errors'
import { checkHandle } from '@vernetzt/shared/handles'
import { DOWNLINE_SEARCH_SCAN, DOWNLINE_TREE_PAGE, type DownlineSearchResult, type EarningsDashboard, type IncomeDisclosure, type PeriodTotals, type TreeNode, type TreePage } from '@vernetzt/shared/schemas/earnings'
import type { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { headOf, readStream } from '../../db/streams.ts'
import { SUMMARY_FIELDS, toMemberSummary, findMemberByHandle, type MemberDoc } from '../accounts/index.ts'
import { entryId as levelEntryId, levelKey } from '../referrals/index.ts'
import { ledgerStream, payeesStream, periodEntries, summarize, volumeStream } from './ledger.ts'
import type { DisclosureDoc } from './earnings-model.ts'
import type { LedgerEntryDoc } from './model.ts'

/**
 * Read models over the ledger: the partner dashboard, the downline explorer and the public
 * income disclosure. Nothing here writes the ledger; what is stored are sums of closed periods,
 * which never change again, so each is computed once.
 */

// --- Periods and their sums -------------------------------------------------------------------

/**
 * A period is cached only once it has been closed for this long. Crediting decides an entry's
 * period a moment before writing it, so an order paid in the very second of the close can still
 * land in the period just closed; after a minute nothing can.
 */
export const SETTLE_MS = 60_000

interface PeriodState {
  closed: boolean
  /** Closed long enough ago that its sums are final and may be stored. */
  final: boolean
}

async function periodState(ctx: ServiceContext, period: string, now = Date.now()): Promise<PeriodState> {
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
    if (cached) return { period, closed, totalCents: cached.totalCents, creditsCents: cached.creditsCents, reversalsCents: cached.reversalsCents, perLevel: cached.perLevel.map(({ level, amountCents, salesCents, orders }) => ({ level, amountCents, salesCents, orders })) }
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

// --- Dashboard --------------------------------------------------------------------------------

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
  const [totals, recruits] = await Promise.all([
    Promise.all(periods.map((p, i) => periodTotals(ctx, me._id, p, states[i]))),
    recruitsIn(ctx, me, period),
  ])
  const counts = (me.downline ?? {}) as Record<string, number>
  return {
    period,
    current: totals[totals.length - 1]!,
    history: totals.map((t) => ({ period: t.period, totalCents: t.totalCents, closed: t.closed })),
    downline: {
      total: me.downlineTotal ?? 0,
      levels: Object.entries(counts).map(([key, count]) => ({ level: Number(key.slice(1)), count })).filter((r) => r.count > 0).sort((a, b) => a.level - b.level),
    },
    recruits,
  }
}

// --- Downline explorer ------------------------------------------------------------------------

const NODE_FIELDS = { ...SUMMARY_FIELDS, createdAt: 1, upline: 1, downline: 1 } as const
type NodeMember = Pick<MemberDoc, '_id' | 'handle' | 'displayName' | 'role' | 'avatarId' | 'createdAt' | 'upline' | 'downline'>

/**
 * Own sales in a period: the commissionable value of the member's level-1 lines (credits minus
 * reversals), read from the small `volume:` stream that lists only those lines, so a team
 * leader's thousands of deeper lines are never read for it.
 */
export async function periodVolume(ctx: ServiceContext, memberId: Types.ObjectId, period: string): Promise<number> {
  let sum = 0
  const seen = new Set<string>()
  let cursor: string | undefined
  do {
    const page = await readStream(ctx, volumeStream(memberId, period), { cursor, limit: 200, maxProbe: 400 }, async (refs) =>
      Promise.all(refs.map(async (id) => (seen.has(id.toString()) ? null : (await ctx.models.LedgerEntry.findById(id, { kind: 1, baseCents: 1 }).lean()) as Pick<LedgerEntryDoc, '_id' | 'kind' | 'baseCents'> | null))))
    for (const e of page.items) {
      if (seen.has(e._id.toString())) continue // listed twice after a crash
      seen.add(e._id.toString())
      sum += e.kind === 'credit' ? e.baseCents : -e.baseCents
    }
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return sum
}

async function toNode(ctx: ServiceContext, m: NodeMember, level: number, period: string): Promise<TreeNode> {
  const counts = (m.downline ?? {}) as Record<string, number>
  return {
    ...toMemberSummary(m), level, joinedAt: m.createdAt.toISOString(),
    directCount: counts[levelKey(1)] ?? 0,
    // Only partners earn, so only partners have lines; the others cost no read.
    periodVolumeCents: m.role === 'partner' ? await periodVolume(ctx, m._id, period) : 0,
  }
}

/** Where a member stands below the viewer: 0 for the viewer, k for level k, null when not below. */
function levelBelow(member: Pick<MemberDoc, '_id' | 'upline'>, viewerId: string): number | null {
  if (member._id.toString() === viewerId) return 0
  const i = member.upline.findIndex((id) => id.toString() === viewerId)
  return i === -1 ? null : i + 1
}

/** How many list places one page looks at before returning what it found (holes from moves). */
const MAX_PROBE = 400

/**
 * One node's direct recruits, a page at a time (in join order), for the viewer's explorer. The
 * node must be the viewer or someone in their downline; anyone else is "not found", so the API
 * does not tell strangers' ids apart from wrong ones.
 */
export async function downlineTree(ctx: ServiceContext, actor: Actor, query: { parent?: string; cursor?: string }, now = new Date()): Promise<TreePage> {
  const parent = await ctx.models.Member.findById(query.parent ?? actor.id, { ...NODE_FIELDS, downlineSeq: 1 }).lean()
  const level = parent ? levelBelow(parent, actor.id) : null
  if (!parent || level === null) throw new AppError('PROFILE_NOT_FOUND', 'There is no such member in your team.')
  const period = periodOf(now)
  const last = ((parent.downlineSeq ?? {}) as Record<string, number>)[levelKey(1)] ?? 0
  const from = Number(query.cursor ?? 0)
  const found: NodeMember[] = []
  let seq = from
  while (found.length < DOWNLINE_TREE_PAGE && seq < last && seq - from < MAX_PROBE) {
    const window = Array.from({ length: Math.min(DOWNLINE_TREE_PAGE - found.length, last - seq) }, (_, i) => seq + 1 + i)
    const entries = await Promise.all(window.map((n) => ctx.models.DownlineEntry.findById(levelEntryId(parent._id, 1, n)).lean()))
    const members = await Promise.all(entries.map((e) => (e ? ctx.models.Member.findById(e.m, NODE_FIELDS).lean() : null)))
    for (const m of members) if (m && m.upline[0]?.equals(parent._id)) found.push(m as NodeMember)
    seq = window[window.length - 1]!
  }
  const [parentNode, items] = await Promise.all([
    toNode(ctx, parent as NodeMember, level, period),
    Promise.all(found.map((m) => toNode(ctx, m, level + 1, period))),
  ])
  return { period, parent: parentNode, items, nextCursor: seq < last ? String(seq) : null }
}

/** Case, accents and "ß" do not matter when looking for a name. */
export function foldName(text: string): string {
  return text.normalize('NFD').replace(/\p{Diacritic}/gu, '').replace(/ß/g, 'ss').toLowerCase().trim()
}

const SEARCH_RESULTS_MAX = DOWNLINE_TREE_PAGE
/** Reads per round trip while scanning: FerretDB answers _id lookups about as fast in any batch size we tried. */
const SCAN_WINDOW = 100
/**
 * A viewer's scanned names are kept this long, so refining a search ("ann", then "anna m")
 * reads nothing again. Per process and small (at most SCAN_CACHE_MAX viewers of 2,000 names):
 * a cache another node does not need, and the hits are re-read and re-checked anyway.
 */
const SCAN_TTL_MS = 120_000
const SCAN_CACHE_MAX = 50

interface NameScan {
  rows: Array<{ id: Types.ObjectId; handle: string; name: string }>
  complete: boolean
  at: number
}
const scans = new WeakMap<ServiceContext, Map<string, NameScan>>()

/** The first DOWNLINE_SEARCH_SCAN members below the viewer, level by level through the level lists. */
async function scanNames(ctx: ServiceContext, me: Pick<MemberDoc, '_id' | 'downlineSeq'>): Promise<NameScan> {
  const cache = scans.get(ctx) ?? new Map<string, NameScan>()
  scans.set(ctx, cache)
  const key = me._id.toString()
  const hit = cache.get(key)
  if (hit && Date.now() - hit.at < SCAN_TTL_MS) return hit
  const seqs = (me.downlineSeq ?? {}) as Record<string, number>
  const rows: NameScan['rows'] = []
  let complete = true
  levels: for (let level = 1; (seqs[levelKey(level)] ?? 0) > 0; level++) {
    const last = seqs[levelKey(level)]!
    for (let from = 1; from <= last; from += SCAN_WINDOW) {
      if (rows.length >= DOWNLINE_SEARCH_SCAN) {
        complete = false
        break levels
      }
      const numbers = Array.from({ length: Math.min(SCAN_WINDOW, last - from + 1) }, (_, i) => from + i)
      const entries = await Promise.all(numbers.map((n) => ctx.models.DownlineEntry.findById(levelEntryId(me._id, level, n)).lean()))
      const members = await Promise.all(entries.map((e) => (e ? ctx.models.Member.findById(e.m, { handle: 1, displayName: 1, upline: 1 }).lean() : null)))
      for (const m of members) {
        // Places left behind by moves point at members who are no longer here.
        if (!m || !m.upline[level - 1]?.equals(me._id)) continue
        if (rows.length === DOWNLINE_SEARCH_SCAN) {
          complete = false
          break levels
        }
        rows.push({ id: m._id, handle: m.handle, name: foldName(m.displayName) })
      }
    }
  }
  const scan = { rows, complete, at: Date.now() }
  cache.delete(key)
  cache.set(key, scan)
  if (cache.size > SCAN_CACHE_MAX) cache.delete(cache.keys().next().value!)
  return scan
}

/**
 * Finds members of the viewer's downline: an exact handle anywhere in it (two _id reads and the
 * upline check), and names (or handles) containing the query among the first
 * DOWNLINE_SEARCH_SCAN members, read level by level through the level lists. A filter on
 * `upline` would scan the whole members collection on FerretDB; this reads only the viewer's
 * own lists, and at most that many.
 */
export async function searchDownline(ctx: ServiceContext, actor: Actor, q: string, now = new Date()): Promise<DownlineSearchResult> {
  const me = await ctx.models.Member.findById(actor.id, { downlineSeq: 1 }).lean()
  if (!me) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  const period = periodOf(now)
  const ids: Types.ObjectId[] = []
  const handle = q.trim().replace(/^@/, '').toLowerCase()
  if (!checkHandle(handle)) {
    const m = await findMemberByHandle(ctx, handle, { upline: 1 })
    if (m && levelBelow(m, actor.id)) ids.push(m._id)
  }
  const scan = await scanNames(ctx, me)
  const needle = foldName(handle)
  for (const row of scan.rows) {
    if (ids.length >= SEARCH_RESULTS_MAX) break
    if ((row.name.includes(needle) || row.handle.includes(needle)) && !ids.some((id) => id.equals(row.id))) ids.push(row.id)
  }
  // Re-read the hits: the scan may be a couple of minutes old.
  const members = await Promise.all(ids.map((id) => ctx.models.Member.findById(id, NODE_FIELDS).lean() as Promise<NodeMember | null>))
  const found = members.flatMap((m) => {
    const level = m ? levelBelow(m, actor.id) : null
    return m && level ? [{ m, level }] : []
  })
  const items = await Promise.all(found.map(({ m, level }) => toNode(ctx, m, level, period)))
  return { items, scanned: scan.rows.length, scanLimit: DOWNLINE_SEARCH_SCAN, complete: scan.complete }
}

// --- Income disclosure ------------------------------------------------------------------------

/** Band edges in cents: "0 €", then up to each edge, then above the last. */
export const MONTH_BANDS = [5_000, 25_000, 100_000, 500_000] as const
export const YEAR_BANDS = [50_000, 250_000, 1_000_000, 5_000_000] as const

type Distribution = Omit<DisclosureDoc, '_id' | 'computedAt'>

const computing = new WeakMap<ServiceContext, Map<string, Promise<Distribution>>>()

async function computeDistribution(ctx: ServiceContext, period: string, state: PeriodState): Promise<Distribution> {
  const payees: Types.ObjectId[] = []
  const seen = new Set<string>()
  let cursor: string | undefined
  do {
    const page = await readStream(ctx, payeesStream(period), { cursor, limit: 500, maxProbe: 1000 }, async (refs) => refs)
    for (const id of page.items) {
      if (seen.has(id.toString())) continue // listed twice after a crash
      seen.add(id.toString())
      payees.push(id)
    }
    cursor = page.nextCursor ?? undefined
  } while (cursor)
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
  // The one whole-collection count (a scan on FerretDB), done once per closed period.
  const partnersJoined = await ctx.models.Member.countDocuments({ role: 'partner', isRoot: { $ne: true }, createdAt: { $lt: end } })
  return { partnersJoined, payeeIds: payees, payeeCents, extraIds }
}

/** A closed period's distribution: stored on the first read once final, computed once per process meanwhile. */
async function periodDistribution(ctx: ServiceContext, period: string, now: number): Promise<Distribution | null> {
  const state = await periodState(ctx, period, now)
  if (!state.closed) return null
  if (state.final) {
    const cached = await ctx.models.IncomeDisclosure.findById(period).lean()
    if (cached) return cached
  }
  const running = computing.get(ctx) ?? new Map<string, Promise<Distribution>>()
  computing.set(ctx, running)
  const key = `${period}:${state.final}`
  let job = running.get(key)
  if (!job) {
    job = computeDistribution(ctx, period, state).then(async (d) => {
      if (state.final) {
        await ctx.models.IncomeDisclosure.create({ _id: period, ...d }).catch((error: unknown) => {
          if (!isDuplicateKey(error)) throw error
        })
      }
      return d
    }).finally(() => running.delete(key))
    running.set(key, job)
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
    partners, earners: positive.length, bands, medianCents: overall, earnersMedianCents: median(positive),
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
