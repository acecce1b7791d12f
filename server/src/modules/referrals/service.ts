import type { DownlinePage, DownlineStats, MoveBody, MoveResult } from '@vernetzt/shared/schemas/downline'
import { AppError } from '@vernetzt/shared/errors'
import { Types, type AnyBulkWriteOperation } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { toMemberSummary, findMemberByHandle, type MemberDoc } from '../accounts/index.ts'
import { entryId } from './model.ts'
import { bumpAndReadSeq, deleteEntries, insertEntries, levelKey } from './graph.ts'

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

/** How many list numbers one page request looks at before it returns what it found (holes from moves). */
const MAX_PROBE = 400

export async function listDownline(ctx: ServiceContext, actor: Actor, query: { level?: number; cursor?: string; limit?: number }): Promise<DownlinePage> {
  const level = query.level ?? 1
  const limit = query.limit ?? 25
  const { DownlineEntry, Member } = ctx.models
  const me = await Member.findById(actor.id, { downlineSeq: 1 }).lean()
  if (!me) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  if (query.cursor !== undefined && !/^\d{1,12}$/.test(query.cursor)) {
    throw new AppError('BAD_REQUEST', 'The cursor is not valid.', { field: 'cursor' })
  }
  const last = ((me.downlineSeq ?? {}) as Record<string, number>)[levelKey(level)] ?? 0
  const rows: Array<{ seq: number; member: MemberDoc }> = []
  let seq = Number(query.cursor ?? 0)
  while (rows.length < limit && seq < last && seq - Number(query.cursor ?? 0) < MAX_PROBE) {
    // One window of numbers at a time, each an _id lookup, in parallel.
    const window = Array.from({ length: Math.min(limit - rows.length, last - seq) }, (_, i) => seq + 1 + i)
    const entries = await Promise.all(window.map((n) => DownlineEntry.findById(entryId(me._id, level, n)).lean()))
    const members = await Promise.all(
      entries.map((e) =>
        e
          ? Member.findById(e.m, {
              handle: 1,
              displayName: 1,
              role: 1,
              avatarId: 1,
              createdAt: 1,
              sponsorId: 1,
              upline: 1,
            }).lean()
          : null,
      ),
    )
    members.forEach((member, i) => {
      // An entry left by an interrupted move points at someone no longer at this place: skip it.
      if (member && member.upline[level - 1]?.equals(me._id)) rows.push({ seq: window[i]!, member: member as MemberDoc })
    })
    seq = window[window.length - 1]!
  }
  // One _id lookup per distinct sponsor rather than one $in query: FerretDB serves only a bare
  // {_id} from an index, and a page has at most `limit` sponsors.
  const sponsorIds = [...new Set(rows.map((r) => r.member.sponsorId?.toString()).filter((id): id is string => !!id))]
  const sponsors = await Promise.all(sponsorIds.map((id) => Member.findById(id, { handle: 1 }).lean()))
  const sponsorHandle = new Map(sponsors.filter((s) => s !== null).map((s) => [s._id.toString(), s.handle]))
  return {
    level,
    items: rows.map(({ member: m }) => ({
      ...toMemberSummary(m),
      level,
      joinedAt: m.createdAt.toISOString(),
      sponsorHandle: sponsorHandle.get(m.sponsorId?.toString() ?? '') ?? '',
    })),
    nextCursor: seq < last ? String(seq) : null,
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
    throw new AppError(
      'MOVE_WOULD_CREATE_CYCLE',
      `"${target.handle}" is ${member.handle} or in ${member.handle}'s own downline; the move would create a cycle.`,
    )
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

  // The moving members, the member first; each keeps its list places inside the subtree and
  // gets new ones under the new ancestors.
  const descendants = await Member.find({ upline: member._id }, { upline: 1, upSeqs: 1 }).lean()
  const moving = [
    { _id: member._id, upline: member.upline, upSeqs: member.upSeqs, cut: -1 },
    ...descendants.map((d) => ({
      _id: d._id,
      upline: d.upline,
      upSeqs: d.upSeqs,
      cut: d.upline.findIndex((id) => id.equals(member._id)),
    })),
  ]
  // Reserve list numbers: for each new ancestor and level, one $inc by the number arriving there.
  const arriving = new Map<string, { ancestor: Types.ObjectId; level: number; members: Types.ObjectId[] }>()
  for (const m of moving) {
    newUpline.forEach((ancestor, j) => {
      const level = m.cut + 2 + j
      const key = `${ancestor.toString()}:${level}`
      const slot = arriving.get(key) ?? { ancestor, level, members: [] }
      slot.members.push(m._id)
      arriving.set(key, slot)
    })
  }
  const newSeq = new Map<string, number>() // "<member>:<ancestor>" → number
  for (const { ancestor, level, members } of arriving.values()) {
    const high = await bumpAndReadSeq(ctx, ancestor, level, { [`downlineSeq.${levelKey(level)}`]: members.length })
    members.forEach((id, i) => newSeq.set(`${id.toString()}:${ancestor.toString()}`, high - members.length + 1 + i))
  }
  const pathOps: AnyBulkWriteOperation<MemberDoc>[] = []
  const added: Array<{ _id: string; m: Types.ObjectId }> = []
  const removed: Array<{ _id: string; m: Types.ObjectId }> = []
  for (const m of moving) {
    const kept = m.upline.slice(0, m.cut + 1)
    const upline = [...kept, ...newUpline]
    const seqs = [...(m.upSeqs ?? []).slice(0, m.cut + 1), ...newUpline.map((a) => newSeq.get(`${m._id.toString()}:${a.toString()}`)!)]
    m.upline.forEach((ancestor, p) => {
      if (p > m.cut && m.upSeqs?.[p] !== undefined) removed.push({ _id: entryId(ancestor, p + 1, m.upSeqs[p]!), m: m._id })
    })
    newUpline.forEach((ancestor, j) => added.push({ _id: entryId(ancestor, m.cut + 2 + j, seqs[m.cut + 1 + j]!), m: m._id }))
    const set: Record<string, unknown> = { upline, depth: upline.length, upSeqs: seqs }
    if (m.cut === -1) set.sponsorId = target._id
    pathOps.push({ updateOne: { filter: { _id: m._id }, update: { $set: set } } })
  }
  for (let i = 0; i < pathOps.length; i += 1000) {
    await Member.bulkWrite(pathOps.slice(i, i + 1000), { ordered: false })
  }
  await insertEntries(ctx, added)
  await deleteEntries(ctx, removed)
  const counterOps: AnyBulkWriteOperation<MemberDoc>[] = [...deltas.values()]
    .map(({ id, inc }) => ({ id, inc: Object.fromEntries(Object.entries(inc).filter(([, v]) => v !== 0)) }))
    .filter(({ inc }) => Object.keys(inc).length > 0)
    .map(({ id, inc }) => ({ updateOne: { filter: { _id: id }, update: { $inc: inc } } }))
  if (counterOps.length > 0) await Member.bulkWrite(counterOps, { ordered: false })
  await Audit.updateOne({ _id: audit._id }, { $set: { 'data.status': 'done' } })
  await ctx.events.publish('member.moved', {
    memberId: member._id.toString(),
    formerUplineIds: member.upline.map(String),
    movedIds: moving.map((m) => m._id.toString()),
    newSponsorId: target._id.toString(),
  })

  return {
    member: member.handle,
    oldSponsor: oldSponsor?.handle ?? '',
    newSponsor: target.handle,
    movedCount: subTotal,
  }
}
