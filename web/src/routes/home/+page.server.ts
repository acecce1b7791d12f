import { redirect } from '@sveltejs/kit'
import type { ConversationPage } from '@vernetzt/shared/schemas/messages'
import type { EarningsDashboard } from '@vernetzt/shared/schemas/earnings'
import type { RecruitsOnboardingPage } from '@vernetzt/shared/schemas/onboarding'
import type { PostPage } from '@vernetzt/shared/schemas/posts'
import { api } from '$lib/server/api'
import { openDirectChat } from '$lib/server/chat'
import type { Actions, PageServerLoad } from './$types'

/**
 * The member's home: what waits for them, their recruits' first steps, the month at a glance,
 * the newest of the feed. Every part is read in parallel and a part that fails is left out
 * (the rest of the page still helps).
 */
export const load: PageServerLoad = async ({ fetch, locals }) => {
  const user = locals.user
  if (!user) redirect(303, '/login?next=%2Fhome')
  const partner = user.role !== 'customer'
  const [chats, feed, recruits, earnings] = await Promise.all([
    api<ConversationPage>(fetch, 'GET', '/conversations?limit=20'),
    api<PostPage>(fetch, 'GET', '/feed?limit=3'),
    partner ? api<RecruitsOnboardingPage>(fetch, 'GET', '/me/recruits/onboarding?limit=5') : null,
    partner ? api<EarningsDashboard>(fetch, 'GET', '/me/earnings') : null,
  ])
  return {
    unreadChats: chats.ok ? chats.data.items.filter((c) => c.unread > 0 && !c.muted).slice(0, 4) : [],
    posts: feed.ok ? feed.data.items : [],
    recruits: recruits?.ok ? recruits.data.items.filter((r) => r.completedAt === null) : null,
    earnings: earnings?.ok ? { current: earnings.data.current, newMembers: earnings.data.recruits } : null,
  }
}

export const actions: Actions = {
  // "Schreib mir!": the direct conversation with the sponsor.
  chat: openDirectChat,
}
