import type { FollowState } from '@vernetzt/shared/schemas/posts'
import { AppError } from '@vernetzt/shared/errors'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { append, headOf } from '../../db/streams.ts'
import { findMemberByHandle, type MemberDoc } from '../accounts/index.ts'
import { followId } from './model.ts'
import { isDuplicateKey } from '../../db/errors.ts'

export const followersStream = (memberId: Types.ObjectId | string) => `followers:${memberId.toString()}`

async function target(ctx: ServiceContext, handle: string): Promise<MemberDoc> {
  const member = await findMemberByHandle(ctx, handle)
  if (!member) throw new AppError('PROFILE_NOT_FOUND', `There is no profile "${handle}".`)
  return member
}

async function state(ctx: ServiceContext, actorId: string | null, member: Pick<MemberDoc, '_id'>): Promise<FollowState> {
  const fresh = await ctx.models.Member.findById(member._id, { followerCount: 1, followingCount: 1 }).lean()
  const following = actorId ? await isFollowing(ctx, actorId, member._id.toString()) : false
  return { following, followers: fresh?.followerCount ?? 0, followingCount: fresh?.followingCount ?? 0 }
}

export async function isFollowing(ctx: ServiceContext, followerId: string, followeeId: string): Promise<boolean> {
  return (await ctx.models.Follow.exists({ _id: followId(followerId, followeeId) })) !== null
}

export async function followState(ctx: ServiceContext, actor: Actor | null, handle: string): Promise<FollowState> {
  return state(ctx, actor?.id ?? null, await target(ctx, handle))
}

/** Idempotent: following twice changes nothing. */
export async function follow(ctx: ServiceContext, actor: Actor, handle: string): Promise<FollowState> {
  const member = await target(ctx, handle)
  if (member._id.equals(actor.id)) throw new AppError('CANNOT_FOLLOW_SELF', 'You cannot follow yourself.')
  try {
    await ctx.models.Follow.create({ _id: followId(actor.id, member._id.toString()) })
  } catch (error) {
    if (isDuplicateKey(error)) return state(ctx, actor.id, member)
    throw error
  }
  await ctx.models.Member.updateOne({ _id: member._id }, { $inc: { followerCount: 1 } })
  await ctx.models.Member.updateOne({ _id: actor.id }, { $inc: { followingCount: 1 } })
  await append(ctx, [followersStream(member._id)], new Types.ObjectId(actor.id))
  return state(ctx, actor.id, member)
}

export async function unfollow(ctx: ServiceContext, actor: Actor, handle: string): Promise<FollowState> {
  const member = await target(ctx, handle)
  const { deletedCount } = await ctx.models.Follow.deleteOne({ _id: followId(actor.id, member._id.toString()) })
  if (deletedCount === 1) {
    await ctx.models.Member.updateOne({ _id: member._id }, { $inc: { followerCount: -1 } })
    await ctx.models.Member.updateOne({ _id: actor.id }, { $inc: { followingCount: -1 } })
  }
  return state(ctx, actor.id, member)
}

/**
 * Everyone who follows `memberId` now. The followers stream also holds people who unfollowed
 * (and refollowed), so each is checked against the follow itself and counted once.
 */
export async function currentFollowers(ctx: ServiceContext, memberId: Types.ObjectId): Promise<Types.ObjectId[]> {
  const head = await headOf(ctx, followersStream(memberId))
  const seen = new Map<string, Types.ObjectId>()
  for (let from = 1; from <= head; from += 100) {
    const numbers = Array.from({ length: Math.min(100, head - from + 1) }, (_, i) => from + i)
    const entries = await Promise.all(numbers.map((n) => ctx.models.StreamEntry.findById(`${followersStream(memberId)}#${n}`).lean()))
    for (const entry of entries) if (entry) seen.set(entry.ref.toString(), entry.ref)
  }
  const checks = await Promise.all([...seen.values()].map(async (id) => ((await isFollowing(ctx, id.toString(), memberId.toString())) ? id : null)))
  return checks.filter((id): id is Types.ObjectId => id !== null)
}
