import { fail } from '@sveltejs/kit'
import { api } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

// The footer link of a mail that can be switched off. Opening it changes nothing (mail scanners
// open links); the button does, without a session: the token says who and what.
export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' })

export const actions: Actions = {
  default: async ({ request, fetch }) => {
    const token = String((await request.formData()).get('token') ?? '')
    const res = await api<{ kind: string }>(fetch, 'POST', `/mail/unsubscribe?token=${encodeURIComponent(token)}`)
    if (!res.ok) return fail(res.status, { code: res.error.code })
    return { done: res.data.kind }
  },
}
