import { AppError } from '@vernetzt/shared/errors'
import type { MemberSummary } from '@vernetzt/shared/schemas/common'
import {
  ONBOARDING_ITEMS,
  type OnboardingChecklist,
  type OnboardingItem,
  type RecruitsOnboardingPage,
  type RecruitsOnboardingQuery,
} from '@vernetzt/shared/schemas/onboarding'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { headOf, readStream } from '../../db/streams.ts'
import { SUMMARY_FIELDS, toMemberSummary, findMemberByHandle, type MemberDoc } from '../accounts/index.ts'
import { memberGroups } from '../groups/index.ts'
import { findMedia } from '../media/index.ts'
import { progressId, type ProgressDoc } from '../lessons/index.ts'
import { type PostDoc, streams } from '../posts/index.ts'
import { entryId, levelKey } from '../referrals/index.ts'
import type { OnboardingDoc } from './model.ts'
import { profileComplete } from '../profiles/index.ts'

type Id = Types.ObjectId | string
const oid = (id: Id) => (typeof id === 'string' ? new Types.ObjectId(id) : id)

const MEMBER_FIELDS = { ...SUMMARY_FIELDS, sponsorId: 1, createdAt: 1 } as const
type ChecklistMember = Pick<MemberDoc, '_id' | 'handle' | 'displayName' | 'role' | 'avatarId' | 'sponsorId' | 'createdAt'>

function toChecklist(member: ChecklistMember, sponsor: MemberSummary | null, doc: OnboardingDoc | null): OnboardingChecklist {
  const items = Object.fromEntries(ONBOARDING_ITEMS.map((item) => [item, doc?.items?.[item]?.toISOString() ?? null])) as OnboardingChecklist['items']
  const done = ONBOARDING_ITEMS.filter((item) => items[item] !== null).length
  return {
    member: toMemberSummary(member),
    sponsor,
    joinedAt: member.createdAt.toISOString(),
    items,
    done,
    total: ONBOARDING_ITEMS.length,
    completedAt: doc?.completedAt?.toISOString() ?? null,
  }
}

/** The sponsor as the checklist shows them; the company root is nobody's onboarding sponsor. */
async function sponsorOf(ctx: ServiceContext, member: Pick<MemberDoc, 'sponsorId'>): Promise<{ _id: Types.ObjectId; summary: MemberSummary } | null> {
  if (!member.sponsorId) return null
  const sponsor = await ctx.models.Member.findById(member.sponsorId, { ...SUMMARY_FIELDS, isRoot: 1 }).lean()
  return sponsor && !sponsor.isRoot ? { _id: sponsor._id, summary: toMemberSummary(sponsor) } : null
}

/**
 * What the member did before the checklist existed, read from the data itself: the avatar's
 * upload date, the first post of their PR stream, the first lesson they finished. A complete
 * profile has no date of its own, so it counts from the moment it is found. Team-group visits
 * were never recorded, so that item waits for the next visit. Runs once per member, when their
 * checklist is first read or ticked.
 */
async function derive(ctx: ServiceContext, memberId: Types.ObjectId): Promise<Partial<Record<OnboardingItem, Date>>> {
  const member = await ctx.models.Member.findById(memberId, { bio: 1, location: 1, avatarId: 1 }).lean()
  if (!member) return {}
  const found: Partial<Record<OnboardingItem, Date>> = {}
  if (profileComplete(member)) found.profile = new Date()
  const [avatar, firstPost, lessonDates] = await Promise.all([
    member.avatarId ? findMedia(ctx, member.avatarId.toString(), false) : null,
    firstPrPost(ctx, memberId),
    firstLessonDates(ctx, memberId),
  ])
  if (member.avatarId) found.photo = avatar?.createdAt ?? new Date()
  if (firstPost) found.firstPrPost = firstPost
  const firstLesson = lessonDates.sort((a, b) => a.getTime() - b.getTime())[0]
  if (firstLesson) found.firstLesson = firstLesson
  return found
}

/** The oldest entry of the member's PR stream (feed and profile posts; group posts are not listed there). */
async function firstPrPost(ctx: ServiceContext, memberId: Types.ObjectId): Promise<Date | null> {
  const stream = streams.profile(memberId, 'pr')
  if ((await headOf(ctx, stream)) === 0) return null
  const page = await readStream(ctx, stream, { cursor: '2', limit: 1, maxProbe: 1 }, async (refs) =>
    Promise.all(refs.map(async (id) => (await ctx.models.Post.findById(id, { kind: 1, createdAt: 1 }).lean()) as Pick<PostDoc, 'kind' | 'createdAt'> | null)),
  )
  const post = page.items[0]
  return post?.kind === 'pr' ? post.createdAt : null
}

async function firstLessonDates(ctx: ServiceContext, memberId: Types.ObjectId): Promise<Date[]> {
  const trainings = (await memberGroups(ctx, memberId.toString())).filter((g) => g.kind === 'training')
  const ids = trainings.flatMap((g) => g.lessonIds)
  const progress = await Promise.all(ids.map((id) => ctx.models.Progress.findById(progressId(id, memberId)).lean() as Promise<ProgressDoc | null>))
  return progress.flatMap((p) => (p?.done && p.doneAt ? [p.doneAt] : []))
}

/** Creates the member's checklist from what they did already; a checklist that exists is left as it is. */
async function backfill(ctx: ServiceContext, memberId: Types.ObjectId): Promise<void> {
  const found = await derive(ctx, memberId)
  const min = Object.fromEntries(Object.entries(found).map(([item, at]) => [`items.${item}`, at]))
  await upsert(ctx, memberId, { ...(Object.keys(min).length ? { $min: min } : {}), $setOnInsert: { createdAt: new Date() } }, 'after')
}

/** One atomic write by _id; two first writes racing on a new document are retried once. */
async function upsert(
  ctx: ServiceContext,
  _id: Types.ObjectId,
  update: Record<string, unknown>,
  returnDocument: 'before' | 'after',
): Promise<OnboardingDoc | null> {
  const run = () => ctx.models.Onboarding.findOneAndUpdate({ _id }, update, { upsert: true, returnDocument }).lean() as Promise<OnboardingDoc | null>
  try {
    return await run()
  } catch (error) {
    if (!isDuplicateKey(error)) throw error
    return run()
  }
}

async function loadDoc(ctx: ServiceContext, memberId: Types.ObjectId): Promise<OnboardingDoc | null> {
  const doc = (await ctx.models.Onboarding.findById(memberId).lean()) as OnboardingDoc | null
  if (doc) return doc
  await backfill(ctx, memberId)
  return (await ctx.models.Onboarding.findById(memberId).lean()) as OnboardingDoc | null
}

/**
 * Marks a step done, once: the first date stays. When this call is the one that ticked it, the
 * member's and the sponsor's open tabs get the new checklist, and when it was the last open step
 * the sponsor gets one notification. Returns whether anything changed.
 */
export async function tick(ctx: ServiceContext, memberId: Id, item: OnboardingItem, at: Date = new Date()): Promise<boolean> {
  const _id = oid(memberId)
  const current = (await ctx.models.Onboarding.findById(_id).lean()) as OnboardingDoc | null
  if (current?.items?.[item]) return false // the common case (every later visit of the team group): one read
  const before = await upsert(ctx, _id, { $min: { [`items.${item}`]: at }, $setOnInsert: { createdAt: at } }, 'before')
  if (before?.items?.[item]) return false // someone else ticked it in between
  if (!before) await backfill(ctx, _id) // the first write for this member: add what they did before
  const [doc, member] = await Promise.all([
    ctx.models.Onboarding.findById(_id).lean() as Promise<OnboardingDoc | null>,
    ctx.models.Member.findById(_id, MEMBER_FIELDS).lean() as Promise<ChecklistMember | null>,
  ])
  if (!doc || !member) return true
  const sponsor = await sponsorOf(ctx, member)
  let checklist = toChecklist(member, sponsor?.summary ?? null, doc)
  let completedNow = false
  if (checklist.done === checklist.total && !doc.completedAt) {
    const latest = new Date(Math.max(...ONBOARDING_ITEMS.map((i) => doc.items[i]?.getTime() ?? 0)))
    const claimed = await upsert(ctx, _id, { $min: { completedAt: latest } }, 'before')
    if (!claimed?.completedAt) {
      checklist = toChecklist(member, sponsor?.summary ?? null, (await ctx.models.Onboarding.findById(_id).lean()) as OnboardingDoc | null)
      completedNow = true
    }
  }
  await ctx.events.publish('onboarding.updated', { checklist, sponsorId: sponsor?._id.toString() ?? null, completedNow })
  return true
}

/** A member's checklist for the member, anyone above them in the join graph, and admins; others see a 404. */
export async function getChecklist(ctx: ServiceContext, actor: Actor, handle: string): Promise<OnboardingChecklist> {
  const member = await findMemberByHandle(ctx, handle, { ...MEMBER_FIELDS, upline: 1 })
  const mayRead = member && (member._id.equals(actor.id) || member.upline.some((id) => id.equals(actor.id)) || actor.role === 'admin')
  // The same answer for "no such member" and "not yours to see".
  if (!member || !mayRead) throw new AppError('PROFILE_NOT_FOUND', `There is no onboarding checklist of "${handle}" for you.`)
  const [doc, sponsor] = await Promise.all([loadDoc(ctx, member._id), sponsorOf(ctx, member)])
  return toChecklist(member, sponsor?.summary ?? null, doc)
}

/** How many level-list numbers one page looks at before it answers with what it found (holes left by moves). */
const MAX_PROBE = 400

/**
 * The actor's direct recruits (partners, not customers), newest first, each with their checklist. Reads the level-1 list
 * (referrals/model.ts) from its top down by _id, like every other list here.
 */
export async function recruitsOnboarding(ctx: ServiceContext, actor: Actor, query: RecruitsOnboardingQuery): Promise<RecruitsOnboardingPage> {
  const limit = query.limit ?? 20
  const me = await ctx.models.Member.findById(actor.id, { ...SUMMARY_FIELDS, downlineSeq: 1, isRoot: 1 }).lean()
  if (!me) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  const last = ((me.downlineSeq ?? {}) as Record<string, number>)[levelKey(1)] ?? 0
  const start = query.cursor !== undefined ? Math.min(Number(query.cursor) - 1, last) : last
  const recruits: ChecklistMember[] = []
  let next = start
  while (recruits.length < limit && next >= 1 && start - next < MAX_PROBE) {
    const window = Array.from({ length: Math.min(limit - recruits.length, next) }, (_, i) => next - i)
    const entries = await Promise.all(window.map((n) => ctx.models.DownlineEntry.findById(entryId(me._id, 1, n)).lean()))
    const members = await Promise.all(entries.map((e) => (e ? ctx.models.Member.findById(e.m, { ...MEMBER_FIELDS, upline: 1 }).lean() : null)))
    // An entry left by an admin move points at someone who is no longer directly below: skip it.
    // Customers are no recruits: they shop, and have no partner's first steps to take.
    for (const m of members) if (m && m.upline[0]?.equals(me._id) && m.role !== 'customer') recruits.push(m as ChecklistMember)
    next = window[window.length - 1]! - 1
  }
  const sponsor = me.isRoot ? null : toMemberSummary(me)
  const docs = await Promise.all(recruits.map((m) => loadDoc(ctx, m._id)))
  return {
    items: recruits.map((m, i) => toChecklist(m, sponsor, docs[i] ?? null)),
    nextCursor: next >= 1 ? String(next + 1) : null,
  }
}
