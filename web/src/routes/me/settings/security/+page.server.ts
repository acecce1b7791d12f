import { fail } from '@sveltejs/kit'
import type { Me, SessionInfo } from '@vernetzt/shared/schemas/auth'
import { api, errorField } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ fetch }) => {
  const res = await api<{ sessions: SessionInfo[] }>(fetch, 'GET', '/me/sessions')
  if (!res.ok) throw new Error(res.error.message)
  return { sessions: res.data.sessions }
}

export const actions: Actions = {
  password: async ({ request, fetch }) => {
    const form = await request.formData()
    const res = await api<Me>(fetch, 'PUT', '/me/password', { current: String(form.get('current') ?? ''), password: String(form.get('password') ?? '') })
    if (!res.ok) return fail(res.status, { action: 'password', code: res.error.code, field: errorField(res.error) })
    return { action: 'password', done: true }
  },
  signOut: async ({ request, fetch }) => {
    const id = String((await request.formData()).get('id') ?? '')
    const res = await api<{ ok: true }>(fetch, 'DELETE', `/me/sessions/${encodeURIComponent(id)}`)
    if (!res.ok) return fail(res.status, { action: 'signOut', code: res.error.code })
    return { action: 'signOut', done: true }
  },
  everywhere: async ({ fetch }) => {
    const res = await api<{ ok: true }>(fetch, 'POST', '/me/sessions/end-all', {})
    if (!res.ok) return fail(res.status, { action: 'everywhere', code: res.error.code })
    return { action: 'everywhere', done: true }
  },
}
