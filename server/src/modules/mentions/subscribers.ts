import type { ModuleSubscription } from '../../context.ts'
import { canSeePost } from '../posts/index.ts'
import { notifyMentions } from './service.ts'

/** Mentions in posts and comments (the chat's own notices handle mentions in messages, see messaging/notices.ts). */
export const mentionSubscription: ModuleSubscription = {
  module: 'mentions',
  subscribers: {
    'post.created': async (ctx, e) => {
      // Mentions in advertising would be a way to page people with ads: only PR posts notify.
      if (e.kind !== 'pr') return
      const area = e.group ? { type: 'group' as const, groupId: e.group.id } : { type: 'feed' as const }
      await notifyMentions(ctx, e.authorId, e.body, {
        type: 'post.mention',
        where: 'post',
        data: { postId: e.postId },
        canSee: (member) => canSeePost(ctx, { area }, member._id.toString()),
      })
    },
    'comment.created': async (ctx, e) => {
      // The post's and the parent comment's authors were told of the comment already.
      const skip = new Set([e.postAuthorId, ...(e.parentAuthorId ? [e.parentAuthorId] : [])])
      await notifyMentions(ctx, e.authorId, e.body, {
        type: 'comment.mention',
        where: 'comment',
        data: { postId: e.postId, commentId: e.commentId },
        skip,
        canSee: (member) => canSeePost(ctx, { area: e.postArea }, member._id.toString()),
      })
    },
  },
}
