import { rooms } from '@vernetzt/shared/realtime'
import type { RealtimeServer } from '../../realtime/socket.ts'
import type { MemberDoc } from './model.ts'

/** Tells the sponsor's open tabs, live, that someone joined their team. */
export function announceJoin(io: RealtimeServer, member: Pick<MemberDoc, 'handle' | 'displayName' | 'sponsorId'>): void {
  if (!member.sponsorId) return
  io.to(rooms.user(member.sponsorId.toString())).emit('team:joined', {
    handle: member.handle,
    displayName: member.displayName,
    level: 1,
  })
}
