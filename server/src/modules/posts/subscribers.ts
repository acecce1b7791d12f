import type { ModuleSubscription } from '../../context.ts'

/** A new follow brings the followed person's recent posts into the follower's feed (delivery.ts, as a job). */
export const postSubscription: ModuleSubscription = {
  module: 'posts',
  subscribers: {
    'follow.created': async (ctx, e) => {
      await ctx.jobs.enqueue('feed.backfill', `${e.followerId}:${e.followeeId}:${e.at}`, e)
    },
  },
}
