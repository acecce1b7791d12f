// Delivery into home feeds as durable jobs: a post's fan-out to its audience, and a new follow's backfill.
import { performance } from 'node:perf_hooks'
import { rooms } from '@vernetzt/shared/realtime'
import { Types } from 'mongoose'
import type { ServiceContext } from '../../context.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { readStream } from '../../db/streams.ts'
import type { AppJobs } from '../../jobs/catalog.ts'
import { jobId, type JobDoc, type RunningJob } from '../../jobs/index.ts'
import type { MemberDoc } from '../accounts/index.ts'
import { followerChunks, isFollowing, pastFollowPeriods, rebuildFollowersList } from '../follows/index.ts'
import { rebuildRecruitsList, recruitChunks } from '../referrals/index.ts'
import { feedEnd, feedStream, feedWriter } from './feed-writer.ts'
import type { DeliveryProgressDoc, PostDoc } from './model.ts'

type FanOutJob = AppJobs['feed.fanout']
type BackfillJob = AppJobs['feed.backfill']

/** A new follow brings the followed person's feed posts of this many days, at most BACKFILL_MAX. */
export const BACKFILL_DAYS = 30
export const BACKFILL_MAX = 50
const MISSING_POST_TRIES = 4
/**
 * A large fan-out rests as long as each unit took (up to a limit) before the next: it takes at
 * most about half of the embedded database's serialised writer, so chat and sign-ups keep theirs.
 */
const REST_SHARE = 1
const REST_MAX_MS = 250

/**
 * Who sees an author's feed posts, in units of at most 1,000: the direct recruits and followers
 * lists chunk by chunk (db/lists.ts), then the sponsor. A member who joined before lists existed
 * gets them built once, here.
 */
async function audienceUnits(ctx: ServiceContext, author: Pick<MemberDoc, '_id' | 'sponsorId' | 'downlineSeq' | 'audienceListed'>) {
  if (!author.audienceListed) {
    await rebuildRecruitsList(ctx, author._id)
    await rebuildFollowersList(ctx, author._id)
    await ctx.models.Member.updateOne({ _id: author._id }, { $set: { audienceListed: true } })
  }
  const [recruits, followers] = await Promise.all([recruitChunks(ctx, author), followerChunks(ctx, author._id)])
  return [...recruits, ...followers, author.sponsorId ? [author.sponsorId] : []]
}

const encodeSince = (ends: Map<string, number>) => [...ends].map(([member, n]) => `${member}:${n}`).join(',')
const decodeSince = (text: string) =>
  new Map(text ? text.split(',').map((pair) => [pair.slice(0, pair.indexOf(':')), Number(pair.slice(pair.indexOf(':') + 1))]) : [])

/**
 * Delivers one unit of a job whose progress is `progressId`: a start record with each
 * recipient's feed end goes first (an insert), then the entries. `mayHaveStarted`: an earlier run
 * may have written part of this unit, so the feeds are checked above the recorded ends first.
 */
async function deliverUnit(
  ctx: ServiceContext,
  unit: { progressId: string; n: number; recipients: string[]; refs: Types.ObjectId[]; mayHaveStarted: boolean },
  hints: Map<string, Record<string, number>>,
): Promise<void> {
  const { DeliveryProgress } = ctx.models
  const writer = feedWriter(ctx)
  const startId = `${unit.progressId}@${unit.n}` as never
  const started = unit.mayHaveStarted ? ((await DeliveryProgress.collection.findOne({ _id: startId })) as DeliveryProgressDoc | null) : null
  let verify = started?.since !== undefined ? decodeSince(started.since) : undefined
  if (!verify) {
    const since = await writer.known(ctx, unit.recipients, hints)
    try {
      await DeliveryProgress.collection.insertOne({ _id: startId, since: encodeSince(since) })
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
      verify = since // another run got here first (this one lost its lease): check, do not repeat
    }
  }
  await writer.deliver(ctx, unit.recipients, unit.refs, { verify, hints })
}

/** Removes a finished job's progress records. */
async function forgetProgress(ctx: ServiceContext, progressId: string, units: number): Promise<void> {
  for (let n = 0; n < units; n++) await ctx.models.DeliveryProgress.collection.deleteOne({ _id: `${progressId}@${n}` as never })
  await ctx.models.DeliveryProgress.collection.deleteOne({ _id: progressId as never })
}

/**
 * Delivers a feed post to its audience, unit by unit, each written with insertMany. After a unit
 * the job notes it as done; a run after a crash skips the done units and checks the feeds of the
 * one that was in flight for the post, so every member gets the post once. The same member in
 * two lists (a recruit who also follows) gets it once.
 */
export async function fanOut(ctx: ServiceContext, job: RunningJob<FanOutJob>): Promise<void> {
  const { DeliveryProgress, Member, Post } = ctx.models
  const post = (await Post.collection.findOne({ _id: new Types.ObjectId(job.payload.postId) })) as PostDoc | null
  // Enqueued just before the post is written: a run that came first tries again shortly, and a
  // post that was never written (its request failed) is given up after a few tries.
  if (!post && job.attempt < MISSING_POST_TRIES) throw new Error(`post ${job.payload.postId} is not stored (yet)`)
  if (!post || post.status !== 'visible') return // gone before it was delivered; readers would skip it anyway
  const author = await Member.findById(post.authorId, { sponsorId: 1, downlineSeq: 1, audienceListed: 1, handle: 1 }).lean()
  if (!author) return
  const units = await audienceUnits(ctx, author as MemberDoc)
  const progressId = `fanout:${job.payload.postId}`
  const done = ((await DeliveryProgress.collection.findOne({ _id: progressId as never })) as DeliveryProgressDoc | null)?.done ?? 0
  const hints = new Map<string, Record<string, number>>()
  const seen = new Set([author._id.toString()])
  let rest = 0
  for (const [n, ids] of units.entries()) {
    const recipients = [...new Set(ids.map(String))].filter((id) => !seen.has(id))
    for (const id of recipients) seen.add(id)
    if (n < done || recipients.length === 0) continue
    if (job.signal.aborted) throw new Error('the lease on this fan-out was lost')
    if (n > done) await new Promise((r) => setTimeout(r, Math.min(REST_MAX_MS, rest * REST_SHARE)))
    const started = performance.now()
    await deliverUnit(ctx, { progressId, n, recipients, refs: [post._id], mayHaveStarted: n === done }, hints)
    await DeliveryProgress.collection.updateOne({ _id: progressId as never }, { $set: { done: n + 1 } }, { upsert: true })
    rest = performance.now() - started
    await ctx.events.publish('feed.delivered', { memberIds: recipients })
    ctx.realtime.to(recipients.map((id) => rooms.user(id))).emit('feed:new', { postId: post._id.toString(), author: author.handle })
  }
  feedWriter(ctx).flushSoon(ctx)
  await forgetProgress(ctx, progressId, units.length)
}

/**
 * Brings the followed person's recent feed posts into the new follower's feed, newest on top.
 * Left out: posts the follower has already (the author is their sponsor or recruit, or the post
 * came in while an earlier follow lasted) and posts from after the follow (the fan-out brings those).
 */
export async function backfill(ctx: ServiceContext, job: RunningJob<BackfillJob>): Promise<void> {
  const { followerId, followeeId } = job.payload
  if (!(await isFollowing(ctx, followerId, followeeId))) return
  const [follower, followee] = await Promise.all([
    ctx.models.Member.findById(followerId, { sponsorId: 1 }).lean(),
    ctx.models.Member.findById(followeeId, { sponsorId: 1, handle: 1 }).lean(),
  ])
  if (!follower || !followee || follower.sponsorId?.equals(followee._id) || followee.sponsorId?.equals(follower._id)) return
  const until = new Date(job.payload.at).getTime()
  const from = until - BACKFILL_DAYS * 86_400_000
  const periods = await pastFollowPeriods(ctx, followerId, followeeId)
  const hadIt = (t: number) => periods.some((p) => p.from.getTime() <= t && t <= p.to.getTime())
  let tooOld = false
  const page = await readStream(ctx, `profile:${followeeId}:pr`, { limit: BACKFILL_MAX, maxProbe: 200 }, async (refs) => {
    const posts = await Promise.all(refs.map((id) => ctx.models.Post.collection.findOne({ _id: id }) as Promise<PostDoc | null>))
    return posts.map((p) => {
      const t = p?.createdAt.getTime() ?? 0
      if (p && t < from) tooOld = true
      if (!p || tooOld || p.status !== 'visible' || p.area.type !== 'feed' || t >= until || hadIt(t)) return null
      return p
    })
  })
  // A post whose fan-out has not run yet reaches the follower through it (it reads the lists when
  // it runs); one whose fan-out runs now may or may not, so the backfill waits for it; and one
  // that a fan-out brought meanwhile is at the top of the follower's feed already.
  const fanOuts = await Promise.all(
    page.items.map((p) => ctx.models.Job.collection.findOne({ _id: jobId('feed.fanout', p._id.toString()) as never }) as Promise<JobDoc | null>),
  )
  if (fanOuts.some((j) => j?.state === 'running')) throw new Error('a fan-out of these posts is running; the backfill waits for it')
  const present = await recentRefs(ctx, followerId, BACKFILL_MAX * 2)
  const refs = page.items.filter((p, i) => fanOuts[i]?.state !== 'pending' && !present.has(p._id.toString())).map((p) => p._id)
  if (refs.length === 0) return
  const progressId = `backfill:${job.key}`
  await deliverUnit(ctx, { progressId, n: 0, recipients: [followerId], refs: [...refs].reverse(), mayHaveStarted: true }, new Map())
  feedWriter(ctx).flushSoon(ctx)
  await forgetProgress(ctx, progressId, 1)
  await ctx.events.publish('feed.delivered', { memberIds: [followerId] })
  ctx.realtime.to(rooms.user(followerId)).emit('feed:new', { postId: refs[0]!.toString(), author: followee.handle })
}

/** The posts of a member's newest `count` feed entries. */
async function recentRefs(ctx: ServiceContext, memberId: string, count: number): Promise<Set<string>> {
  const end = await feedEnd(ctx, memberId)
  const numbers = Array.from({ length: Math.min(count, end) }, (_, i) => end - i)
  const entries = await Promise.all(numbers.map((n) => ctx.models.StreamEntry.collection.findOne({ _id: `${feedStream(memberId)}#${n}` as never })))
  return new Set(entries.flatMap((e) => (e ? [String(e.ref)] : [])))
}

/**
 * Feed ends used to be stream heads (one document per feed); they are hints per partition now.
 * Copies the old heads once (a scan of the heads, at start-up) so existing feeds go on numbering
 * where they were.
 */
export async function migrateFeedHeads(ctx: ServiceContext): Promise<void> {
  const { FeedHint, StreamHead } = ctx.models
  const marker = 'feedhint:migrated'
  if (await FeedHint.collection.findOne({ _id: marker as never })) return
  const heads = await StreamHead.collection.find({ _id: { $regex: '^feed:' } as never }).toArray()
  const writer = feedWriter(ctx)
  const byMember = heads.map((h) => ({ member: String(h._id).slice(feedStream('').length), seq: h.seq }))
  if (byMember.length) {
    await writer.known(
      ctx,
      byMember.map((h) => h.member),
    )
    for (const h of byMember) writer.adopt(h.member, h.seq)
    await writer.flush(ctx)
  }
  await FeedHint.collection.insertOne({ _id: marker, h: {} } as never).catch(() => {})
}
