import { error, fail, redirect } from '@sveltejs/kit'
import type { MemberSummary } from '@vernetzt/shared/schemas/common'
import type { Conversation, Message } from '@vernetzt/shared/schemas/messages'
import { api } from '$lib/server/api'
import { onboardingForConversation } from '$lib/server/onboarding'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, fetch, params, url }) => {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`)
  const id = encodeURIComponent(params.id)
  const [conversation, messages, blocks] = await Promise.all([
    api<Conversation>(fetch, 'GET', `/conversations/${id}`),
    api<{ items: Message[] }>(fetch, 'GET', `/conversations/${id}/messages?limit=50`),
    api<{ items: MemberSummary[] }>(fetch, 'GET', '/me/blocks'),
  ])
  if (!conversation.ok) error(conversation.status, { message: conversation.error.message, code: conversation.error.code })
  if (!messages.ok) error(messages.status, { message: messages.error.message, code: messages.error.code })
  const last = messages.data.items.at(-1)
  const [onboarding] = await Promise.all([
    onboardingForConversation(fetch, conversation.data, locals.user),
    last ? api(fetch, 'POST', `/conversations/${id}/read`, { seq: last.seq }) : null,
  ])
  return { messages: messages.data.items, conversation: conversation.data, blocked: blocks.ok ? blocks.data.items.map((m) => m.id) : [], onboarding }
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
  mute: async ({ request, fetch, params }) => {
    const muted = (await request.formData()).get('muted') === 'true'
    const res = await api(fetch, 'PUT', `/conversations/${encodeURIComponent(params.id)}/settings`, { muted })
    return res.ok ? { muted } : fail(res.status, { code: res.error.code })
  },
  block: async ({ request, fetch }) => {
    const form = await request.formData()
    const handle = encodeURIComponent(String(form.get('handle') ?? ''))
    const res = await api(fetch, form.get('unblock') ? 'DELETE' : 'PUT', `/me/blocks/${handle}`)
    return res.ok ? { blockChanged: true } : fail(res.status, { code: res.error.code })
  },
}
