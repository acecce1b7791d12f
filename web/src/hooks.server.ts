import type { Handle, HandleFetch } from '@sveltejs/kit'
import type { Me } from '@vernetzt/shared/schemas/auth'
import { pickLang } from '$lib/i18n'
import { CONSENT_COOKIE, LANG_COOKIE, REF_COOKIE, REF_DAYS } from '$lib/cookies'

interface ApiBridge {
  inject(request: { method: string; url: string; headers: Record<string, string>; body?: Buffer; remoteAddress?: string }): Promise<{
    statusCode: number
    headers: Record<string, string | string[] | number | undefined>
    rawPayload: Buffer
  }>
}
const bridge = () => (globalThis as Record<symbol, unknown>)[Symbol.for('vernetzt.api-bridge')] as ApiBridge | undefined

/**
 * Page loads and form actions reach the API in-process: same-origin /api requests become
 * fastify.inject calls (cookies included), never a network round trip.
 */
export const handleFetch: HandleFetch = async ({ event, request, fetch }) => {
  const url = new URL(request.url)
  const api = bridge()
  if (!api || url.origin !== event.url.origin || !url.pathname.startsWith('/api/')) return fetch(request)
  const headers = Object.fromEntries(request.headers)
  if (!headers.cookie && event.request.headers.get('cookie')) headers.cookie = event.request.headers.get('cookie')!
  const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined
  const res = await api.inject({
    method: request.method,
    url: url.pathname + url.search,
    headers,
    ...(body ? { body } : {}),
    remoteAddress: event.getClientAddress(),
  })
  const out = new Headers()
  for (const [key, value] of Object.entries(res.headers)) {
    if (value === undefined) continue
    if (Array.isArray(value)) for (const v of value) out.append(key, v)
    else out.set(key, String(value))
  }
  const empty = res.statusCode === 204 || res.statusCode === 304
  return new Response(empty ? null : new Uint8Array(res.rawPayload), { status: res.statusCode, headers: out })
}

export const handle: Handle = async ({ event, resolve }) => {
  const { cookies, url } = event
  event.locals.lang = pickLang(cookies.get(LANG_COOKIE), event.request.headers.get('accept-language'))
  const consent = cookies.get(CONSENT_COOKIE)
  event.locals.consent = consent === 'all' || consent === 'necessary' ? consent : null

  // A referral link (?ref=anna) is remembered for 30 days only after consent (TDDDG §25);
  // without it the referral travels in the sign-up links instead. A newer explicit ?ref wins.
  const ref = url.searchParams.get('ref')
  if (ref && event.locals.consent === 'all' && /^[a-z0-9-]{3,30}$/i.test(ref)) {
    cookies.set(REF_COOKIE, ref.toLowerCase(), { path: '/', maxAge: REF_DAYS * 86_400, httpOnly: true, sameSite: 'lax' })
  }

  event.locals.user = null
  if (cookies.get('vz_session')) {
    const res = await event.fetch('/api/v1/me')
    if (res.ok) event.locals.user = (await res.json()) as Me
  }
  return resolve(event, {
    transformPageChunk: ({ html }) => html.replace('%lang%', event.locals.lang),
  })
}
