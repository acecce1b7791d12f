import type { MemberSummary } from '@vernetzt/shared/schemas/common'
import type { ServiceContext } from '../../context.ts'
import { Memo } from '../../db/memo.ts'
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

/** What is remembered of a member for summaries: the summary, and the sponsor (feeds ask "in my circle?"). */
export interface MemberCard {
  summary: MemberSummary
  sponsorId: string | null
}

/**
 * Member cards, per context: nearly every page shows members (authors, sponsors, chat partners).
 * Forgotten on every node when a profile, a picture, a sponsor or a member's access changes
 * (profile.updated, profile.avatar_changed, member.moved, member.access_changed).
 */
const cards = new WeakMap<object, Memo<MemberCard>>()
export function cardMemo(ctx: ServiceContext): Memo<MemberCard> {
  let memo = cards.get(ctx.models)
  if (!memo) {
    memo = new Memo<MemberCard>(50_000, 60_000)
    cards.set(ctx.models, memo)
  }
  return memo
}

/** The cards of the given members, each read once by _id unless remembered; missing members are absent. */
export async function memberCards(ctx: ServiceContext, ids: Array<{ toString(): string }>): Promise<Map<string, MemberCard>> {
  const memo = cardMemo(ctx)
  const unique = [...new Set(ids.map(String))]
  const found = await Promise.all(
    unique.map((id) =>
      memo.through(id, async () => {
        const m = await ctx.models.Member.findById(id, { ...SUMMARY_FIELDS, sponsorId: 1 }).lean()
        return m ? { summary: toMemberSummary(m), sponsorId: m.sponsorId?.toString() ?? null } : null
      }),
    ),
  )
  return new Map(found.filter((c) => c !== null).map((c) => [c.summary.id, c]))
}

/** Summaries of the given members (see memberCards). Members that no longer exist are simply absent from the map. */
export async function memberSummaries(ctx: ServiceContext, ids: Array<{ toString(): string }>): Promise<Map<string, MemberSummary>> {
  return new Map([...(await memberCards(ctx, ids))].map(([id, card]) => [id, card.summary]))
}

/** The sponsor as others see them, or null for the company root. */
export async function sponsorSummary(ctx: ServiceContext, member: Pick<MemberDoc, 'sponsorId'>): Promise<MemberSummary | null> {
  if (!member.sponsorId) return null
  return (await memberSummaries(ctx, [member.sponsorId])).get(member.sponsorId.toString()) ?? null
}

/**
 * The role a member acts in. Administrators must have two-factor sign-in on: until they turn it
 * on, an admin acts as a partner (and `Me.twoFactorRequired` says why).
 */
export function effectiveRole(member: Pick<MemberDoc, 'role' | 'twoFactor'>): MemberDoc['role'] {
  return member.role === 'admin' && !member.twoFactor?.enabledAt ? 'partner' : member.role
}
