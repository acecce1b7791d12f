import { error, fail, redirect } from '@sveltejs/kit'
import { STANDINGS, type AdminMember } from '@vernetzt/shared/schemas/members-admin'
import { api } from '$lib/server/api'
import { requireAdmin } from '$lib/server/staff'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, url, fetch }) => {
  requireAdmin(locals, url)
  const q = (url.searchParams.get('q') ?? '').trim().slice(0, 254)
  if (!q) return { q, items: null as AdminMember[] | null }
  const res = await api<{ items: AdminMember[] }>(fetch, 'GET', `/admin/members?q=${encodeURIComponent(q)}`)
  if (!res.ok) error(res.status, { message: res.error.message, code: res.error.code })
  return { q, items: res.data.items }
}

/** Each action names its member by handle, and comes back to that member's card with a note of what was done. */
async function act(
  request: Request,
  locals: App.Locals,
  url: URL,
  name: string,
  call: (handle: string, form: FormData) => Promise<{ ok: boolean; status: number; error?: { code: string } }>,
) {
  requireAdmin(locals, url)
  const form = await request.formData()
  const handle = String(form.get('handle') ?? '')
  if (!/^[a-z0-9-]{1,60}$/.test(handle)) return fail(400, { action: name, handle, code: 'VALIDATION_FAILED' })
  const res = await call(handle, form)
  if (!res.ok) return fail(res.status, { action: name, handle, code: res.error?.code ?? 'INTERNAL', reason: String(form.get('reason') ?? '') })
  redirect(303, `/admin/members?q=${encodeURIComponent(handle)}&done=${name}`)
}

const reason = (form: FormData) => String(form.get('reason') ?? '')

export const actions: Actions = {
  suspend: ({ request, locals, url, fetch }) =>
    act(request, locals, url, 'suspend', (handle, form) => api(fetch, 'POST', `/admin/members/${handle}/suspend`, { reason: reason(form) })),
  unsuspend: ({ request, locals, url, fetch }) =>
    act(request, locals, url, 'unsuspend', (handle, form) => api(fetch, 'POST', `/admin/members/${handle}/unsuspend`, { reason: reason(form) })),
  standing: ({ request, locals, url, fetch }) =>
    act(request, locals, url, 'standing', (handle, form) =>
      api(fetch, 'PUT', `/admin/members/${handle}/standing`, {
        standing: STANDINGS.find((s) => s === form.get('standing')) ?? 'member',
        reason: reason(form),
      }),
    ),
  verification: ({ request, locals, url, fetch }) =>
    act(request, locals, url, 'verification', (handle) => api(fetch, 'POST', `/admin/members/${handle}/verification`)),
}
