import { rooms } from '@vernetzt/shared/realtime'
import type { OnboardingChecklist } from '@vernetzt/shared/schemas/onboarding'
import type { Types } from 'mongoose'
import type { RealtimeServer } from '../../realtime/socket.ts'

/** The member's and the direct sponsor's open tabs get the checklist as it is now. */
export function announceUpdate(io: RealtimeServer | null, checklist: OnboardingChecklist, sponsorId: Types.ObjectId | null): void {
  if (!io) return
  const to = [rooms.user(checklist.member.id), ...(sponsorId ? [rooms.user(sponsorId.toString())] : [])]
  io.to(to).emit('onboarding:update', checklist)
}
