import { fail, redirect } from '@sveltejs/kit'
import type { Me } from '@vernetzt/shared/schemas/auth'
import type { Profile } from '@vernetzt/shared/schemas/profiles'
import { REF_COOKIE, forgetReferral } from '$lib/server/cookies'
import { api, errorField } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

/** The referral in force: an explicit ?ref beats the consented cookie. */
function referralOf(url: URL, cookies: { get(name: string): string | undefined }): string | null {
  return url.searchParams.get('ref') ?? cookies.get(REF_COOKIE) ?? null
}

async function sponsorProfile(fetch: typeof globalThis.fetch, handle: string | null): Promise<Profile | null> {
  if (!handle) return null
  const res = await api<Profile>(fetch, 'GET', `/profiles/${encodeURIComponent(handle)}`)
  return res.ok && res.data.role === 'partner' ? res.data : null
}

export const load: PageServerLoad = async ({ url, cookies, fetch, locals }) => {
  if (locals.user) redirect(303, `/p/${locals.user.handle}`)
  const sponsor = await sponsorProfile(fetch, referralOf(url, cookies))
  const role = url.searchParams.get('role') === 'customer' ? 'customer' : 'partner'
  return { sponsor, role }
}

export const actions: Actions = {
  default: async ({ request, fetch, url, cookies, locals }) => {
    const form = await request.formData()
    const values = {
      email: String(form.get('email') ?? ''),
      handle: String(form.get('handle') ?? ''),
      displayName: String(form.get('displayName') ?? ''),
      role: form.get('role') === 'customer' ? 'customer' : 'partner',
    }
    const referral = String(form.get('referral') ?? '') || referralOf(url, cookies)
    const res = await api<Me>(fetch, 'POST', '/auth/register', {
      ...values,
      password: String(form.get('password') ?? ''),
      lang: locals.lang,
      ...(referral ? { referral } : {}),
    })
    if (!res.ok) {
      return fail(res.status, { values, code: res.error.code, message: res.error.message, field: errorField(res.error) })
    }
    forgetReferral(cookies, url)
    redirect(303, '/welcome')
  },
}
