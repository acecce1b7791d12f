import type { Reroute } from '@sveltejs/kit'
import { env } from '$env/dynamic/public'

/**
 * Every partner's profile is also their own host: anna.<BASE_DOMAIN>/ shows /p/anna.
 * Runs on server and client, so hydration sees the same route the server rendered.
 */
export const reroute: Reroute = ({ url }) => {
  const base = env.PUBLIC_BASE_DOMAIN
  if (!base || url.pathname !== '/') return
  const host = url.hostname.toLowerCase()
  if (!host.endsWith(`.${base}`)) return
  const sub = host.slice(0, -(base.length + 1))
  if (sub && !sub.includes('.') && sub !== 'www') return `/p/${sub}`
}
