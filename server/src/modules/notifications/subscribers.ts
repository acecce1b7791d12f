import type { ModuleSubscription } from '../../context.ts'
import { canSeeGroup } from '../groups/index.ts'
import { notify } from './service.ts'
import { noticeText } from './texts.ts'

/**
 * What members are told when something happens to them. The chat's "new message" notices live
 * with messaging (they depend on who is reading), mentions with the mentions module.
 */
export const notificationSubscription: ModuleSubscription = {
  module: 'notifications',
  subscribers: {
    // The post's author hears of comments, the comment's author of replies; nobody of their own.
    'comment.created': async (ctx, e) => {
      const data = { postId: e.postId, commentId: e.commentId }
      if (e.parentAuthorId && e.parentAuthorId !== e.authorId) {
        await notify(ctx, e.parentAuthorId, { type: 'comment.reply', text: noticeText('notice.comment.reply', { handle: e.authorHandle }), data })
      }
      if (e.postAuthorId !== e.authorId && e.postAuthorId !== e.parentAuthorId) {
        await notify(ctx, e.postAuthorId, { type: 'post.comment', text: noticeText('notice.post.comment', { handle: e.authorHandle }), data })
      }
    },
    'group.join_requested': (ctx, e) =>
      notify(ctx, e.ownerId, {
        type: 'group.request',
        text: noticeText('notice.group.request', { handle: e.memberHandle, group: e.groupName }),
        data: { group: e.slug, handle: e.memberHandle },
      }),
    'group.request_decided': (ctx, e) =>
      notify(ctx, e.memberId, {
        type: e.approved ? 'group.approved' : 'group.declined',
        text: noticeText(e.approved ? 'notice.group.approved' : 'notice.group.declined', { group: e.groupName }),
        data: { group: e.slug },
      }),
    'group.invited': (ctx, e) =>
      notify(ctx, e.memberId, {
        type: 'group.invite',
        text: noticeText('notice.group.invite', { handle: e.byHandle, group: e.groupName }),
        data: { group: e.slug },
      }),
    'lesson.completed': async (ctx, e) => {
      const data = { lessonId: e.lessonId, group: e.groupSlug, handle: e.memberHandle }
      if (e.groupOwnerId !== e.memberId) {
        await notify(ctx, e.groupOwnerId, {
          type: 'lesson.completed',
          text: noticeText('notice.lesson.owner', { handle: e.memberHandle, title: e.lessonTitle }),
          data,
        })
      }
      // The recruit's sponsor hears of every lesson they finish, once: not when the sponsor leads
      // the course (the owner's notice told them). The title is named only if the sponsor may see
      // the group; someone else's private course stays private.
      const me = await ctx.models.Member.findById(e.memberId, { sponsorId: 1 }).lean()
      const sponsorId = me?.sponsorId?.toString()
      if (!sponsorId || sponsorId === e.groupOwnerId) return
      const sponsor = await ctx.models.Member.findById(sponsorId, { isRoot: 1 }).lean()
      if (!sponsor || sponsor.isRoot) return
      const named = await canSeeGroup(ctx, e.groupId, sponsorId)
      await notify(ctx, sponsorId, {
        type: 'lesson.completed',
        text: named
          ? noticeText('notice.lesson.sponsor', { handle: e.memberHandle, title: e.lessonTitle })
          : noticeText('notice.lesson.sponsorUnnamed', { handle: e.memberHandle }),
        data: named ? data : { handle: e.memberHandle },
      })
    },
    'post.moderated': async (ctx, e) => {
      if (e.action === 'hide' || e.action === 'reclassify') {
        await notify(ctx, e.authorId, { type: `post.${e.action}`, text: noticeText(`notice.post.${e.action}`), data: { postId: e.postId, reason: e.reason } })
      }
      if (e.authorWarned) {
        await notify(ctx, e.authorId, {
          type: 'moderation.warning',
          text: noticeText('notice.moderation.warning', { n: e.authorOffences }),
          data: { offences: String(e.authorOffences) },
        })
      }
    },
    'member.posting_limited': (ctx, e) =>
      notify(ctx, e.memberId, {
        type: 'moderation.limit',
        text: e.until ? noticeText('notice.moderation.limit', { until: new Date(e.until), reason: e.reason }) : noticeText('notice.moderation.unlimit'),
        data: { until: e.until ?? '' },
      }),
    'conversation.welcomed': (ctx, e) =>
      notify(ctx, e.sponsorId, {
        type: 'team.recruit',
        text: noticeText('notice.team.recruit', { name: e.recruitName, handle: e.recruitHandle }),
        data: { handle: e.recruitHandle, conversationId: e.conversationId },
      }),
    // The sponsor hears when a customer of theirs becomes a partner in their team.
    'member.became_partner': async (ctx, e) => {
      if (!e.sponsorId) return
      const sponsor = await ctx.models.Member.findById(e.sponsorId, { isRoot: 1 }).lean()
      if (!sponsor || sponsor.isRoot) return
      await notify(ctx, e.sponsorId, {
        type: 'team.partner',
        text: noticeText('notice.team.partner', { name: e.displayName, handle: e.handle }),
        data: { handle: e.handle },
      })
    },
    'onboarding.updated': async (ctx, e) => {
      if (!e.completedNow || !e.sponsorId) return
      const { member } = e.checklist
      await notify(ctx, e.sponsorId, {
        type: 'onboarding.complete',
        text: noticeText('notice.onboarding.complete', { name: member.displayName, handle: member.handle }),
        data: { handle: member.handle },
      })
    },
  },
}
