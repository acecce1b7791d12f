import { rooms } from '@vernetzt/shared/realtime'
import type { ModuleSubscription } from '../../context.ts'
import { tick } from './service.ts'

/** The onboarding checklist ticks itself from what members do elsewhere. */
export const onboardingSubscription: ModuleSubscription = {
  module: 'onboarding',
  subscribers: {
    'profile.updated': async (ctx, e) => {
      if (e.complete) await tick(ctx, e.memberId, 'profile')
    },
    'profile.avatar_changed': async (ctx, e) => {
      await tick(ctx, e.memberId, 'photo', new Date(e.at))
    },
    'post.created': async (ctx, e) => {
      // Any PR post counts as the first one (ads never do); posting in the team group is being in it.
      if (e.kind === 'pr') await tick(ctx, e.authorId, 'firstPrPost', new Date(e.createdAt))
      if (e.group?.kind === 'team' && e.group.ownerId !== e.authorId) await tick(ctx, e.authorId, 'teamGroup', new Date(e.createdAt))
    },
    // Team membership comes with the join graph, so nobody "joins" a team group: the step is the
    // first time a member of the downline opens it (or posts in it), which shows they found their team.
    'group.visited': async (ctx, e) => {
      if (e.kind === 'team') await tick(ctx, e.memberId, 'teamGroup')
    },
    'lesson.completed': async (ctx, e) => {
      await tick(ctx, e.memberId, 'firstLesson', new Date(e.at))
    },
    // The member's and the direct sponsor's open tabs get the checklist as it is now.
    'onboarding.updated': (ctx, e) => {
      const to = [rooms.user(e.checklist.member.id), ...(e.sponsorId ? [rooms.user(e.sponsorId)] : [])]
      ctx.realtime.to(to).emit('onboarding:update', e.checklist)
    },
  },
}
