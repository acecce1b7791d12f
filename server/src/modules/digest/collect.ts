// What a member's digest tells: new recruits in their team, lessons their team finished, top
// posts of the people and groups they follow, join requests waiting for them. Every read is by
// _id (level lists, streams, documents), so a digest costs the same however big the site is.
import type { Types } from 'mongoose'
import type { ServiceContext } from '../../context.ts'
import { headOf, readStream, streamEntryId } from '../../db/streams.ts'
import { memberGroups, memberKey } from '../groups/index.ts'
import type { PostDoc } from '../posts/index.ts'
import { feedEnd, feedStream, streams } from '../posts/index.ts'
import { entryId, levelKey } from '../referrals/index.ts'
import { digestStream, type DigestBoxDoc, type DigestNoteDoc } from './model.ts'

/** Recruits count this deep into the team (direct recruits, theirs, and the next level). */
export const DIGEST_LEVELS = 3
/** At most this many entries of each kind are named; the rest are counted. */
export const DIGEST_NAMED = 5
const TOP_POSTS = 3
const FEED_LOOK = 60
const GROUPS_LOOK = 10
const GROUP_POSTS_LOOK = 10
const NOTES_LOOK = 100

export interface DigestContent {
  recruits: { count: number; named: Array<{ name: string; handle: string; level: number }> }
  lessons: { count: number; named: Array<{ name: string; lessonTitle: string; lessonId: string }> }
  requests: Array<{ groupName: string; slug: string; name: string }>
  posts: Array<{ authorName: string; excerpt: string; likes: number; comments: number; url: string }>
  /** Where the counts stand now: the next window starts here. */
  downlineSeq: Record<string, number>
  noteSeq: number
}

export const isEmpty = (c: DigestContent) => c.recruits.count === 0 && c.lessons.count === 0 && c.requests.length === 0 && c.posts.length === 0

type Owner = { _id: Types.ObjectId; downlineSeq?: unknown }

async function newRecruits(ctx: ServiceContext, me: Owner, box: DigestBoxDoc): Promise<DigestContent['recruits'] & { seqs: Record<string, number> }> {
  const now = (me.downlineSeq ?? {}) as Record<string, number>
  const seqs: Record<string, number> = {}
  let count = 0
  const named: DigestContent['recruits']['named'] = []
  for (let level = 1; level <= DIGEST_LEVELS; level++) {
    const key = levelKey(level)
    const from = box.downlineSeq[key] ?? 0
    const to = now[key] ?? 0
    seqs[key] = to
    if (to <= from) continue
    count += to - from
    // Newest first, as many as are still to be named.
    const numbers = Array.from({ length: Math.min(DIGEST_NAMED - named.length, to - from) }, (_, i) => to - i)
    const entries = await Promise.all(numbers.map((n) => ctx.models.DownlineEntry.findById(entryId(me._id, level, n)).lean()))
    const members = await Promise.all(entries.map((e) => (e ? ctx.models.Member.findById(e.m, { handle: 1, displayName: 1 }).lean() : null)))
    for (const m of members) if (m) named.push({ name: m.displayName, handle: m.handle, level })
  }
  return { count, named, seqs }
}

async function notes(ctx: ServiceContext, memberId: string, box: DigestBoxDoc) {
  const stream = digestStream(memberId)
  const head = await headOf(ctx, stream)
  const numbers = Array.from({ length: Math.min(NOTES_LOOK, Math.max(0, head - box.noteSeq)) }, (_, i) => head - i)
  const entries = await Promise.all(numbers.map((n) => ctx.models.StreamEntry.findById(streamEntryId(stream, n)).lean()))
  const found = await Promise.all(entries.map(async (e) => (e ? ((await ctx.models.DigestNote.findById(e.ref).lean()) as DigestNoteDoc | null) : null)))
  const docs = found.filter((d): d is DigestNoteDoc => d !== null)
  const lessons = docs.filter((d) => d.kind === 'lesson')
  // A request counts while it is still waiting (not decided, not withdrawn).
  const asked = docs.filter((d) => d.kind === 'request')
  const waiting = await Promise.all(asked.map((d) => ctx.models.GroupRequest.findById(memberKey(d.data.groupId!, d.data.memberId!)).lean()))
  const seen = new Set<string>()
  const requests = asked
    .filter(
      (d, i) =>
        waiting[i]?.type === 'request' && !seen.has(memberKey(d.data.groupId!, d.data.memberId!)) && seen.add(memberKey(d.data.groupId!, d.data.memberId!)),
    )
    .map((d) => ({ groupName: d.data.groupName!, slug: d.data.slug!, name: d.data.memberName! }))
  return {
    head,
    lessons: {
      count: lessons.length,
      named: lessons.slice(0, DIGEST_NAMED).map((d) => ({ name: d.data.memberName!, lessonTitle: d.data.lessonTitle!, lessonId: d.data.lessonId! })),
    },
    requests: requests.slice(0, DIGEST_NAMED),
  }
}

/** The most liked and discussed posts since the window began, from the home feed and the member's groups. */
async function topPosts(ctx: ServiceContext, memberId: string, since: Date): Promise<DigestContent['posts']> {
  const recent = (post: PostDoc | null): post is PostDoc =>
    !!post && post.status === 'visible' && post.kind === 'pr' && post.authorId.toString() !== memberId && post.createdAt >= since
  const read = (refs: Types.ObjectId[]) => Promise.all(refs.map(async (id) => (await ctx.models.Post.findById(id).lean()) as PostDoc | null))
  const feed = await readStream(ctx, feedStream(memberId), { limit: FEED_LOOK, head: () => feedEnd(ctx, memberId) }, read)
  const groups = (await memberGroups(ctx, memberId)).slice(0, GROUPS_LOOK)
  const inGroups = await Promise.all(groups.map((g) => readStream(ctx, streams.group(g._id, 'pr'), { limit: GROUP_POSTS_LOOK, lasting: true }, read)))
  const slugOf = new Map(groups.map((g) => [g._id.toString(), g.slug]))
  const seen = new Set<string>()
  const score = (p: PostDoc) => p.likeCount + 2 * p.commentCount
  // Popular: someone liked or discussed it.
  const candidates = [...feed.items, ...inGroups.flatMap((p) => p.items)]
    .filter((p) => recent(p) && score(p) > 0)
    .filter((p) => !seen.has(p._id.toString()) && seen.add(p._id.toString()))
  const top = candidates.sort((a, b) => score(b) - score(a) || b.createdAt.getTime() - a.createdAt.getTime()).slice(0, TOP_POSTS)
  const authors = await Promise.all(top.map((p) => ctx.models.Member.findById(p.authorId, { handle: 1, displayName: 1 }).lean()))
  return top.flatMap((p, i) => {
    const author = authors[i]
    if (!author) return []
    const slug = p.area.groupId ? slugOf.get(p.area.groupId) : undefined
    const excerpt = p.body
      .replace(/[#*_>`[\]()!]/g, '')
      .replace(/\s+/g, ' ')
      .trim()
    return [
      {
        authorName: author.displayName,
        excerpt: excerpt.length > 120 ? `${excerpt.slice(0, 119)}…` : excerpt,
        likes: p.likeCount,
        comments: p.commentCount,
        url: `${ctx.config.publicUrl}${slug ? `/groups/${slug}` : `/p/${author.handle}`}`,
      },
    ]
  })
}

export async function collectDigest(ctx: ServiceContext, me: Owner, box: DigestBoxDoc): Promise<DigestContent> {
  const memberId = me._id.toString()
  const [recruits, noted, posts] = await Promise.all([newRecruits(ctx, me, box), notes(ctx, memberId, box), topPosts(ctx, memberId, box.since)])
  return {
    recruits: { count: recruits.count, named: recruits.named },
    lessons: noted.lessons,
    requests: noted.requests,
    posts,
    downlineSeq: recruits.seqs,
    noteSeq: noted.head,
  }
}
