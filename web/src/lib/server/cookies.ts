import type { Cookies } from '@sveltejs/kit'
import { env } from '$env/dynamic/public'

import { CONSENT_COOKIE, LANG_COOKIE, REF_COOKIE } from '@vernetzt/shared/cookies'

export { CONSENT_COOKIE, LANG_COOKIE, REF_COOKIE } from '@vernetzt/shared/cookies'
export const REF_DAYS = 30
const YEAR = 365 * 86_400

/**
 * Preference and referral cookies are shared between the main site and the profile hosts
 * (anna.<domain>) where the domain allows it; "localhost" cannot carry a Domain attribute.
 */
function options(url: URL, maxAge: number, httpOnly: boolean) {
  const base = env.PUBLIC_BASE_DOMAIN ?? ''
  const shared = base.includes('.') && (url.hostname === base || url.hostname.endsWith(`.${base}`))
  return {
    path: '/',
    maxAge,
    httpOnly,
    sameSite: 'lax' as const,
    secure: url.protocol === 'https:',
    ...(shared ? { domain: base } : {}),
  }
}

/** Remembers who referred this visitor; callers must have checked consent (TDDDG §25). */
export function rememberReferral(cookies: Cookies, url: URL, handle: string): void {
  cookies.set(REF_COOKIE, handle.toLowerCase(), options(url, REF_DAYS * 86_400, true))
}

export function forgetReferral(cookies: Cookies, url: URL): void {
  cookies.delete(REF_COOKIE, options(url, 0, true))
}

export function setPreference(cookies: Cookies, url: URL, name: typeof CONSENT_COOKIE | typeof LANG_COOKIE, value: string): void {
  cookies.set(name, value, options(url, YEAR, false))
}
