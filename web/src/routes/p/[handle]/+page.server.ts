import { error } from '@sveltejs/kit'
import type { Profile } from '@vernetzt/shared/schemas/profiles'
import { rememberReferral } from '$lib/server/cookies'
import { api } from '$lib/server/api'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ params, fetch, locals, cookies, url }) => {
  const res = await api<Profile>(fetch, 'GET', `/profiles/${encodeURIComponent(params.handle)}`)
  if (!res.ok) error(res.status === 404 ? 404 : res.status, { message: res.error.message, code: res.error.code })
  const profile = res.data
  // A visit to a partner's profile is a referral; it is remembered only with consent.
  if (profile.role === 'partner' && locals.consent === 'all' && !locals.user) {
    rememberReferral(cookies, url, profile.handle)
  }
  return { profile }
}
