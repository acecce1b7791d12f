import { scoreAd } from '@vernetzt/shared/ad-detector'
import { AppError } from '@vernetzt/shared/errors'
import { isBlankHtml, renderMarkdown } from '@vernetzt/shared/markdown'
import type { MemberSummary } from '@vernetzt/shared/schemas/common'
import { AD_AREAS, type CreatePostBody, type EditPostBody, type Post } from '@vernetzt/shared/schemas/posts'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { append } from '../../db/streams.ts'
import { memberSummaries, toMemberSummary, type MemberDoc } from '../accounts/index.ts'
import { groupForPost, manage, canModerateIn } from '../groups/index.ts'
import { bindMedia, groupAudience, mediaReferences, postAudience } from '../media/index.ts'
import { feedStream, feedWriter } from './feed-writer.ts'
import type { PostDoc } from './model.ts'
import { assertReadable, readablePost } from './visibility.ts'

/** Where posts are listed. All feeds go through this module, so the strategy can change in one place. */
export const streams = {
  feed: feedStream,
  profile: (memberId: Types.ObjectId | string, kind: 'pr' | 'ad') => `profile:${memberId.toString()}:${kind}`,
  marketplace: 'market',
  group: (groupId: Types.ObjectId | string, kind: 'pr' | 'ad') => `group:${groupId.toString()}:${kind}`,
} as const

const AD_AREA_NAMES = 'the marketplace, the offers tab of your profile, or a group whose owner switched on its ad channel'

/** The server's rule: ads only in ad areas, only by partners; the marketplace is for ads only. */
export function checkPlacement(kind: 'pr' | 'ad', areaType: string, role: MemberDoc['role']): void {
  if (kind === 'ad') {
    if (!(AD_AREAS as readonly string[]).includes(areaType) && areaType !== 'group') {
      throw new AppError('AD_NOT_ALLOWED_HERE', `Advertising is not allowed here. Post it in ${AD_AREA_NAMES}.`, {
        allowedAreas: ['marketplace', 'profile', 'group'],
      })
    }
    if (role !== 'partner') throw new AppError('ONLY_PARTNERS_ADVERTISE', 'Only partners can post advertising.')
  } else if (areaType === 'marketplace') {
    throw new AppError('MARKETPLACE_IS_FOR_ADS', 'The marketplace is for advertising only. Post public relations in your feed or on your profile.')
  }
}

/** Rendered, sanitized HTML of a text, refused when nothing of it would show. */
export function renderVisible(body: string, field = 'body'): string {
  const html = renderMarkdown(body)
  if (isBlankHtml(html))
    throw new AppError('CONTENT_EMPTY', 'Nothing of this text can be shown (scripts, frames and styles are removed). Write some text.', { field })
  return html
}

export function toPost(post: PostDoc, author: MemberSummary): Post {
  return {
    id: post._id.toString(),
    author,
    kind: post.kind,
    area: post.area.groupId ? { type: post.area.type, groupId: post.area.groupId } : { type: post.area.type },
    body: post.body,
    html: post.html,
    adScore: post.adScore,
    likeCount: post.likeCount,
    commentCount: post.commentCount,
    createdAt: post.createdAt.toISOString(),
    editedAt: post.editedAt ? post.editedAt.toISOString() : null,
  }
}

export async function withAuthors(ctx: ServiceContext, posts: PostDoc[]): Promise<Post[]> {
  const byId = await memberSummaries(
    ctx,
    posts.map((p) => p.authorId),
  )
  return posts.filter((p) => byId.has(p.authorId.toString())).map((p) => toPost(p, byId.get(p.authorId.toString())!))
}

export async function postsByIds(ctx: ServiceContext, ids: Types.ObjectId[]): Promise<Array<PostDoc | null>> {
  // The driver directly: a feed page reads 20 posts by _id, and mongoose's per-query cost shows.
  return Promise.all(ids.map((id) => ctx.models.Post.collection.findOne({ _id: id }) as Promise<PostDoc | null>))
}

export async function createPost(ctx: ServiceContext, actor: Actor, input: CreatePostBody): Promise<Post> {
  const author = (await ctx.models.Member.findById(actor.id).lean()) as MemberDoc | null
  if (!author) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  const limitedUntil = author.postingLimitedUntil
  if (limitedUntil && limitedUntil.getTime() > Date.now() && input.area.type === 'feed') {
    throw new AppError('POSTING_LIMITED', `An administrator limited your posting to feeds until ${limitedUntil.toISOString()}.`, {
      until: limitedUntil.toISOString(),
    })
  }
  checkPlacement(input.kind, input.area.type, author.role)
  const html = renderVisible(input.body)
  const group = input.area.type === 'group' ? await groupForPost(ctx, actor, input.area.groupId, input.kind) : null
  const score = scoreAd(input.body)
  const _id = new Types.ObjectId()
  // The delivery job is stored first, so a crash right after the post is written loses no delivery
  // (the job finds the post, or retries a few times and gives up if it never came).
  if (input.kind === 'pr' && input.area.type === 'feed') await ctx.jobs.enqueue('feed.fanout', _id.toString(), { postId: _id.toString() })
  const post = (
    await ctx.models.Post.create({
      _id,
      authorId: author._id,
      kind: input.kind,
      area: group ? { type: 'group', groupId: group._id.toString() } : { type: input.area.type },
      body: input.body,
      html,
      adScore: score.score,
      adSignals: score.signals,
    })
  ).toObject() as PostDoc
  await bindMedia(ctx, actor, mediaReferences(input.body), group ? groupAudience(group) : { public: true })
  await place(ctx, post, author)
  await ctx.events.publish('post.created', {
    postId: post._id.toString(),
    authorId: author._id.toString(),
    authorHandle: author.handle,
    kind: post.kind,
    body: post.body,
    createdAt: post.createdAt.toISOString(),
    group: group ? { id: group._id.toString(), kind: group.kind, ownerId: group.ownerId.toString() } : null,
  })
  return toPost(post, toMemberSummary(author))
}

/**
 * Lists a post where it belongs. A feed post is in the author's own feed at once; its delivery to
 * followers, sponsor and direct recruits is a durable job (delivery.ts), so the answer does not
 * wait for the audience, however large.
 */
async function place(ctx: ServiceContext, post: PostDoc, author: MemberDoc): Promise<void> {
  if (post.area.type === 'group' && post.area.groupId) {
    // Group posts stay in the group (its PR feed or its ad channel); members' home feeds read
    // them from there, so they never show outside the group.
    await append(ctx, [streams.group(post.area.groupId, post.kind)], post._id)
    return
  }
  if (post.kind === 'ad') {
    await append(
      ctx,
      post.area.type === 'marketplace' ? [streams.marketplace, streams.profile(author._id, 'ad')] : [streams.profile(author._id, 'ad')],
      post._id,
    )
    return
  }
  await append(ctx, [streams.profile(author._id, 'pr')], post._id)
  if (post.area.type !== 'feed') return
  const writer = feedWriter(ctx)
  await writer.deliver(ctx, [author._id.toString()], [post._id])
  writer.flushSoon(ctx)
  await ctx.events.publish('feed.delivered', { memberIds: [author._id.toString()] })
}

/** Someone who may not read a post learns nothing of it; someone who may, learns they cannot change it. */
async function refuseChange(ctx: ServiceContext, actor: Actor, post: PostDoc): Promise<never> {
  await assertReadable(ctx, post, actor)
  throw new AppError('NOT_AUTHOR', 'Only the author can change this post.')
}

async function ownPost(ctx: ServiceContext, actor: Actor, id: string): Promise<PostDoc> {
  const post = (await ctx.models.Post.findById(id).lean()) as PostDoc | null
  if (!post || post.status === 'deleted') throw new AppError('POST_NOT_FOUND', 'This post does not exist.')
  if (!post.authorId.equals(actor.id) && actor.role !== 'admin') return refuseChange(ctx, actor, post)
  return post
}

export async function getPost(ctx: ServiceContext, reader: Actor | null, id: string): Promise<Post> {
  const post = await readablePost(ctx, id, reader)
  const [dto] = await withAuthors(ctx, [post])
  if (!dto) throw new AppError('POST_NOT_FOUND', 'This post does not exist.')
  return dto
}

/** Edits keep every earlier version; the new text is rendered and scored again. */
export async function editPost(ctx: ServiceContext, actor: Actor, id: string, input: EditPostBody): Promise<Post> {
  const post = await ownPost(ctx, actor, id)
  const html = renderVisible(input.body)
  const score = scoreAd(input.body)
  const now = new Date()
  await ctx.models.Post.updateOne(
    { _id: post._id },
    {
      $set: { body: input.body, html, adScore: score.score, adSignals: score.signals, editedAt: now },
      $push: { history: { body: post.body, editedAt: now } },
    },
  )
  await bindMedia(ctx, { id: post.authorId }, mediaReferences(input.body), await postAudience(ctx, post))
  await publishChange(ctx, post, 'edited')
  return getPost(ctx, actor, id)
}

/**
 * Soft delete: the post stays for moderation records but leaves every listing at once. A
 * group's owner and moderators may remove posts in their group (hidden, and audited).
 */
export async function deletePost(ctx: ServiceContext, actor: Actor, id: string): Promise<void> {
  const post = (await ctx.models.Post.findById(id).lean()) as PostDoc | null
  if (!post || post.status === 'deleted') throw new AppError('POST_NOT_FOUND', 'This post does not exist.')
  if (post.authorId.equals(actor.id) || actor.role === 'admin') {
    await ctx.models.Post.updateOne({ _id: post._id }, { $set: { status: 'deleted' } })
    return publishChange(ctx, post, 'deleted')
  }
  if (!(await canModerateIn(ctx, actor, post.area.type === 'group' ? post.area.groupId : null))) return refuseChange(ctx, actor, post)
  await ctx.models.Post.updateOne({ _id: post._id }, { $set: { status: 'hidden' } })
  await ctx.models.Audit.create({
    actorId: new Types.ObjectId(actor.id),
    action: 'group.post.remove',
    subjectId: post._id,
    reason: '',
    data: { groupId: post.area.groupId },
  })
  await publishChange(ctx, post, 'removed')
}

function publishChange(ctx: ServiceContext, post: PostDoc, change: 'edited' | 'deleted' | 'removed'): Promise<void> {
  return ctx.events.publish('post.changed', {
    postId: post._id.toString(),
    authorId: post.authorId.toString(),
    groupId: post.area.type === 'group' ? (post.area.groupId ?? null) : null,
    kind: post.kind,
    change,
  })
}

/** A group's owner and moderators pin up to three posts at the top of the group's feed. */
export async function pinPost(ctx: ServiceContext, actor: Actor, slug: string, postId: string, pinned: boolean): Promise<{ pinnedPostIds: string[] }> {
  const group = await manage(ctx, actor, slug)
  const post = (await ctx.models.Post.findById(postId).lean()) as PostDoc | null
  if (!post || post.status !== 'visible' || post.area.groupId !== group._id.toString()) throw new AppError('POST_NOT_FOUND', 'This post is not in the group.')
  const rest = group.pinnedPostIds.filter((id) => !id.equals(post._id))
  const pins = pinned ? [post._id, ...rest].slice(0, 3) : rest
  await ctx.models.Group.updateOne({ _id: group._id }, { $set: { pinnedPostIds: pins } })
  await ctx.events.publish('group.pins_changed', { groupId: group._id.toString() })
  return { pinnedPostIds: pins.map(String) }
}

export { place as placePost }
