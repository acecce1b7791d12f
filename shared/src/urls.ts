/**
 * Parsing of URLs that come from outside (headers, query strings, form fields). Nothing here
 * throws: a value that does not parse is simply not accepted.
 */

/** The origin (`scheme://host[:port]`) of a URL-ish string, or null when it does not parse. */
export function parseOrigin(value: string | undefined | null): { origin: string; host: string } | null {
  if (!value || value === 'null') return null
  try {
    const url = new URL(value)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    return { origin: url.origin, host: url.host }
  } catch {
    return null
  }
}

const BASE = 'http://local.invalid'

/**
 * A redirect target that stays on this site: a path (with query and fragment) that resolves to
 * the site's own origin, or `fallback`. Browsers treat `\` as `/` and drop tabs and newlines,
 * so `/\evil.example` and `/\t/evil.example` would leave the site; both are refused here, as is
 * anything that resolves to another origin.
 */
export function localPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return fallback
  // Control characters and backslashes have no place in a path we send someone to.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback
  if (!value.startsWith('/') || value.startsWith('//')) return fallback
  let url: URL
  try {
    url = new URL(value, BASE)
  } catch {
    return fallback
  }
  if (url.origin !== BASE) return fallback
  return `${url.pathname}${url.search}${url.hash}`
}
