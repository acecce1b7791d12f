import { error, fail } from '@sveltejs/kit'
import type { InboxMessages, Message } from '@vernetzt/shared/schemas/messages'
import { api } from '$lib/server/api'
import { requireStaff } from '$lib/server/staff'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, url, fetch, params }) => {
  requireStaff(locals, url)
  const id = encodeURIComponent(params.id)
  const messages = await api<InboxMessages>(fetch, 'GET', `/admin/inbox/${id}/messages?limit=50`)
  if (!messages.ok) error(messages.status, { message: messages.error.message, code: messages.error.code })
  const last = messages.data.items.at(-1)
  if (last) await api(fetch, 'POST', `/admin/inbox/${id}/read`, { seq: last.seq })
  const company = messages.data.company
  const member = messages.data.items.find((m) => m.author.id !== company.id)?.author ?? null
  return { messages: messages.data.items, answeredBy: messages.data.answeredBy, company, member }
}

export const actions: Actions = {
  answer: async ({ request, fetch, params, locals, url }) => {
    requireStaff(locals, url)
    const form = await request.formData()
    const body = String(form.get('body') ?? '')
    const res = await api<Message>(fetch, 'POST', `/admin/inbox/${encodeURIComponent(params.id)}/messages`, {
      body,
      clientMessageId: /^[A-Za-z0-9_-]{8,64}$/.test(String(form.get('clientMessageId')))
        ? String(form.get('clientMessageId'))
        : `form-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`,
    })
    return res.ok ? { sent: true } : fail(res.status, { code: res.error.code, body })
  },
}
