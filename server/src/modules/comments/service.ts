import { AppError } from '@vernetzt/shared/errors'
import type { Comment, CommentBody, CommentPage, LikeState } from '@vernetzt/shared/schemas/comments'
import type { MemberSummary } from '@vernetzt/shared/schemas/common'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { append, readStream } from '../../db/streams.ts'
import { memberSummaries } from '../accounts/index.ts'
import { bindMedia, mediaReferences, postAudience } from '../media/index.ts'
import { readablePost, renderVisible } from '../posts/index.ts'
import type { CommentDoc } from './model.ts'
import { isDuplicateKey } from '../../db/errors.ts'

const FIRST_REPLIES = 20
const threadStream = (postId: Types.ObjectId | string) => `comments:${postId.toString()}`
const repliesStream = (commentId: Types.ObjectId | string) => `replies:${commentId.toString()}`

/** A post the reader may see: a private group's posts (and their comments) only for its members. */
const visiblePost = readablePost

function core(c: CommentDoc, authors: Map<string, MemberSummary>) {
  return {
    id: c._id.toString(),
    postId: c.postId.toString(),
    parentId: c.parentId?.toString() ?? null,
    author: authors.get(c.authorId.toString())!,
    // A deleted comment keeps its place in the thread, without its text.
    html: c.deleted ? '' : c.html,
    deleted: c.deleted,
    createdAt: c.createdAt.toISOString(),
  }
}

async function toComments(ctx: ServiceContext, comments: CommentDoc[]): Promise<Comment[]> {
  const replies = await Promise.all(
    comments.map(
      async (c) => (await Promise.all(c.firstReplyIds.map((id) => ctx.models.Comment.findById(id).lean()))).filter((r) => r !== null) as CommentDoc[],
    ),
  )
  const authors = await memberSummaries(
    ctx,
    [...comments, ...replies.flat()].map((c) => c.authorId),
  )
  return comments.map((c, i) => ({
    ...core(c, authors),
    replyCount: c.replyCount,
    replies: replies[i]!.filter((r) => authors.has(r.authorId.toString())).map((r) => core(r, authors)),
  }))
}

/** Comments are markdown like posts; a reply answers a top-level comment (one level deep). */
export async function addComment(ctx: ServiceContext, actor: Actor, postId: string, input: CommentBody): Promise<Comment> {
  const { Comment: Comments, Post } = ctx.models
  const post = await visiblePost(ctx, postId, actor)
  const html = renderVisible(input.body)
  let parent: CommentDoc | null = null
  if (input.parentId) {
    parent = (await Comments.findById(input.parentId).lean()) as CommentDoc | null
    if (!parent || !parent.postId.equals(post._id) || parent.deleted)
      throw new AppError('COMMENT_NOT_FOUND', 'The comment you reply to does not exist.', { field: 'parentId' })
    if (parent.parentId) throw new AppError('REPLY_TOO_DEEP', 'Replies go to the top-level comment; threads are one level deep.', { field: 'parentId' })
  }
  const comment = (
    await Comments.create({
      postId: post._id,
      parentId: parent?._id ?? null,
      authorId: new Types.ObjectId(actor.id),
      body: input.body,
      html,
    })
  ).toObject() as CommentDoc
  await bindMedia(ctx, actor, mediaReferences(input.body), await postAudience(ctx, post))
  if (parent) {
    const after = (await Comments.findOneAndUpdate({ _id: parent._id }, { $inc: { replyCount: 1 } }, { returnDocument: 'after' }).lean()) as CommentDoc | null
    if (after && after.replyCount <= FIRST_REPLIES) await Comments.updateOne({ _id: parent._id }, { $push: { firstReplyIds: comment._id } })
    await append(ctx, [repliesStream(parent._id)], comment._id)
  } else {
    await append(ctx, [threadStream(post._id)], comment._id)
  }
  await Post.updateOne({ _id: post._id }, { $inc: { commentCount: 1 } })
  // Notices to the post's and parent comment's authors, and to anyone mentioned, are subscribers.
  await ctx.events.publish('comment.created', {
    commentId: comment._id.toString(),
    postId: post._id.toString(),
    postArea: post.area,
    postAuthorId: post.authorId.toString(),
    parentAuthorId: parent?.authorId.toString() ?? null,
    authorId: actor.id,
    authorHandle: actor.handle,
    body: input.body,
  })
  const [dto] = await toComments(ctx, [comment])
  return dto!
}

export async function listComments(
  ctx: ServiceContext,
  reader: Actor | null,
  postId: string,
  query: { cursor?: string; limit?: number },
): Promise<CommentPage> {
  const post = await visiblePost(ctx, postId, reader)
  const page = await readStream(ctx, threadStream(post._id), { cursor: query.cursor, limit: query.limit ?? 20 }, async (refs) =>
    Promise.all(refs.map(async (id) => (await ctx.models.Comment.findById(id).lean()) as CommentDoc | null)),
  )
  return { items: await toComments(ctx, page.items), nextCursor: page.nextCursor }
}

export async function listReplies(
  ctx: ServiceContext,
  reader: Actor | null,
  commentId: string,
  query: { cursor?: string; limit?: number },
): Promise<CommentPage> {
  const parent = (await ctx.models.Comment.findById(commentId).lean()) as CommentDoc | null
  if (!parent) throw new AppError('COMMENT_NOT_FOUND', 'This comment does not exist.')
  // A comment under a post the reader may not see answers like a missing comment, not like a
  // missing post (which would tell that the comment exists).
  await visiblePost(ctx, parent.postId.toString(), reader).catch(() => {
    throw new AppError('COMMENT_NOT_FOUND', 'This comment does not exist.')
  })
  const page = await readStream(ctx, repliesStream(parent._id), { cursor: query.cursor, limit: query.limit ?? 20 }, async (refs) =>
    Promise.all(refs.map(async (id) => (await ctx.models.Comment.findById(id).lean()) as CommentDoc | null)),
  )
  return { items: await toComments(ctx, page.items), nextCursor: page.nextCursor }
}

export async function deleteComment(ctx: ServiceContext, actor: Actor, commentId: string): Promise<void> {
  const comment = (await ctx.models.Comment.findById(commentId).lean()) as CommentDoc | null
  if (!comment || comment.deleted) throw new AppError('COMMENT_NOT_FOUND', 'This comment does not exist.')
  if (!comment.authorId.equals(actor.id) && actor.role !== 'admin') {
    // Whoever cannot read the post learns nothing of its comments either.
    await visiblePost(ctx, comment.postId.toString(), actor).catch(() => {
      throw new AppError('COMMENT_NOT_FOUND', 'This comment does not exist.')
    })
    throw new AppError('NOT_AUTHOR', 'Only the author can delete this comment.')
  }
  await ctx.models.Comment.updateOne({ _id: comment._id }, { $set: { deleted: true } })
  await ctx.models.Post.updateOne({ _id: comment.postId }, { $inc: { commentCount: -1 } })
}

const likeId = (postId: Types.ObjectId, actorId: string) => `${postId.toString()}:${actorId}`

export async function like(ctx: ServiceContext, actor: Actor, postId: string, liked: boolean): Promise<LikeState> {
  const post = await visiblePost(ctx, postId, actor)
  const id = likeId(post._id, actor.id)
  let changed = false
  if (liked) {
    try {
      await ctx.models.Like.create({ _id: id })
      changed = true
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
    }
  } else {
    changed = (await ctx.models.Like.deleteOne({ _id: id })).deletedCount === 1
  }
  const after = changed
    ? await ctx.models.Post.findOneAndUpdate({ _id: post._id }, { $inc: { likeCount: liked ? 1 : -1 } }, { returnDocument: 'after' }).lean()
    : post
  return { liked, likeCount: after?.likeCount ?? 0 }
}
