import type { MemberSummary } from '@vernetzt/shared/schemas/common'
import type { Conversation, ConversationPage } from '@vernetzt/shared/schemas/messages'
import type { Actor, ServiceContext } from '../../context.ts'
import { type GroupDoc, memberGroups } from '../groups/index.ts'
import { toConversation } from './conversations.ts'
import { completeEntries, readIndex } from './inbox-index.ts'
import { participantId, type ConversationDoc, type IndexEntry, type ParticipantDoc } from './model.ts'
import { authorInfo, pendingHead, withPending } from './state.ts'

/**
 * Cursors are digits (the shared feed cursor): milliseconds since 2020, which fit its twelve
 * digits until 2051. A page never ends between two conversations of the same millisecond, so
 * "older than the cursor" neither repeats nor skips one.
 */
const CURSOR_EPOCH = Date.UTC(2020, 0, 1)

interface Row {
  id: string
  entry: Required<Pick<IndexEntry, 'kind' | 'members' | 'status'>> & IndexEntry
}

/** What this node stored in the conversation since its entry was written (heads follow within a second). */
function withPendingHead(ctx: ServiceContext, row: Row, memberId: string): Row {
  const head = pendingHead(ctx, row.id)
  if (!head) return row
  const e = { ...row.entry }
  if (head.lastSeq > (e.lastSeq ?? 0)) {
    e.lastSeq = head.lastSeq
    e.preview = head.lastPreview
    e.at = Math.max(e.at ?? 0, head.lastPreview ? new Date(head.lastPreview.at).getTime() : 0)
  }
  e.read = Math.max(e.read ?? 0, head.wrote[memberId] ?? 0)
  return { id: row.id, entry: e }
}

/** Messages after the member's read mark. */
const unreadOf = (e: IndexEntry) => Math.max(0, (e.lastSeq ?? 0) - (e.read ?? 0))

/** The member's entries, completed, with what this node stored since: what the list and the badge read. */
async function currentRows(ctx: ServiceContext, memberId: string): Promise<Row[]> {
  const entries = await readIndex(ctx, memberId)
  await completeEntries(ctx, memberId, entries)
  return [...entries].map(([id, entry]) => withPendingHead(ctx, { id, entry: entry as Row['entry'] }, memberId))
}

const newestFirst = (a: Row, b: Row) => (b.entry.at ?? 0) - (a.entry.at ?? 0) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)

/** One page, newest first, cut before a run of equal times that would straddle the page end. */
function pageOf(rows: Row[], cursor: string | undefined, limit: number): { rows: Row[]; nextCursor: string | null } {
  const before = cursor === undefined ? Infinity : Number(cursor) + CURSOR_EPOCH
  const older = rows.filter((r) => (r.entry.at ?? 0) < before)
  if (older.length <= limit) return { rows: older, nextCursor: null }
  let end = limit
  const at = (i: number) => older[i]!.entry.at ?? 0
  while (end > 0 && at(end) === at(end - 1)) end--
  if (end === 0) for (end = limit; end < older.length && at(end) === at(end - 1); end++);
  const page = older.slice(0, end)
  return { rows: page, nextCursor: end < older.length ? String(at(end - 1) - CURSOR_EPOCH) : null }
}

/** Summaries from the chat's memory of members (forgotten on every node when a profile changes). */
async function summaries(ctx: ServiceContext, ids: Iterable<string>): Promise<Map<string, MemberSummary>> {
  const unique = [...new Set(ids)]
  const found = await Promise.all(unique.map((id) => authorInfo(ctx, id)))
  return new Map(found.flatMap((a, i) => (a ? [[unique[i]!, a.summary] as const] : [])))
}

function toItem(row: Row, people: Map<string, MemberSummary>): Conversation {
  const e = row.entry
  return {
    id: row.id,
    kind: e.kind,
    title: e.title ?? null,
    groupSlug: null,
    participants: e.members.flatMap((id) => people.get(id) ?? []),
    lastMessage: e.preview ? { text: e.preview.text, at: new Date(e.preview.at).toISOString(), author: e.preview.author } : null,
    unread: unreadOf(e),
    status: e.status,
    lastSeq: e.lastSeq ?? 0,
    muted: e.muted ?? false,
  }
}

/**
 * The member's conversations, most recent activity first: the index's few documents, then the
 * summaries of the page's people (from memory when warm). The number of reads does not depend
 * on the number of conversations.
 */
export async function listConversations(ctx: ServiceContext, actor: Actor, query: { cursor?: string; limit?: number }): Promise<ConversationPage> {
  const [current, groups] = await Promise.all([currentRows(ctx, actor.id), query.cursor ? null : memberGroups(ctx, actor.id)])
  const rows = current.sort(newestFirst)
  const page = pageOf(rows, query.cursor, query.limit ?? 20)
  const [people, roomList] = await Promise.all([
    summaries(
      ctx,
      page.rows.flatMap((r) => r.entry.members),
    ),
    groups ? rooms(ctx, actor, groups) : null,
  ])
  const items = page.rows.map((r) => toItem(r, people))
  return roomList ? { items, nextCursor: page.nextCursor, rooms: roomList } : { items, nextCursor: page.nextCursor }
}

/**
 * How many conversations have unread messages (muted ones left out), for the badge beside
 * "Nachrichten": the index's few documents, no summaries. Rooms are not counted (their unread
 * count shows in the list).
 */
export async function unreadConversations(ctx: ServiceContext, actor: Actor): Promise<{ conversations: number }> {
  const rows = await currentRows(ctx, actor.id)
  return { conversations: rows.filter((r) => !r.entry.muted && unreadOf(r.entry) > 0).length }
}

const NO_STATE: ParticipantDoc = { _id: '', status: 'active', lastReadSeq: 0, inboxSeq: null, muted: false, notifiedSeq: 0, lastReadAt: null }

/** Rooms are not in the index (one message would touch every member's); they come with the first page. */
function rooms(ctx: ServiceContext, actor: Actor, groups: GroupDoc[]): Promise<Conversation[]> {
  return Promise.all(
    groups.map(async (group) => {
      const [stored, me] = await Promise.all([
        ctx.models.Conversation.findById(group._id).lean() as Promise<ConversationDoc | null>,
        ctx.models.Participant.findById(participantId(group._id, actor.id)).lean() as Promise<ParticipantDoc | null>,
      ])
      const conversation = stored ? withPending(ctx, stored) : virtualRoom(group)
      return toConversation(ctx, conversation, (stored && me) || NO_STATE, group)
    }),
  )
}

/** A room nobody has written in yet, shown without storing anything. */
function virtualRoom(group: GroupDoc): ConversationDoc {
  return {
    _id: group._id,
    kind: 'room',
    title: null,
    groupId: group._id,
    participantIds: [],
    createdBy: group.ownerId,
    lastSeq: 0,
    lastPreview: null,
    createdAt: new Date(),
  }
}
