/**
 * What the public cache keeps, under which key, and which tags forget it.
 *
 * Only anonymous GETs are cached: a request with a session cookie (or any Authorization) is
 * always answered fresh and marked private. An answer is stored only with status 200 and no
 * Set-Cookie. Tags name what an answer shows: `profile:<handle>`, `group:<slug>`,
 * `post:<id>`, `marketplace`. Content changes (a profile edit, a new, edited, deleted or
 * moderated post, a pin) forget the tags at once through domain events; counters (likes,
 * comments, followers, members) refresh with the lifetime below.
 */
import type { DomainEvents } from '../events/index.ts'
import { groupPostsTag, viewerTag } from './tags.ts'

/** How long an answer is served from this node's memory or Redis (events forget it sooner). */
export const SERVER_TTL_MS = 30_000
/** What browsers and CDNs may do: reuse briefly, then revalidate with the ETag. */
export const PUBLIC_CACHE_CONTROL = 'public, max-age=10, s-maxage=30'
export const PRIVATE_CACHE_CONTROL = 'private, no-cache'
export const CACHE_STATE_HEADER = 'x-vernetzt-cache'

export const profileTag = (handle: string) => `profile:${handle.toLowerCase()}`
export const groupTag = (slug: string) => `group:${slug.toLowerCase()}`
export const postTag = (id: string) => `post:${id}`

interface Listed {
  id?: unknown
  author?: { handle?: unknown } | null
}

/** Each post shown, and its author (whose name and picture it shows). */
function postTags(posts: unknown): string[] {
  if (!Array.isArray(posts)) return []
  return (posts as Listed[]).flatMap((p) => [
    ...(typeof p?.id === 'string' ? [postTag(p.id)] : []),
    ...(typeof p?.author?.handle === 'string' ? [profileTag(p.author.handle)] : []),
  ])
}

const items = (body: unknown): unknown => (body as { items?: unknown } | null)?.items

type Tagger = (params: Record<string, string>, body: unknown) => string[]

/** The anonymous API reads that are cached, by route, with the tags of their answer. */
export const API_ROUTES: ReadonlyMap<string, Tagger> = new Map<string, Tagger>([
  [
    '/api/v1/profiles/:handle',
    (p, body) => {
      const sponsor = (body as { sponsor?: { handle?: unknown } | null } | null)?.sponsor?.handle
      return [profileTag(p.handle ?? ''), ...(typeof sponsor === 'string' ? [profileTag(sponsor)] : [])]
    },
  ],
  ['/api/v1/profiles/:handle/posts', (p, body) => [profileTag(p.handle ?? ''), ...postTags(items(body))]],
  ['/api/v1/profiles/:handle/follow', (p) => [profileTag(p.handle ?? '')]],
  ['/api/v1/groups/:slug', (p) => [groupTag(p.slug ?? '')]],
  ['/api/v1/groups/:slug/posts', (p, body) => [groupTag(p.slug ?? ''), ...postTags(items(body))]],
  ['/api/v1/posts/:id', (_p, body) => postTags([body])],
  ['/api/v1/marketplace', (_p, body) => ['marketplace', ...postTags(items(body))]],
])

/**
 * The API reads a signed-in member's cached page may make: never cached as answers of their
 * own (the page is), but tagged, so that the page is forgotten when what they show changes.
 */
export const MEMBER_API_ROUTES: ReadonlyMap<string, Tagger> = new Map<string, Tagger>([
  ['/api/v1/me', () => []],
  ['/api/v1/feed', (_p, body) => postTags(items(body))],
])

/**
 * A signed-in member's own pages that are cached for that member alone (key and tag carry the
 * member's id): the home feed, the page every member opens most. Forgotten by whatever changes
 * it: a delivery into the feed, a post in one of the member's groups, a notification, a follow,
 * a group joined or left, an edit of the member's profile or of a post shown.
 */
const MEMBER_PAGES = [/^\/feed$/]
export function isMemberPage(url: string): boolean {
  const q = url.indexOf('?')
  return MEMBER_PAGES.some((page) => page.test(q === -1 ? url : url.slice(0, q)))
}

/**
 * The pages cached for anonymous visitors: the landing page (and a profile host's root, which
 * shows the profile), profiles and groups. Their tags come from the API reads they make.
 * A query parameter other than these makes the page uncached (no key per random query).
 */
const PAGES = [/^\/$/, /^\/p\/[a-z0-9-]{1,40}$/i, /^\/groups\/[a-z0-9-]{1,80}$/i]
const PAGE_PARAMS = new Set(['tab', 'cursor', 'ref'])

export function isCachedPage(url: string): boolean {
  const q = url.indexOf('?')
  const path = q === -1 ? url : url.slice(0, q)
  if (!PAGES.some((page) => page.test(path))) return false
  if (q === -1) return true
  return [...new URLSearchParams(url.slice(q + 1)).keys()].every((name) => PAGE_PARAMS.has(name))
}

/** What the invalidation subscriber must look up to name the tags of an event. */
export interface TagLookups {
  handleOf(memberId: string): Promise<string | null>
  slugOf(groupId: string): Promise<string | null>
  groupOfPost(postId: string): Promise<string | null>
}

type Invalidation = { [K in keyof DomainEvents]?: (event: DomainEvents[K], find: TagLookups) => Promise<Array<string | null>> }

const profileOf = async (find: TagLookups, memberId: string) => {
  const handle = await find.handleOf(memberId)
  return handle ? profileTag(handle) : null
}
const groupOf = async (find: TagLookups, groupId: string | null) => {
  const slug = groupId ? await find.slugOf(groupId) : null
  return slug ? groupTag(slug) : null
}

/** The events that change what anonymous visitors see, and the tags each one forgets. */
export const INVALIDATIONS: Invalidation = {
  'profile.updated': async (e, find) => [await profileOf(find, e.memberId), viewerTag(e.memberId)],
  'profile.avatar_changed': async (e, find) => [await profileOf(find, e.memberId), viewerTag(e.memberId)],
  'post.created': async (e, find) => [
    profileTag(e.authorHandle),
    await groupOf(find, e.group?.id ?? null),
    e.group ? groupPostsTag(e.group.id) : null,
    e.kind === 'ad' ? 'marketplace' : null,
  ],
  'post.changed': async (e, find) => [
    postTag(e.postId),
    await profileOf(find, e.authorId),
    await groupOf(find, e.groupId),
    e.kind === 'ad' ? 'marketplace' : null,
  ],
  'post.moderated': async (e, find) => [
    postTag(e.postId),
    await profileOf(find, e.authorId),
    await groupOf(find, await find.groupOfPost(e.postId)),
    // A reclassified post appears among the ads.
    'marketplace',
  ],
  'group.pins_changed': async (e, find) => [await groupOf(find, e.groupId)],
  // A comment count is part of the post everywhere it is shown (likes refresh with the lifetime).
  'comment.created': async (e) => [postTag(e.postId)],
  // What only the member sees: their feed and their menu.
  'feed.delivered': async (e) => e.memberIds.map(viewerTag),
  'notifications.changed': async (e) => [viewerTag(e.memberId)],
  'follow.created': async (e) => [viewerTag(e.followerId)],
  'follow.ended': async (e) => [viewerTag(e.followerId)],
  'group.member_joined': async (e) => [viewerTag(e.memberId)],
  'group.member_left': async (e) => [viewerTag(e.memberId)],
  'member.access_changed': async (e) => [viewerTag(e.memberId)],
}
