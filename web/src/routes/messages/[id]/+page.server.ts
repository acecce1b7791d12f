import { error, fail, redirect } from '@sveltejs/kit'
import type { Conversation, Message } from '@vernetzt/shared/schemas/messages'
import { api } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, fetch, params, url }) => {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`)
  const [messages, list] = await Promise.all([
    api<{ items: Message[] }>(fetch, 'GET', `/conversations/${encodeURIComponent(params.id)}/messages?limit=50`),
    api<{ items: Conversation[] }>(fetch, 'GET', '/conversations?limit=50'),
  ])
  if (!messages.ok) error(messages.status === 404 ? 404 : messages.status, { message: messages.error.message, code: messages.error.code })
  const conversation = list.ok ? (list.data.items.find((c) => c.id === params.id) ?? null) : null
  const last = messages.data.items.at(-1)
  if (last) await api(fetch, 'POST', `/conversations/${encodeURIComponent(params.id)}/read`, { seq: last.seq })
  return { messages: messages.data.items, conversation }
}

export const actions: Actions = {
  // Without JavaScript the form posts here; with it, the page sends over the socket instead.
  send: async ({ request, fetch, params }) => {
    const form = await request.formData()
    const res = await api<Message>(fetch, 'POST', `/conversations/${encodeURIComponent(params.id)}/messages`, {
      body: String(form.get('body') ?? ''),
      clientMessageId: String(form.get('clientMessageId') ?? '') || `form-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`,
    })
    return res.ok ? { sent: true } : fail(res.status, { code: res.error.code })
  },
  accept: async ({ fetch, params }) => {
    const res = await api(fetch, 'POST', `/conversations/${encodeURIComponent(params.id)}/accept`)
    return res.ok ? { accepted: true } : fail(res.status, { code: res.error.code })
  },
}
