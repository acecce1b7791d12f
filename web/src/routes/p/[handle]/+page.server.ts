import { error } from '@sveltejs/kit'
import type { Profile } from '@vernetzt/shared/schemas/profiles'
import { REF_COOKIE, REF_DAYS } from '$lib/cookies'
import { api } from '$lib/server/api'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ params, fetch, locals, cookies }) => {
  const res = await api<Profile>(fetch, 'GET', `/profiles/${encodeURIComponent(params.handle)}`)
  if (!res.ok) error(res.status === 404 ? 404 : res.status, { message: res.error.message, code: res.error.code })
  const profile = res.data
  // A visit to a partner's profile is a referral; it is remembered only with consent.
  if (profile.role === 'partner' && locals.consent === 'all' && !locals.user) {
    cookies.set(REF_COOKIE, profile.handle, { path: '/', maxAge: REF_DAYS * 86_400, httpOnly: true, sameSite: 'lax' })
  }
  return { profile }
}
