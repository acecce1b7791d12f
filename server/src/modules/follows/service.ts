import type { FollowState } from '@vernetzt/shared/schemas/posts'
import { AppError } from '@vernetzt/shared/errors'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { addAllToList, addToList, readList, removeFromList } from '../../db/lists.ts'
import { append, headOf } from '../../db/streams.ts'
import { findMemberByHandle, type MemberDoc } from '../accounts/index.ts'
import { followId } from './model.ts'
import { isDuplicateKey } from '../../db/errors.ts'

export const followersStream = (memberId: Types.ObjectId | string) => `followers:${memberId.toString()}`
/** The chunked list of a member's current followers (see db/lists.ts), numbered by the followers stream. */
export const followersList = (memberId: Types.ObjectId | string) => `followers:${memberId.toString()}`

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
  const _id = followId(actor.id, member._id.toString())
  const at = new Date()
  try {
    await ctx.models.Follow.create({ _id, createdAt: at })
  } catch (error) {
    if (isDuplicateKey(error)) return state(ctx, actor.id, member)
    throw error
  }
  const follower = new Types.ObjectId(actor.id)
  await ctx.models.Member.updateOne({ _id: member._id }, { $inc: { followerCount: 1 } })
  await ctx.models.Member.updateOne({ _id: actor.id }, { $inc: { followingCount: 1 } })
  const [seq] = await append(ctx, [followersStream(member._id)], follower)
  await addToList(ctx, followersList(member._id), seq!, follower)
  await ctx.models.Follow.updateOne({ _id }, { $set: { seq } })
  // `at`: from now on the follower is in the list every fan-out reads; the backfill covers what came before.
  await ctx.events.publish('follow.created', { followerId: actor.id, followeeId: member._id.toString(), at: new Date().toISOString() })
  return state(ctx, actor.id, member)
}

export async function unfollow(ctx: ServiceContext, actor: Actor, handle: string): Promise<FollowState> {
  const member = await target(ctx, handle)
  const _id = followId(actor.id, member._id.toString())
  const ended = await ctx.models.Follow.findOneAndDelete({ _id }).lean()
  if (ended) {
    const follower = new Types.ObjectId(actor.id)
    await ctx.models.Member.updateOne({ _id: member._id }, { $inc: { followerCount: -1 } })
    await ctx.models.Member.updateOne({ _id: actor.id }, { $inc: { followingCount: -1 } })
    await removeFromList(ctx, followersList(member._id), follower, { n: ended.seq, count: await headOf(ctx, followersStream(member._id)) })
    await ctx.models.FollowPast.updateOne({ _id }, { $push: { periods: { from: ended.createdAt, to: new Date() } } }, { upsert: true })
    await ctx.events.publish('follow.ended', { followerId: actor.id, followeeId: member._id.toString() })
  }
  return state(ctx, actor.id, member)
}

/** Everyone who follows `memberId` now, in the chunks of the followers list (one read per 1,000). */
export async function followerChunks(ctx: ServiceContext, memberId: Types.ObjectId): Promise<Types.ObjectId[][]> {
  return readList(ctx, followersList(memberId), await headOf(ctx, followersStream(memberId)))
}

/** When earlier follows of `followeeId` by `followerId` began and ended. */
export async function pastFollowPeriods(ctx: ServiceContext, followerId: string, followeeId: string): Promise<Array<{ from: Date; to: Date }>> {
  return (await ctx.models.FollowPast.findById(followId(followerId, followeeId)).lean())?.periods ?? []
}

/**
 * Builds the followers list of a member from data written before lists existed, the slow way:
 * the followers stream also holds people who unfollowed (and refollowed), so each entry is one
 * read and each is checked against the follow itself. Run once per member (see posts/audience.ts);
 * adding is idempotent, so a repeat after a crash is harmless.
 */
export async function rebuildFollowersList(ctx: ServiceContext, memberId: Types.ObjectId): Promise<void> {
  const stream = followersStream(memberId)
  const head = await headOf(ctx, stream)
  const latest = new Map<string, { id: Types.ObjectId; n: number }>()
  for (let from = 1; from <= head; from += 100) {
    const numbers = Array.from({ length: Math.min(100, head - from + 1) }, (_, i) => from + i)
    const entries = await Promise.all(numbers.map((n) => ctx.models.StreamEntry.findById(`${stream}#${n}`).lean()))
    entries.forEach((entry, i) => entry && latest.set(entry.ref.toString(), { id: entry.ref, n: numbers[i]! }))
  }
  const current = await Promise.all([...latest.values()].map(async (f) => ((await isFollowing(ctx, f.id.toString(), memberId.toString())) ? f : null)))
  await addAllToList(
    ctx,
    followersList(memberId),
    current.filter((f) => f !== null),
  )
}
