/**
 * Which push endpoints the server will POST to. A subscription's endpoint is a URL chosen by
 * whoever calls the API, so accepting any URL would let a member make the server send requests
 * into its own network (SSRF). Browsers only ever hand out endpoints of a few push services, so
 * the rule is an allow-list:
 * - https on the default port, to a host name (no IP literal, no user:password@) that is one of
 *   the known browser push services or a subdomain of one, or a host the operator added with
 *   PUSH_SERVICE_HOSTS;
 * - with PUSH_ALLOW_LOOPBACK (tests and local development only), also http or https to
 *   localhost, 127.0.0.1 or [::1] on any port.
 * The rule is checked when a subscription is stored and again before every send, and redirects
 * from a push service are never followed.
 */
export const KNOWN_PUSH_SERVICES = [
  'fcm.googleapis.com', // Chrome, Android, Opera, Samsung Internet, Brave, Vivaldi
  'android.googleapis.com', // older Chrome subscriptions
  'push.services.mozilla.com', // Firefox (updates.push.services.mozilla.com)
  'push.apple.com', // Safari on macOS and iOS (web.push.apple.com)
  'notify.windows.com', // Edge (wns2-*.notify.windows.com)
] as const

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

export interface EndpointRule {
  /** Extra push service hosts from the configuration (suffix match at a dot). */
  extraHosts: readonly string[]
  allowLoopback: boolean
}

/** Null when the server may POST to `endpoint`, else why not (for the error message). */
export function endpointProblem(endpoint: string, rule: EndpointRule): string | null {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    return 'not a URL'
  }
  if (url.username || url.password) return 'credentials in the URL are not allowed'
  const host = url.hostname.toLowerCase()
  if (rule.allowLoopback && LOOPBACK.has(host) && (url.protocol === 'http:' || url.protocol === 'https:')) return null
  if (url.protocol !== 'https:') return 'the endpoint must use https'
  if (url.port !== '') return 'the endpoint must use the default https port'
  const allowed = [...KNOWN_PUSH_SERVICES, ...rule.extraHosts].some((service) => host === service || host.endsWith(`.${service}`))
  return allowed ? null : `${host} is not a known push service`
}
