import { AppError } from '@vernetzt/shared/errors'
import type { MemberSummary } from '@vernetzt/shared/schemas/common'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { memberSummaries, findMemberByHandle } from '../accounts/index.ts'

export const BLOCKS_MAX = 1000

/**
 * Blocking is stored on both sides: "blocked" on the blocker (whose messages to hide when
 * reading) and "blockedBy" on the blocked member (whose sockets to skip when they write).
 */
export async function block(ctx: ServiceContext, actor: Actor, handle: string): Promise<{ items: MemberSummary[] }> {
  const target = await findMemberByHandle(ctx, handle)
  if (!target) throw new AppError('PROFILE_NOT_FOUND', `There is no member "${handle}".`)
  if (target._id.equals(actor.id)) throw new AppError('VALIDATION_FAILED', 'You cannot block yourself.', { field: 'handle' })
  const me = await ctx.models.Member.findById(actor.id, { blocked: 1 }).lean()
  if ((me?.blocked?.length ?? 0) >= BLOCKS_MAX && !me?.blocked.some((id) => id.equals(target._id))) {
    throw new AppError('VALIDATION_FAILED', `You can block at most ${BLOCKS_MAX} members.`, { field: 'handle' })
  }
  await ctx.models.Member.updateOne({ _id: actor.id }, { $addToSet: { blocked: target._id } })
  await ctx.models.Member.updateOne({ _id: target._id }, { $addToSet: { blockedBy: new Types.ObjectId(actor.id) } })
  // Every node forgets what it cached of both; neither sees the other come and go any more.
  await ctx.events.publish('member.block_changed', { memberId: actor.id, otherId: target._id.toString(), blocked: true })
  return listBlocks(ctx, actor)
}

export async function unblock(ctx: ServiceContext, actor: Actor, handle: string): Promise<{ items: MemberSummary[] }> {
  const target = await findMemberByHandle(ctx, handle)
  if (!target) throw new AppError('PROFILE_NOT_FOUND', `There is no member "${handle}".`)
  await ctx.models.Member.updateOne({ _id: actor.id }, { $pull: { blocked: target._id } })
  await ctx.models.Member.updateOne({ _id: target._id }, { $pull: { blockedBy: new Types.ObjectId(actor.id) } })
  await ctx.events.publish('member.block_changed', { memberId: actor.id, otherId: target._id.toString(), blocked: false })
  return listBlocks(ctx, actor)
}

export async function listBlocks(ctx: ServiceContext, actor: Actor): Promise<{ items: MemberSummary[] }> {
  const me = await ctx.models.Member.findById(actor.id, { blocked: 1 }).lean()
  const summaries = await memberSummaries(ctx, me?.blocked ?? [])
  return { items: (me?.blocked ?? []).flatMap((id) => summaries.get(id.toString()) ?? []) }
}
