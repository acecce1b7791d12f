/**
 * The downline explorer: a viewer's team as a tree, a page of direct recruits at a time, and a
 * search through it, both with each member's own sales in the current period.
 */
import { periodOf } from '@vernetzt/shared/commissions'
import { AppError } from '@vernetzt/shared/errors'
import { checkHandle } from '@vernetzt/shared/handles'
import { DOWNLINE_SEARCH_SCAN, DOWNLINE_TREE_PAGE, type DownlineSearchResult, type TreeNode, type TreePage } from '@vernetzt/shared/schemas/earnings'
import type { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { readStream } from '../../db/streams.ts'
import { SUMMARY_FIELDS, toMemberSummary, findMemberByHandle, type MemberDoc } from '../accounts/index.ts'
import { entryId as levelEntryId, levelKey } from '../referrals/index.ts'
import { volumeStream } from './ledger.ts'
import type { LedgerEntryDoc } from './model.ts'

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
      Promise.all(
        refs.map(async (id) =>
          seen.has(id.toString())
            ? null
            : ((await ctx.models.LedgerEntry.findById(id, { kind: 1, baseCents: 1 }).lean()) as Pick<LedgerEntryDoc, '_id' | 'kind' | 'baseCents'> | null),
        ),
      ),
    )
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
    ...toMemberSummary(m),
    level,
    joinedAt: m.createdAt.toISOString(),
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
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .trim()
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
