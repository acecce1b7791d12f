import { AppError } from '@vernetzt/shared/errors'
import type { ModerationActionBody, ModerationResult, PostingLimitBody, QueuePage, Report, ReportBody } from '@vernetzt/shared/schemas/moderation'
import { Types } from 'mongoose'
import { isSiteModerator, type Actor, type ServiceContext } from '../../context.ts'
import { append, readStream } from '../../db/streams.ts'
import { memberSummaries, toMemberSummary, findMemberByHandle, type MemberDoc } from '../accounts/index.ts'
import { type PostDoc, assertReadable, placePost, readablePost, toPost } from '../posts/index.ts'
import { type GroupDoc, manage, canModerateIn } from '../groups/index.ts'
import type { ReportDoc } from './model.ts'
import { isDuplicateKey } from '../../db/errors.ts'

export const QUEUE = 'moderation'
/** From this many reclassified posts on, the author gets a clear warning. */
export const WARN_AFTER_OFFENCES = 2

function requireModerator(actor: Actor): void {
  if (!isSiteModerator(actor)) throw new AppError('FORBIDDEN', 'Only moderators can do this.')
}

/** Admins moderate everything; a group's owner and moderators moderate the posts of their group. */
export function canModerate(ctx: ServiceContext, actor: Actor, post: Pick<PostDoc, 'area'>): Promise<boolean> {
  return canModerateIn(ctx, actor, post.area.type === 'group' ? post.area.groupId : null)
}

export const groupQueue = (groupId: Types.ObjectId | string) => `moderation:${groupId.toString()}`

function toReport(r: ReportDoc): Report {
  return { id: r._id, postId: r.postId.toString(), reason: r.reason, text: r.text, status: r.status, createdAt: r.createdAt.toISOString() }
}

/** Any member may report a post once; the post enters the moderation queue with its first open report. */
export async function reportPost(ctx: ServiceContext, actor: Actor, postId: string, input: ReportBody): Promise<Report> {
  const { Post, Report } = ctx.models
  // Outsiders of a private group cannot report (or learn of) its posts.
  const post = await readablePost(ctx, postId, actor)
  const id = `${post._id.toString()}:${actor.id}`
  try {
    await Report.create({ _id: id, postId: post._id, reporterId: new Types.ObjectId(actor.id), reason: input.reason, text: input.text ?? '' })
  } catch (error) {
    if (!isDuplicateKey(error)) throw error
    return toReport((await Report.findById(id).lean())!)
  }
  const after = (await Post.findOneAndUpdate({ _id: post._id }, { $push: { openReportIds: id } }, { returnDocument: 'after' }).lean()) as PostDoc | null
  if (after && after.openReportIds.length === 1) {
    const [seq] = await append(ctx, [QUEUE], post._id)
    // A group post also enters its group's own queue, for the group's moderators.
    if (post.area.type === 'group' && post.area.groupId) await append(ctx, [groupQueue(post.area.groupId)], post._id)
    await Post.updateOne({ _id: post._id }, { $set: { queueSeq: seq } })
  }
  return toReport((await Report.findById(id).lean())!)
}

/** Reported posts, newest report first, each with all its open reports. */
export async function moderationQueue(ctx: ServiceContext, actor: Actor, query: { cursor?: string; limit?: number; groupSlug?: string }): Promise<QueuePage> {
  const { Member, Post, Report } = ctx.models
  let stream = QUEUE
  let groupId: string | null = null
  if (query.groupSlug) {
    const group = await manage(ctx, actor, query.groupSlug)
    stream = groupQueue(group._id)
    groupId = group._id.toString()
  } else {
    requireModerator(actor)
  }
  const page = await readStream(ctx, stream, { cursor: query.cursor, limit: query.limit ?? 20 }, async (refs, seqs) =>
    Promise.all(
      refs.map(async (id, i) => {
        const post = (await Post.findById(id).lean()) as PostDoc | null
        if (!post || post.openReportIds.length === 0 || post.status === 'deleted') return null
        // A post reported again after a decision is queued anew; only its newest place counts.
        if (groupId) return post.area.groupId === groupId ? post : null
        return post.queueSeq === seqs[i] ? post : null
      }),
    ),
  )
  // In a group's queue a post can stand twice (reported, decided, reported again): show it once.
  const seen = new Set<string>()
  page.items = page.items.filter((p) => !seen.has(p._id.toString()) && seen.add(p._id.toString()))
  const items = await Promise.all(
    page.items.map(async (post) => {
      const author = await Member.findById(post.authorId).lean()
      const reports = (await Promise.all(post.openReportIds.map((id) => Report.findById(id).lean()))).filter((r) => r !== null)
      const reporters = await memberSummaries(
        ctx,
        reports.map((r) => r.reporterId),
      )
      return {
        post: { ...toPost(post, toMemberSummary(author!)), status: post.status },
        reports: reports.flatMap((r) => {
          const reporter = reporters.get(r.reporterId.toString())
          return reporter ? [{ id: r._id, reason: r.reason, text: r.text, reporter, createdAt: r.createdAt.toISOString() }] : []
        }),
        authorOffences: (author as MemberDoc | null)?.adOffences ?? 0,
      }
    }),
  )
  return { items, nextCursor: page.nextCursor }
}

/**
 * A moderator's decision about a reported post: reclassify a PR post as an ad (it leaves the
 * feeds and moves to the marketplace or the author's offers), hide it, or dismiss the reports.
 * Every decision is logged with who and why; the author is told about reclassify and hide.
 */
export async function moderate(ctx: ServiceContext, actor: Actor, postId: string, input: ModerationActionBody): Promise<ModerationResult> {
  const { Audit, Member, Post, Report } = ctx.models
  const post = (await Post.findById(postId).lean()) as PostDoc | null
  if (!post || post.status === 'deleted') throw new AppError('POST_NOT_FOUND', 'This post does not exist.')
  if (!(await canModerate(ctx, actor, post))) {
    await assertReadable(ctx, post, actor)
    throw new AppError('FORBIDDEN', 'Only moderators can do this.')
  }
  if (post.openReportIds.length === 0) throw new AppError('REPORT_CLOSED', 'This post has no open reports; someone decided already.')
  const author = (await Member.findById(post.authorId).lean()) as MemberDoc | null
  if (!author) throw new AppError('POST_NOT_FOUND', 'This post does not exist.')
  let offences = author.adOffences ?? 0

  if (input.action === 'reclassify') {
    if (post.kind !== 'pr') throw new AppError('CANNOT_RECLASSIFY', 'Only a PR post can be reclassified as advertising.')
    // A group post moves to the group's ad channel if it has one; otherwise partners' ads go to
    // the marketplace and a customer's to their own offers tab.
    const group = post.area.type === 'group' && post.area.groupId ? ((await ctx.models.Group.findById(post.area.groupId).lean()) as GroupDoc | null) : null
    const area: PostDoc['area'] = group?.adsAllowed
      ? { type: 'group', groupId: group._id.toString() }
      : { type: author.role === 'partner' ? 'marketplace' : 'profile' }
    await Post.updateOne({ _id: post._id }, { $set: { kind: 'ad', area } })
    await placePost(ctx, { ...post, kind: 'ad', area }, author)
    const updated = await Member.findOneAndUpdate({ _id: author._id }, { $inc: { adOffences: 1 } }, { returnDocument: 'after' }).lean()
    offences = (updated as MemberDoc | null)?.adOffences ?? offences + 1
  } else if (input.action === 'hide') {
    await Post.updateOne({ _id: post._id }, { $set: { status: 'hidden' } })
  }

  const status = input.action === 'dismiss' ? 'dismissed' : 'upheld'
  for (const id of post.openReportIds) {
    await Report.updateOne({ _id: id }, { $set: { status, resolvedBy: new Types.ObjectId(actor.id), resolvedAt: new Date() } })
  }
  await Post.updateOne({ _id: post._id }, { $set: { openReportIds: [], queueSeq: null } })
  await Audit.create({
    actorId: new Types.ObjectId(actor.id),
    action: `post.${input.action}`,
    subjectId: post._id,
    reason: input.reason,
    data: { reports: post.openReportIds, authorId: author._id, from: { kind: post.kind, area: post.area.type } },
  })

  const warned = input.action === 'reclassify' && offences >= WARN_AFTER_OFFENCES
  await ctx.events.publish('post.moderated', {
    postId: post._id.toString(),
    authorId: author._id.toString(),
    action: input.action,
    reason: input.reason,
    moderatorId: actor.id,
    authorOffences: offences,
    authorWarned: warned,
  })
  return { postId: post._id.toString(), action: input.action, resolvedReports: post.openReportIds.length, authorOffences: offences, authorWarned: warned }
}

/** An admin limits a member's posting to feeds for `days` days (0 lifts the limit). */
export async function limitPosting(ctx: ServiceContext, actor: Actor, handle: string, input: PostingLimitBody) {
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an administrator can limit posting.')
  const member = await findMemberByHandle(ctx, handle)
  if (!member) throw new AppError('PROFILE_NOT_FOUND', `There is no profile "${handle}".`)
  const until = input.days > 0 ? new Date(Date.now() + input.days * 86_400_000) : null
  await ctx.models.Member.updateOne({ _id: member._id }, { $set: { postingLimitedUntil: until } })
  await ctx.models.Audit.create({
    actorId: new Types.ObjectId(actor.id),
    action: 'member.limit-posting',
    subjectId: member._id,
    reason: input.reason,
    data: { days: input.days },
  })
  await ctx.events.publish('member.posting_limited', { memberId: member._id.toString(), until: until?.toISOString() ?? null, reason: input.reason })
  return { handle: member.handle, limitedUntil: until?.toISOString() ?? null }
}
