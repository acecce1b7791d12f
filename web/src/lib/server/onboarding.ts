import type { MemberSummary } from '@vernetzt/shared/schemas/common'
import type { OnboardingChecklist } from '@vernetzt/shared/schemas/onboarding'
import { api } from './api'

/**
 * The checklist a direct conversation between sponsor and recruit shows: the recruit's, whoever
 * of the two is viewing. Any other conversation (a group, two members who are not sponsor and
 * direct recruit, a customer and their partner: customers take no partner's first steps) has
 * none: null.
 */
export async function onboardingForConversation(
  fetch: typeof globalThis.fetch,
  conversation: { kind: string; participants: MemberSummary[] } | null,
  me: { id: string; handle: string },
): Promise<OnboardingChecklist | null> {
  if (!conversation || conversation.kind !== 'direct') return null
  const other = conversation.participants.find((p) => p.id !== me.id)
  if (!other) return null
  const [theirs, mine] = await Promise.all([
    api<OnboardingChecklist>(fetch, 'GET', `/onboarding/${encodeURIComponent(other.handle)}`),
    api<OnboardingChecklist>(fetch, 'GET', `/onboarding/${encodeURIComponent(me.handle)}`),
  ])
  if (theirs.ok && theirs.data.sponsor?.id === me.id) return theirs.data.member.role === 'customer' ? null : theirs.data // I am their sponsor
  if (mine.ok && mine.data.sponsor?.id === other.id) return mine.data.member.role === 'customer' ? null : mine.data // they are my sponsor
  return null
}
