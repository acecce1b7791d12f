import type { ModuleSubscription } from '../../context.ts'
import { cardMemo } from './dto.ts'
import { sessionMemo } from './sessions.ts'

/** What this node remembers of sessions and members is forgotten on every node when it changes. */
export const accountSubscription: ModuleSubscription = {
  module: 'accounts',
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
