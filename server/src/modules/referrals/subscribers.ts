import type { ModuleSubscription } from '../../context.ts'
import { rooms } from '@vernetzt/shared/realtime'

export const referralSubscription: ModuleSubscription = {
  module: 'referrals',
  subscribers: {
    // The sponsor's open tabs hear, live, that someone joined their team.
    'member.joined': (ctx, e) => {
      if (!e.sponsorId) return
      ctx.realtime.to(rooms.user(e.sponsorId)).emit('team:joined', { handle: e.handle, displayName: e.displayName, level: 1 })
    },
  },
}
