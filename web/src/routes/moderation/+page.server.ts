import { error, fail } from '@sveltejs/kit'
import type { ModerationResult, QueuePage } from '@vernetzt/shared/schemas/moderation'
import { api } from '$lib/server/api'
import { requireStaff } from '$lib/server/staff'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, fetch, url }) => {
  requireStaff(locals, url)
  const res = await api<QueuePage>(fetch, 'GET', '/moderation/queue?limit=50')
  if (!res.ok) error(res.status, { message: res.error.message, code: res.error.code })
  return { queue: res.data }
}

export const actions: Actions = {
  decide: async ({ request, fetch }) => {
    const form = await request.formData()
    const postId = String(form.get('postId') ?? '')
    const res = await api<ModerationResult>(fetch, 'POST', `/moderation/posts/${encodeURIComponent(postId)}/actions`, {
      action: String(form.get('action') ?? ''),
      reason: String(form.get('reason') ?? ''),
    })
    if (!res.ok) return fail(res.status, { postId, code: res.error.code })
    return { postId, done: res.data.action }
  },
  limit: async ({ request, fetch }) => {
    const form = await request.formData()
    const handle = String(form.get('handle') ?? '')
    const res = await api<{ handle: string; limitedUntil: string | null }>(fetch, 'POST', `/admin/members/${encodeURIComponent(handle)}/posting-limit`, {
      days: Number(form.get('days') ?? 0),
      reason: String(form.get('reason') ?? ''),
    })
    if (!res.ok) return fail(res.status, { limitHandle: handle, code: res.error.code })
    return { limited: res.data }
  },
}
