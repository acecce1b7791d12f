import type { MemberSummary } from '@vernetzt/shared/schemas/common'
import type { MemberDoc } from './model.ts'

export function avatarUrl(member: Pick<MemberDoc, 'avatarId'>): string | null {
  return member.avatarId ? `/media/${member.avatarId.toString()}` : null
}

export function toMemberSummary(member: Pick<MemberDoc, '_id' | 'handle' | 'displayName' | 'role' | 'avatarId'>): MemberSummary {
  return {
    id: member._id.toString(),
    handle: member.handle,
    displayName: member.displayName,
    role: member.role,
    avatarUrl: avatarUrl(member),
  }
}
