import type { DownlinePage, DownlineStats, MoveBody, MoveResult } from '@vernetzt/shared/schemas/downline'
import { AppError } from '@vernetzt/shared/errors'
import { Types, type AnyBulkWriteOperation } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { toMemberSummary } from '../accounts/dto.ts'
import { findMemberByHandle } from '../accounts/lookup.ts'
import type { MemberDoc } from '../accounts/model.ts'

/**
 * The join graph. Each member stores its upline (nearest first) and depth, and each member
 * carries counters of its downline per level, so "level-k downline" is one indexed query and
 * "how big is my team" is one document read, whatever the size of the tree.
 */

export const levelKey = (level: number) => `l${level}`

/** Adds a just-inserted member to every ancestor's counters: one $inc per ancestor, one round trip. */
export async function applyJoinCounters(ctx: ServiceContext, member: Pick<MemberDoc, '_id' | 'upline'>): Promise<void> {
  const ops: AnyBulkWriteOperation<MemberDoc>[] = member.upline.map((ancestorId, i) => ({
    updateOne: {
      filter: { _id: ancestorId },
      update: { $inc: { [`downline.${levelKey(i + 1)}`]: 1, downlineTotal: 1 } },
    },
  }))
  if (ops.length > 0) await ctx.models.Member.bulkWrite(ops, { ordered: false })
}

/** Rebuilds one member's counters from the tree itself. Used for crash repair; O(downline). */
export async function recountDownline(ctx: ServiceContext, ancestorId: Types.ObjectId): Promise<void> {
  const ancestor = await ctx.models.Member.findById(ancestorId, { depth: 1 }).lean()
  if (!ancestor) return
  const rows = await ctx.models.Member.aggregate<{ _id: number; n: number }>([
    { $match: { upline: ancestorId } },
    { $group: { _id: '$depth', n: { $sum: 1 } } },
  ])
  const downline: Record<string, number> = {}
  let total = 0
  for (const row of rows) {
    downline[levelKey(row._id - ancestor.depth)] = row.n
    total += row.n
  }
  await ctx.models.Member.updateOne({ _id: ancestorId }, { $set: { downline, downlineTotal: total } })
}

/** Joins younger than this may still be running on some node; the repair leaves them alone. */
export const PENDING_GRACE_MS = 5 * 60_000

/**
 * Finishes or undoes joins that died half-way (the process was killed between writes). A join
 * whose member was written gets its ancestors recounted (exact, so running twice changes
 * nothing); a join that never wrote its member releases the handle and email it had claimed.
 * Runs at boot and periodically; reads only the small pending_joins collection.
 */
export async function repairPendingJoins(ctx: ServiceContext, olderThanMs = PENDING_GRACE_MS): Promise<number> {
  const { Key, Member, PendingJoin } = ctx.models
  const cutoff = Date.now() - olderThanMs
  const stale = (await PendingJoin.find({}).lean()).filter((p) => p.createdAt.getTime() <= cutoff)
  const ancestors = new Map<string, Types.ObjectId>()
  for (const pending of stale) {
    if (await Member.exists({ _id: pending._id })) {
      for (const id of pending.upline) ancestors.set(id.toString(), id)
    } else {
      for (const key of pending.keys) {
        const entry = await Key.findById(key).lean()
        if (entry?.memberId.equals(pending._id)) await Key.deleteOne({ _id: key })
      }
    }
  }
  for (const id of ancestors.values()) await recountDownline(ctx, id)
  for (const pending of stale) await PendingJoin.deleteOne({ _id: pending._id })
  if (stale.length > 0) ctx.log.warn({ joins: stale.length, ancestors: ancestors.size }, 'repaired interrupted joins')
  return stale.length
}

export async function downlineStats(ctx: ServiceContext, actor: Actor): Promise<DownlineStats> {
  const me = await ctx.models.Member.findById(actor.id, { downline: 1, downlineTotal: 1 }).lean()
  if (!me) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  const counts = (me.downline ?? {}) as Record<string, number>
  const levels = Object.entries(counts)
    .map(([key, count]) => ({ level: Number(key.slice(1)), count }))
    .filter((row) => row.count > 0)
    .sort((a, b) => a.level - b.level)
  return { total: me.downlineTotal ?? 0, levels }
}

export async function listDownline(
  ctx: ServiceContext,
  actor: Actor,
  query: { level?: number; cursor?: string; limit?: number },
): Promise<DownlinePage> {
  const level = query.level ?? 1
  const limit = query.limit ?? 25
  const me = await ctx.models.Member.findById(actor.id, { depth: 1 }).lean()
  if (!me) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  const filter: Record<string, unknown> = { upline: me._id, depth: me.depth + level }
  if (query.cursor) {
    if (!Types.ObjectId.isValid(query.cursor)) throw new AppError('BAD_REQUEST', 'The cursor is not valid.', { field: 'cursor' })
    filter._id = { $gt: new Types.ObjectId(query.cursor) }
  }
  const rows = await ctx.models.Member.find(filter, {
    handle: 1, displayName: 1, role: 1, avatarId: 1, createdAt: 1, sponsorId: 1,
  })
    .sort({ _id: 1 })
    .limit(limit + 1)
    .lean()
  const page = rows.slice(0, limit)
  // One _id lookup per distinct sponsor rather than one $in query: FerretDB serves only a bare
  // {_id} from an index, and a page has at most `limit` sponsors.
  const sponsorIds = [...new Set(page.map((m) => m.sponsorId?.toString()).filter((id): id is string => !!id))]
  const sponsors = await Promise.all(sponsorIds.map((id) => ctx.models.Member.findById(id, { handle: 1 }).lean()))
  const sponsorHandle = new Map(sponsors.filter((s) => s !== null).map((s) => [s._id.toString(), s.handle]))
  return {
    level,
    items: page.map((m) => ({
      ...toMemberSummary(m),
      level,
      joinedAt: m.createdAt.toISOString(),
      sponsorHandle: sponsorHandle.get(m.sponsorId?.toString() ?? '') ?? '',
    })),
    nextCursor: rows.length > limit ? page[page.length - 1]!._id.toString() : null,
  }
}

/**
 * Admin-only: hang a member (with everything below it) under another sponsor. Refuses cycles,
 * rewrites the subtree's paths and depths, moves the subtree's counts from the old ancestors to
 * the new ones, and records who did it and why.
 */
export async function moveMember(ctx: ServiceContext, actor: Actor, input: MoveBody): Promise<MoveResult> {
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an administrator can move members.')
  const { Member, Audit } = ctx.models
  const member = await findMemberByHandle(ctx, input.member)
  if (!member) throw new AppError('PROFILE_NOT_FOUND', `No member with the handle "${input.member}".`, { field: 'member' })
  const target = await findMemberByHandle(ctx, input.newSponsor)
  if (!target) throw new AppError('SPONSOR_NOT_FOUND', `No member with the handle "${input.newSponsor}".`, { field: 'newSponsor' })
  if (member.isRoot) throw new AppError('MOVE_NOT_ALLOWED', 'The company root has no sponsor and cannot be moved.')
  if (target.role !== 'partner') {
    throw new AppError('SPONSOR_NOT_PARTNER', `"${target.handle}" is not a partner and cannot sponsor anyone.`, { field: 'newSponsor' })
  }
  if (target._id.equals(member._id) || target.upline.some((id) => id.equals(member._id))) {
    throw new AppError('MOVE_WOULD_CREATE_CYCLE', `"${target.handle}" is ${member.handle} or in ${member.handle}'s own downline; the move would create a cycle.`)
  }
  if (member.sponsorId?.equals(target._id)) {
    throw new AppError('MOVE_NOT_ALLOWED', `"${member.handle}" is already sponsored by "${target.handle}".`)
  }
  const oldSponsor = await Member.findById(member.sponsorId, { handle: 1 }).lean()
  const newUpline = [target._id, ...target.upline]

  // Sizes of the moving subtree per relative level: index 0 is the member itself.
  const counts = (member.downline ?? {}) as Record<string, number>
  const sub: number[] = [1]
  for (const [key, n] of Object.entries(counts)) sub[Number(key.slice(1))] = n
  const subTotal = 1 + (member.downlineTotal ?? 0)

  // Net counter change per ancestor; shared ancestors (such as the root) may net out.
  const deltas = new Map<string, { id: Types.ObjectId; inc: Record<string, number> }>()
  const add = (id: Types.ObjectId, distance: number, sign: 1 | -1) => {
    const entry = deltas.get(id.toString()) ?? { id, inc: {} }
    sub.forEach((n, j) => {
      if (!n) return
      const key = `downline.${levelKey(distance + j)}`
      entry.inc[key] = (entry.inc[key] ?? 0) + sign * n
    })
    entry.inc.downlineTotal = (entry.inc.downlineTotal ?? 0) + sign * subTotal
    deltas.set(id.toString(), entry)
  }
  member.upline.forEach((id, i) => add(id, i + 1, -1))
  newUpline.forEach((id, i) => add(id, i + 1, 1))

  const audit = await Audit.create({
    actorId: new Types.ObjectId(actor.id),
    action: 'member.move',
    subjectId: member._id,
    reason: input.reason,
    data: { from: member.sponsorId, to: target._id, subtreeSize: subTotal, status: 'started' },
  })

  const descendants = await Member.find({ upline: member._id }, { upline: 1 }).lean()
  const pathOps: AnyBulkWriteOperation<MemberDoc>[] = descendants.map((d) => {
    const cut = d.upline.findIndex((id) => id.equals(member._id))
    const upline = [...d.upline.slice(0, cut + 1), ...newUpline]
    return { updateOne: { filter: { _id: d._id }, update: { $set: { upline, depth: upline.length } } } }
  })
  pathOps.push({
    updateOne: {
      filter: { _id: member._id },
      update: { $set: { upline: newUpline, depth: newUpline.length, sponsorId: target._id } },
    },
  })
  for (let i = 0; i < pathOps.length; i += 1000) {
    await Member.bulkWrite(pathOps.slice(i, i + 1000), { ordered: false })
  }
  const counterOps: AnyBulkWriteOperation<MemberDoc>[] = [...deltas.values()]
    .map(({ id, inc }) => ({ id, inc: Object.fromEntries(Object.entries(inc).filter(([, v]) => v !== 0)) }))
    .filter(({ inc }) => Object.keys(inc).length > 0)
    .map(({ id, inc }) => ({ updateOne: { filter: { _id: id }, update: { $inc: inc } } }))
  if (counterOps.length > 0) await Member.bulkWrite(counterOps, { ordered: false })
  await Audit.updateOne({ _id: audit._id }, { $set: { 'data.status': 'done' } })

  return {
    member: member.handle,
    oldSponsor: oldSponsor?.handle ?? '',
    newSponsor: target.handle,
    movedCount: subTotal,
  }
}
