import { redirect } from '@sveltejs/kit'
import type { ConversationPage } from '@vernetzt/shared/schemas/messages'
import { api } from '$lib/server/api'
import { openDirectChat } from '$lib/server/chat'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, fetch, url }) => {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`)
  const res = await api<ConversationPage>(fetch, 'GET', '/conversations?limit=50')
  return { conversations: res.ok ? res.data.items : [], rooms: res.ok ? (res.data.rooms ?? []) : [] }
}

export const actions: Actions = {
  start: openDirectChat,
}
