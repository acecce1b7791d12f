/**
 * Handle rules. A handle becomes a subdomain (`anna.<domain>`) and a path (`/p/anna`),
 * so it must be a valid DNS label and must not shadow a host or route we use ourselves.
 */
export const HANDLE_MIN = 3
export const HANDLE_MAX = 30

export const RESERVED_HANDLES: ReadonlySet<string> = new Set([
  'www',
  'api',
  'admin',
  'app',
  'mail',
  'smtp',
  'imap',
  'pop',
  'ftp',
  'static',
  'assets',
  'socket',
  'media',
  'cdn',
  'img',
  'images',
  'files',
  'docs',
  'help',
  'support',
  'status',
  'blog',
  'news',
  'login',
  'logout',
  'register',
  'signup',
  'signin',
  'auth',
  'account',
  'accounts',
  'settings',
  'me',
  'profile',
  'profiles',
  'team',
  'teams',
  'group',
  'groups',
  'feed',
  'marketplace',
  'messages',
  'chat',
  'notifications',
  'orders',
  'shop',
  'commissions',
  'legal',
  'privacy',
  'impressum',
  'datenschutz',
  'agb',
  'terms',
  'root',
  'system',
  'vernetzt',
  'healthz',
  'dev',
  'test',
  'staging',
  'mod',
  'moderator',
  'moderation',
  'security',
  'abuse',
  'postmaster',
  'hostmaster',
  'webmaster',
  'noreply',
  'no-reply',
  'info',
  'kontakt',
  'contact',
])

export type HandleProblem = 'HANDLE_INVALID' | 'HANDLE_RESERVED'

/** Handles are stored and compared in lower case; this is the one place that normalises them. */
export function normalizeHandle(input: string): string {
  return input.trim().toLowerCase()
}

/** Returns null for a usable handle, otherwise the code and a human reason. */
export function checkHandle(raw: string): { code: HandleProblem; reason: string } | null {
  const handle = normalizeHandle(raw)
  if (handle.length < HANDLE_MIN || handle.length > HANDLE_MAX) {
    return { code: 'HANDLE_INVALID', reason: `must be ${HANDLE_MIN}–${HANDLE_MAX} characters long` }
  }
  if (!/^[a-z0-9-]+$/.test(handle)) {
    return { code: 'HANDLE_INVALID', reason: 'may contain only a–z, 0–9 and "-"' }
  }
  if (handle.startsWith('-') || handle.endsWith('-')) {
    return { code: 'HANDLE_INVALID', reason: 'must not start or end with "-"' }
  }
  if (handle.includes('--')) {
    // "xn--" and friends are punycode prefixes; a double hyphen is never needed in a name.
    return { code: 'HANDLE_INVALID', reason: 'must not contain "--"' }
  }
  if (RESERVED_HANDLES.has(handle)) {
    return { code: 'HANDLE_RESERVED', reason: 'is reserved' }
  }
  return null
}

/** At most this many people are notified from one text; more @names are plain text. */
export const MENTIONS_MAX = 10

/**
 * The handles a text mentions as `@anna`, lower-cased, each once, in order. An @ inside a word
 * (an e-mail address) or inside inline code is not a mention.
 */
export function extractMentions(text: string): string[] {
  const plain = text.replace(/```[\s\S]*?```|`[^`\n]*`/g, ' ')
  const found: string[] = []
  for (const match of plain.matchAll(/(^|[^\p{L}\p{N}_.@/-])@([a-z0-9][a-z0-9-]{1,29})(?![a-z0-9-])/giu)) {
    const handle = normalizeHandle(match[2]!)
    if (!found.includes(handle)) found.push(handle)
    if (found.length === MENTIONS_MAX) break
  }
  return found
}
