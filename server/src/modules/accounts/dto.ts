import type { MemberSummary } from '@vernetzt/shared/schemas/common'
import type { ServiceContext } from '../../context.ts'
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

/** The sponsor as others see them, or null for the company root. */
export async function sponsorSummary(ctx: ServiceContext, member: Pick<MemberDoc, 'sponsorId'>): Promise<MemberSummary | null> {
  if (!member.sponsorId) return null
  const sponsor = await ctx.models.Member.findById(member.sponsorId, { handle: 1, displayName: 1, role: 1, avatarId: 1 }).lean()
  return sponsor ? toMemberSummary(sponsor) : null
}
