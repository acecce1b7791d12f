import { AppError } from '@vernetzt/shared/errors'
import type { Actor, ServiceContext } from '../../context.ts'
import { canSeeGroup } from '../groups/index.ts'
import type { PostDoc } from './model.ts'

/** Whether a member may read a post: everywhere public, except in a private group's area. */
export async function canSeePost(ctx: ServiceContext, post: Pick<PostDoc, 'area'>, memberId: string | null): Promise<boolean> {
  if (post.area.type !== 'group' || !post.area.groupId) return true
  return canSeeGroup(ctx, post.area.groupId, memberId)
}

/**
 * A visible post for this reader, or POST_NOT_FOUND: a private group's post answers outsiders
 * (also anonymous callers and guessed ids) exactly like a post that does not exist.
 */
export async function readablePost(ctx: ServiceContext, postId: string, reader: Actor | null): Promise<PostDoc> {
  const post = (await ctx.models.Post.findById(postId).lean()) as PostDoc | null
  if (!post) throw new AppError('POST_NOT_FOUND', 'This post does not exist.')
  await assertReadable(ctx, post, reader)
  return post
}

/** The same rule for a post already read: POST_NOT_FOUND unless the reader may see it. */
export async function assertReadable(ctx: ServiceContext, post: Pick<PostDoc, 'status' | 'area'>, reader: Actor | null): Promise<void> {
  if (post.status !== 'visible' || (post.area.type === 'group' && reader?.role !== 'admin' && !(await canSeePost(ctx, post, reader?.id ?? null)))) {
    throw new AppError('POST_NOT_FOUND', 'This post does not exist.')
  }
}
