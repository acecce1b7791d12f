import { fail } from '@sveltejs/kit'
import { api } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

// The page of the verification mail's link. Opening it changes nothing: mail scanners open links
// too, so the address is confirmed by the button (a POST), not by the visit.
export const load: PageServerLoad = ({ url }) => ({ token: url.searchParams.get('token') ?? '', change: url.searchParams.get('change') === '1' })

export const actions: Actions = {
  verify: async ({ request, fetch }) => {
    const form = await request.formData()
    // The link of an address change moves the account to the new address; the other confirms it.
    const path = form.get('change') === '1' ? '/auth/email-change/confirm' : '/auth/verify-email'
    const res = await api<{ email: string }>(fetch, 'POST', path, { token: String(form.get('token') ?? '') })
    if (!res.ok) return fail(res.status, { code: res.error.code })
    return { verified: res.data.email }
  },
  resend: async ({ fetch }) => {
    const res = await api<{ ok: true }>(fetch, 'POST', '/me/email/verification')
    if (!res.ok) return fail(res.status, { code: res.error.code })
    return { resent: true }
  },
}
