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

/** The fields a member summary needs; every summary lookup reads only these. */
export const SUMMARY_FIELDS = { handle: 1, displayName: 1, role: 1, avatarId: 1 } as const

/**
 * Summaries of the given members, each looked up once, in parallel by _id (one round trip on
 * any backend). Members that no longer exist are simply absent from the map.
 */
export async function memberSummaries(ctx: ServiceContext, ids: Array<{ toString(): string }>): Promise<Map<string, MemberSummary>> {
  const unique = [...new Set(ids.map(String))]
  const members = await Promise.all(unique.map((id) => ctx.models.Member.findById(id, SUMMARY_FIELDS).lean()))
  return new Map(members.filter((m) => m !== null).map((m) => [m._id.toString(), toMemberSummary(m)]))
}

/** The sponsor as others see them, or null for the company root. */
export async function sponsorSummary(ctx: ServiceContext, member: Pick<MemberDoc, 'sponsorId'>): Promise<MemberSummary | null> {
  if (!member.sponsorId) return null
  const sponsor = await ctx.models.Member.findById(member.sponsorId, SUMMARY_FIELDS).lean()
  return sponsor ? toMemberSummary(sponsor) : null
}
