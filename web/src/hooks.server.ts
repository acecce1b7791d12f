import type { Cookies, Handle, HandleFetch } from '@sveltejs/kit'
import type { Me } from '@vernetzt/shared/schemas/auth'
import { pickLang } from '$lib/i18n'
import { CONSENT_COOKIE, LANG_COOKIE, rememberReferral } from '$lib/server/cookies'

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
  // The cookie jar of this request, including cookies an earlier API call just set.
  const jar = event.cookies
    .getAll()
    .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
    .join('; ')
  if (jar) headers.cookie = jar
  else delete headers.cookie
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
    if (key === 'set-cookie') {
      // What SvelteKit's own fetch does for same-origin responses: the API's cookies (the
      // session after login or registration) reach the browser through the page response.
      for (const line of [value].flat()) applySetCookie(event.cookies, String(line))
      continue
    }
    if (Array.isArray(value)) for (const v of value) out.append(key, v)
    else out.set(key, String(value))
  }
  const empty = res.statusCode === 204 || res.statusCode === 304
  return new Response(empty ? null : new Uint8Array(res.rawPayload), { status: res.statusCode, headers: out })
}

function applySetCookie(cookies: Cookies, line: string): void {
  const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
  const eq = pair.indexOf('=')
  if (eq < 1) return
  const name = pair.slice(0, eq)
  const value = decodeURIComponent(pair.slice(eq + 1))
  const options: Parameters<Cookies['set']>[2] = { path: '/', httpOnly: false, secure: false }
  for (const attribute of attributes) {
    const [key = '', raw = ''] = attribute.split('=')
    switch (key.toLowerCase()) {
      case 'path':
        options.path = raw
        break
      case 'max-age':
        options.maxAge = Number(raw)
        break
      case 'expires':
        options.expires = new Date(raw)
        break
      case 'httponly':
        options.httpOnly = true
        break
      case 'secure':
        options.secure = true
        break
      case 'samesite':
        options.sameSite = raw.toLowerCase() as 'lax' | 'strict' | 'none'
        break
      case 'domain':
        options.domain = raw
        break
    }
  }
  cookies.set(name, value, options)
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
    rememberReferral(cookies, url, ref)
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
