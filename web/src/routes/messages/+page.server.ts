import { fail, redirect } from '@sveltejs/kit'
import type { Conversation, ConversationPage } from '@vernetzt/shared/schemas/messages'
import { api } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, fetch, url }) => {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`)
  const res = await api<ConversationPage>(fetch, 'GET', '/conversations?limit=50')
  return { conversations: res.ok ? res.data.items : [], rooms: res.ok ? (res.data.rooms ?? []) : [] }
}

export const actions: Actions = {
  start: async ({ request, fetch }) => {
    const form = await request.formData()
    const handle = String(form.get('handle') ?? '').trim()
    const res = await api<Conversation>(fetch, 'POST', '/conversations', { participants: [handle] })
    if (!res.ok) return fail(res.status, { code: res.error.code })
    redirect(303, `/messages/${res.data.id}`)
  },
}
