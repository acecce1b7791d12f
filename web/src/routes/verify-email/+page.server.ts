import { fail } from '@sveltejs/kit'
import { api } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

// The page of the verification mail's link. Opening it changes nothing: mail scanners open links
// too, so the address is confirmed by the button (a POST), not by the visit.
export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '' })

export const actions: Actions = {
  verify: async ({ request, fetch }) => {
    const form = await request.formData()
    const res = await api<{ email: string }>(fetch, 'POST', '/auth/verify-email', { token: String(form.get('token') ?? '') })
    if (!res.ok) return fail(res.status, { code: res.error.code })
    return { verified: res.data.email }
  },
  resend: async ({ fetch }) => {
    const res = await api<{ ok: true }>(fetch, 'POST', '/me/email/verification')
    if (!res.ok) return fail(res.status, { code: res.error.code })
    return { resent: true }
  },
}
