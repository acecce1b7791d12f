import type { ModuleSubscription } from '../../context.ts'
import { assignOnboardingCourse, recheckTeamRooms } from './service.ts'

export const groupSubscription: ModuleSubscription = {
  module: 'groups',
  subscribers: {
    // A recruit lands in the sponsor's onboarding course, if the sponsor chose one.
    'member.joined': (ctx, e) => assignOnboardingCourse(ctx, e.memberId, e.sponsorId),
    // Team groups follow the join graph: the old upline's team groups drop whoever moved out.
    'member.moved': (ctx, e) => recheckTeamRooms(ctx, e.formerUplineIds, e.movedIds),
  },
}
