// Reading posts: the home feed, a group's posts, the marketplace and a profile's posts, each a numbered stream read by _id.
import { AppError } from '@vernetzt/shared/errors'
import type { MarketplaceQuery, Post, PostPage, ProfilePostsQuery } from '@vernetzt/shared/schemas/posts'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { readStream } from '../../db/streams.ts'
import { findMemberByHandle, memberCards } from '../accounts/index.ts'
import { isFollowing } from '../follows/index.ts'
import { memberGroups, readableGroup } from '../groups/index.ts'
import { feedEnd } from './feed-writer.ts'
import type { PostDoc } from './model.ts'
import { postsByIds, streams, toPost, withAuthors } from './service.ts'

/** Feed cursors name a position in each stream they merge: base64url of { stream: next number }. */
function decodeFeedCursor(cursor: string | undefined): Record<string, number> | null {
  if (cursor === undefined) return null
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (value && typeof value === 'object' && Object.values(value).every((n) => Number.isInteger(n) && (n as number) >= 0))
      return value as Record<string, number>
  } catch {}
  throw new AppError('BAD_REQUEST', 'The cursor is not valid.', { field: 'cursor' })
}

/**
 * The home feed merges the member's own feed stream (followed people, sponsor, direct recruits,
 * filled on write) with the PR streams of their groups (read in place), newest first. The cursor
 * keeps a position per stream, so paging stays free of gaps and repeats while posts arrive.
 */
/** A home feed page, and the groups whose posts it merged in (what a cached copy of it depends on). */
export async function homeFeed(ctx: ServiceContext, actor: Actor, query: { cursor?: string; limit?: number }): Promise<PostPage & { groupIds: string[] }> {
  const limit = query.limit ?? 20
  const positions = decodeFeedCursor(query.cursor)
  // exec(): a promise that every stream may await (a mongoose query runs only once).
  const viewerLoad = memberCards(ctx, [actor.id]).then((cards) => cards.get(actor.id) ?? null)
  const include = (stream: string) => !positions || stream in positions

  const readSource = async (stream: string) => {
    const position = positions?.[stream]
    if (position === 0) return { stream, items: [] as Post[], seqs: [] as number[], nextCursor: null }
    const isGroup = stream.startsWith('group:')
    const options = {
      cursor: position === undefined ? undefined : String(position),
      limit,
      lasting: true,
      ...(isGroup ? {} : { head: () => feedEnd(ctx, actor.id) }),
    }
    const page = await readStream(ctx, stream, options, async (refs) => {
      const viewer = await viewerLoad
      if (!viewer) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
      // Never an ad, never a removed post.
      const posts = (await postsByIds(ctx, refs)).map((p) =>
        p && p.status === 'visible' && p.kind === 'pr' && p.area.type === (isGroup ? 'group' : 'feed') ? p : null,
      )
      const authorIds = [...new Set(posts.filter((p) => p !== null).map((p) => p.authorId.toString()))]
      const [cards, follows] = await Promise.all([
        memberCards(ctx, authorIds),
        Promise.all(authorIds.map((id) => (isGroup ? true : isFollowing(ctx, actor.id, id)))),
      ])
      const authors = new Map(
        authorIds.map((id, i) => {
          const author = cards.get(id)
          // Feed posts only while the author is still in the viewer's circle (unfollows apply at once);
          // group posts while the viewer is in the group (the sources above).
          const inCircle = author && (isGroup || id === actor.id || follows[i] || viewer.sponsorId === id || author.sponsorId === actor.id)
          return [id, inCircle ? author.summary : null] as const
        }),
      )
      return posts.map((p) => {
        const author = p && authors.get(p.authorId.toString())
        return p && author ? toPost(p, author) : null
      })
    })
    return { stream, ...page }
  }
  // The own feed stream is read while the member's groups are looked up, then their streams.
  // A group joined after the first page was read joins the feed on the next fresh first page.
  const ownFeed = include(streams.feed(actor.id)) ? readSource(streams.feed(actor.id)) : null
  const groups = await memberGroups(ctx, actor.id)
  const groupStreams = groups.map((g) => streams.group(g._id, 'pr')).filter(include)
  const pages = await Promise.all([...(ownFeed ? [ownFeed] : []), ...groupStreams.map(readSource)])

  // Merge newest first, always comparing the streams' next items (a k-way merge), so what is taken
  // from each stream is a prefix of it even if two posts were appended out of time order.
  const heads = pages.map(() => 0)
  const taken: Post[] = []
  // A post can be in the feed twice (a backfill racing the fan-out, a follow ended and begun
  // again): it is shown once, at its newest place on the page.
  const shown = new Set<string>()
  while (taken.length < limit) {
    let best = -1
    for (let i = 0; i < pages.length; i++) {
      const candidate = pages[i]!.items[heads[i]!]
      if (!candidate) continue
      const current = best >= 0 ? pages[best]!.items[heads[best]!]! : null
      if (!current || candidate.createdAt > current.createdAt || (candidate.createdAt === current.createdAt && candidate.id > current.id)) best = i
    }
    if (best < 0) break
    const next = pages[best]!.items[heads[best]!]!
    if (!shown.has(next.id)) taken.push(next)
    shown.add(next.id)
    heads[best]! += 1
  }
  // Two deliveries that ran at once may have landed out of time order; a page shows time order.
  taken.sort((a, b) => (a.createdAt === b.createdAt ? 0 : a.createdAt < b.createdAt ? 1 : -1))
  // Each stream moves on past what was taken from it; an untouched one stays where it was.
  const next: Record<string, number> = {}
  let more = false
  pages.forEach((page, i) => {
    const used = heads[i]!
    if (used < page.items.length) {
      more = true
      next[page.stream] = used > 0 ? page.seqs[used - 1]! : (positions?.[page.stream] ?? page.seqs[0]! + 1)
    } else if (page.nextCursor) {
      more = true
      next[page.stream] = Number(page.nextCursor)
    } else {
      next[page.stream] = 0 // read to its start
    }
  })
  return { items: taken, nextCursor: more ? Buffer.from(JSON.stringify(next)).toString('base64url') : null, groupIds: groups.map((g) => g._id.toString()) }
}

/** A group's PR feed or ad channel. */
export async function groupPosts(ctx: ServiceContext, actor: Actor | null, slug: string, query: ProfilePostsQuery): Promise<PostPage> {
  const group = await readableGroup(ctx, actor, slug)
  const kind = query.kind ?? 'pr'
  const visible = (p: PostDoc | null) => (p && p.status === 'visible' && p.kind === kind && p.area.groupId === group._id.toString() ? p : null)
  // Pinned posts head the first page of the group feed and are not repeated below.
  const pinned = kind === 'pr' ? (await postsByIds(ctx, group.pinnedPostIds)).map(visible).filter((p) => p !== null) : []
  const pinnedIds = new Set(pinned.map((p) => p._id.toString()))
  const page = await readStream(ctx, streams.group(group._id, kind), { cursor: query.cursor, limit: query.limit ?? 20, lasting: true }, async (refs) =>
    (await postsByIds(ctx, refs)).map((p) => (visible(p) && !pinnedIds.has(p!._id.toString()) ? p : null)),
  )
  const top = query.cursor ? [] : (await withAuthors(ctx, pinned)).map((p) => ({ ...p, pinned: true }))
  return { items: [...top, ...(await withAuthors(ctx, page.items))], nextCursor: page.nextCursor }
}

export async function marketplace(ctx: ServiceContext, query: MarketplaceQuery): Promise<PostPage> {
  let authorId: Types.ObjectId | null = null
  if (query.author) {
    const author = await findMemberByHandle(ctx, query.author)
    if (!author) return { items: [], nextCursor: null }
    authorId = author._id
  }
  const needle = query.q?.trim().toLocaleLowerCase('de')
  const page = await readStream(ctx, streams.marketplace, { cursor: query.cursor, limit: query.limit ?? 20, lasting: true }, async (refs) =>
    (await postsByIds(ctx, refs)).map((p) => {
      if (!p || p.status !== 'visible' || p.kind !== 'ad' || p.area.type !== 'marketplace') return null
      if (authorId && !p.authorId.equals(authorId)) return null
      if (needle && !p.body.toLocaleLowerCase('de').includes(needle)) return null
      return p
    }),
  )
  return { items: await withAuthors(ctx, page.items), nextCursor: page.nextCursor }
}

export async function profilePosts(ctx: ServiceContext, handle: string, query: ProfilePostsQuery): Promise<PostPage> {
  const member = await findMemberByHandle(ctx, handle)
  if (!member) throw new AppError('PROFILE_NOT_FOUND', `There is no profile "${handle}".`)
  if (member.suspension) throw new AppError('PROFILE_UNAVAILABLE', `The profile "${handle}" is not available.`)
  const kind = query.kind ?? 'pr'
  const page = await readStream(ctx, streams.profile(member._id, kind), { cursor: query.cursor, limit: query.limit ?? 20, lasting: true }, async (refs) =>
    (await postsByIds(ctx, refs)).map((p) => (p && p.status === 'visible' && p.kind === kind && p.authorId.equals(member._id) ? p : null)),
  )
  return { items: await withAuthors(ctx, page.items), nextCursor: page.nextCursor }
}
