import type { ModuleSubscription } from '../../context.ts'
import { cardMemo } from './dto.ts'
import { sendVerification } from './email.ts'
import { sessionMemo } from './sessions.ts'

/** What this node remembers of sessions and members is forgotten on every node when it changes. */
export const accountSubscription: ModuleSubscription = {
  module: 'accounts',
  subscribers: {
    // Someone who signed up gets the mail that confirms their address (members added by scripts do not).
    'member.joined': async (ctx, e) => {
      if (e.via !== 'register') return
      const member = await ctx.models.Member.findById(e.memberId, { email: 1, displayName: 1, lang: 1 }).lean()
      if (member) await sendVerification(ctx, member)
    },
  },
  everyNode: {
    'session.ended': (ctx, e) => sessionMemo(ctx).forget(e.sessionId),
    'member.access_changed': (ctx, e) => {
      // A role (later: a suspension) lives in every session of the member: forget them all, it is rare.
      sessionMemo(ctx).forgetAll()
      cardMemo(ctx).forget(e.memberId)
    },
    'profile.updated': (ctx, e) => cardMemo(ctx).forget(e.memberId),
    'profile.avatar_changed': (ctx, e) => cardMemo(ctx).forget(e.memberId),
    'member.moved': (ctx, e) => cardMemo(ctx).forget(e.memberId),
  },
}
