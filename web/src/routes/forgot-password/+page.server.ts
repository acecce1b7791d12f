import { fail } from '@sveltejs/kit'
import { api } from '$lib/server/api'
import type { Actions } from './$types'

export const actions: Actions = {
  default: async ({ request, fetch }) => {
    const email = String((await request.formData()).get('email') ?? '')
    const res = await api<{ ok: true }>(fetch, 'POST', '/auth/password-reset', { email })
    if (!res.ok) return fail(res.status, { email, code: res.error.code })
    return { sent: email }
  },
}
