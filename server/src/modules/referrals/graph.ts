import { Types } from 'mongoose'
import type { ServiceContext } from '../../context.ts'
import type { MemberDoc } from '../accounts/index.ts'
import { entryId } from './model.ts'
import { isDuplicateKey, perDocumentErrors } from '../../db/errors.ts'
import { addAllToList, readList, removeFromList } from '../../db/lists.ts'

/**
 * The join graph. Each member stores its upline (nearest first) and depth, and each member
 * carries counters of its downline per level, so "level-k downline" is one indexed query and
 * "how big is my team" is one document read, whatever the size of the tree.
 */

export const levelKey = (level: number) => `l${level}`

/** The chunked list of a member's direct recruits (see db/lists.ts), numbered by the level-1 list. */
export const recruitsList = (memberId: Types.ObjectId | string) => `recruits:${memberId.toString()}`

/** The ancestor, level and number of a level-list entry id ("<ancestor>:<level>:<n>"). */
function parseEntryId(id: string): { ancestor: string; level: number; n: number } {
  const [ancestor, level, n] = id.split(':')
  return { ancestor: ancestor!, level: Number(level), n: Number(n) }
}

/** Level-1 entries are also kept in the ancestor's recruits list (what a feed fan-out reads). */
async function addRecruits(ctx: ServiceContext, entries: Array<{ _id: string; m: Types.ObjectId }>): Promise<void> {
  const bySponsor = new Map<string, Array<{ id: Types.ObjectId; n: number }>>()
  for (const e of entries) {
    const { ancestor, level, n } = parseEntryId(e._id)
    if (level === 1) bySponsor.set(ancestor, [...(bySponsor.get(ancestor) ?? []), { id: e.m, n }])
  }
  for (const [sponsor, members] of bySponsor) await addAllToList(ctx, recruitsList(sponsor), members)
}

/** Removes level-list entries (a move), and level-1 ones from the recruits list too. */
export async function deleteEntries(ctx: ServiceContext, entries: Array<{ _id: string; m: Types.ObjectId }>): Promise<void> {
  for (const e of entries) {
    await ctx.models.DownlineEntry.deleteOne({ _id: e._id })
    const { ancestor, level, n } = parseEntryId(e._id)
    if (level === 1) await removeFromList(ctx, recruitsList(ancestor), e.m, { n, count: n })
  }
}

/** Inserts level-list entries; an entry that exists already (a repeated repair) is fine. */
export async function insertEntries(ctx: ServiceContext, entries: Array<{ _id: string; m: Types.ObjectId }>): Promise<void> {
  await insertLevelEntries(ctx, entries)
  await addRecruits(ctx, entries)
}

async function insertLevelEntries(ctx: ServiceContext, entries: Array<{ _id: string; m: Types.ObjectId }>): Promise<void> {
  for (let i = 0; i < entries.length; i += 1000) {
    const chunk = entries.slice(i, i + 1000)
    try {
      await ctx.models.DownlineEntry.insertMany(chunk, { ordered: false })
    } catch (error) {
      const writeErrors = perDocumentErrors(error, chunk.length)
      const allDuplicates = !!writeErrors && writeErrors.every((e) => e.code === 11000)
      if (!allDuplicates && !(chunk.length === 1 && isDuplicateKey(error))) throw error
    }
  }
}

/**
 * Applies `inc` to an ancestor and returns its level-list high-water mark for `level` afterwards.
 * (No projection: FerretDB's findAndModify does not implement one.)
 */
export async function bumpAndReadSeq(ctx: ServiceContext, ancestorId: Types.ObjectId, level: number, inc: Record<string, number>): Promise<number> {
  const after = await ctx.models.Member.findOneAndUpdate({ _id: ancestorId }, { $inc: inc }, { returnDocument: 'after' }).lean()
  return ((after?.downlineSeq ?? {}) as Record<string, number>)[levelKey(level)] ?? 0
}

/**
 * Adds a just-inserted member below every ancestor: each ancestor's counters go up by one
 * ($inc, atomic), which also hands out the member's number in that ancestor's level list;
 * the numbers are stored on the member, then the list entries are written.
 */
export async function applyJoinCounters(ctx: ServiceContext, member: Pick<MemberDoc, '_id' | 'upline'>): Promise<void> {
  const { Member } = ctx.models
  const seqs: number[] = []
  for (const [i, ancestorId] of member.upline.entries()) {
    const key = levelKey(i + 1)
    seqs.push(await bumpAndReadSeq(ctx, ancestorId, i + 1, { [`downline.${key}`]: 1, downlineTotal: 1, [`downlineSeq.${key}`]: 1 }))
  }
  if (seqs.length === 0) return
  await Member.updateOne({ _id: member._id }, { $set: { upSeqs: seqs } })
  await insertEntries(
    ctx,
    seqs.map((seq, i) => ({ _id: entryId(member.upline[i]!, i + 1, seq), m: member._id })),
  )
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
  const unnumbered: MemberDoc[] = []
  for (const pending of stale) {
    const member = (await Member.findById(pending._id, { upline: 1, upSeqs: 1 }).lean()) as MemberDoc | null
    if (member) {
      for (const id of member.upline) ancestors.set(id.toString(), id)
      const numbered = member.upSeqs?.length === member.upline.length
      if (numbered) {
        await insertEntries(
          ctx,
          member.upSeqs!.map((seq, i) => ({ _id: entryId(member.upline[i]!, i + 1, seq), m: member._id })),
        )
      } else {
        unnumbered.push(member)
      }
    } else {
      for (const key of pending.keys) {
        const entry = await Key.findById(key).lean()
        if (entry?.memberId.equals(pending._id)) await Key.deleteOne({ _id: key })
      }
    }
  }
  for (const id of ancestors.values()) await recountDownline(ctx, id)
  // Members that died before getting their list numbers get fresh ones (counters are exact now).
  for (const member of unnumbered) {
    const seqs: number[] = []
    for (const [i, ancestorId] of member.upline.entries()) {
      seqs.push(await bumpAndReadSeq(ctx, ancestorId, i + 1, { [`downlineSeq.${levelKey(i + 1)}`]: 1 }))
    }
    await Member.updateOne({ _id: member._id }, { $set: { upSeqs: seqs } })
    await insertEntries(
      ctx,
      seqs.map((seq, i) => ({ _id: entryId(member.upline[i]!, i + 1, seq), m: member._id })),
    )
  }
  for (const pending of stale) await PendingJoin.deleteOne({ _id: pending._id })
  if (stale.length > 0) ctx.log.warn({ joins: stale.length, ancestors: ancestors.size }, 'repaired interrupted joins')
  return stale.length
}

/** Everyone directly below a member now, in the chunks of the recruits list (one read per 1,000). */
export async function recruitChunks(ctx: ServiceContext, member: Pick<MemberDoc, '_id' | 'downlineSeq'>): Promise<Types.ObjectId[][]> {
  const last = ((member.downlineSeq ?? {}) as Record<string, number>)[levelKey(1)] ?? 0
  return readList(ctx, recruitsList(member._id), last)
}

/**
 * Builds the recruits list of a member from data written before lists existed: the level-1 list,
 * one read per entry, each checked against the member's current sponsor. Run once per member
 * (see posts/audience.ts); adding is idempotent.
 */
export async function rebuildRecruitsList(ctx: ServiceContext, memberId: Types.ObjectId): Promise<void> {
  const me = await ctx.models.Member.findById(memberId, { downlineSeq: 1 }).lean()
  const last = ((me?.downlineSeq ?? {}) as Record<string, number>)[levelKey(1)] ?? 0
  for (let from = 1; from <= last; from += 100) {
    const numbers = Array.from({ length: Math.min(100, last - from + 1) }, (_, i) => from + i)
    const entries = await Promise.all(numbers.map((n) => ctx.models.DownlineEntry.findById(entryId(memberId, 1, n)).lean()))
    const members = await Promise.all(entries.map((e) => (e ? ctx.models.Member.findById(e.m, { upline: 1 }).lean() : null)))
    const current = numbers.flatMap((n, i) => (members[i]?.upline[0]?.equals(memberId) ? [{ id: members[i]._id, n }] : []))
    await addAllToList(ctx, recruitsList(memberId), current)
  }
}
