import { redirect } from '@sveltejs/kit'
import type { ConversationPage } from '@vernetzt/shared/schemas/messages'
import { api } from '$lib/server/api'
import { openDirectChat } from '$lib/server/chat'
import type { Actions, PageServerLoad } from './$types'

/** The first screen after signing up: who the sponsor is, and their welcome message. */
export const load: PageServerLoad = async ({ fetch, locals }) => {
  const user = locals.user
  if (!user) redirect(303, '/login?next=%2Fwelcome')
  const sponsorId = user.sponsor?.id
  const chats = await api<ConversationPage>(fetch, 'GET', '/conversations?limit=5')
  // The welcome chat: with the sponsor, or (members of the company root) with the company.
  const chat = chats.ok ? (chats.data.items.find((c) => c.kind === 'direct' && (!sponsorId || c.participants.some((p) => p.id === sponsorId))) ?? null) : null
  return { chat: chat ? { id: chat.id, unread: chat.unread } : null }
}

export const actions: Actions = {
  // "Schreib mir!" when there is no welcome chat yet (a sponsor who turned the welcome off).
  chat: openDirectChat,
}
