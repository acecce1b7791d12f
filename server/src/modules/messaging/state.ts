import type { Types } from 'mongoose'
import type { ServiceContext } from '../../context.ts'
import { SUMMARY_FIELDS, toMemberSummary, type MemberDoc } from '../accounts/index.ts'
import { type GroupDoc, roleIn } from '../groups/index.ts'
import { Memory, type AuthorInfo, type ConversationInfo } from './memory.ts'
import type { ConversationDoc, ParticipantDoc } from './model.ts'
import type { ConversationHead } from './writer-parts.ts'

/**
 * How long this node trusts what it remembers about participants, groups and room access. Changes
 * made on this node update or drop the entry at once; changes made on another node (a read mark,
 * a mute, leaving) reach this node's send path within this time.
 */
export const REMEMBER_MS = 10_000

/**
 * Authors (name, picture, role, blocks) are kept longer: every change to them is forgotten on
 * every node by its event (see subscribers.ts), so the time only bounds memory, not staleness.
 * At 10 s, re-reading 1,000 active authors cost the embedded database 100 reads a second.
 */
export const AUTHOR_MEMORY_MS = 10 * 60_000

interface ChatMemory {
  /** Conversations never change who is in them, so they are kept until evicted. */
  conversations: Memory<string, ConversationInfo>
  authors: Memory<string, AuthorInfo>
  participants: Memory<string, ParticipantDoc>
  groups: Memory<string, GroupDoc>
  /** "<room>:<member>" → the member belongs to the room's group. */
  roomAccess: Memory<string, boolean>
  /** participant → the newest message they wrote through this node, and when: they are in that chat. */
  wrote: Memory<string, { seq: number; at: number }>
}

const memories = new WeakMap<ServiceContext, ChatMemory>()

export function chatMemory(ctx: ServiceContext): ChatMemory {
  let memory = memories.get(ctx)
  if (!memory) {
    memory = {
      conversations: new Memory(60 * 60_000),
      authors: new Memory(AUTHOR_MEMORY_MS),
      participants: new Memory(REMEMBER_MS, 100_000),
      groups: new Memory(REMEMBER_MS),
      roomAccess: new Memory(REMEMBER_MS, 100_000),
      wrote: new Memory(60_000, 100_000),
    }
    memories.set(ctx, memory)
  }
  return memory
}

export function toInfo(c: ConversationDoc): ConversationInfo {
  return { _id: c._id, kind: c.kind, title: c.title, groupId: c.groupId, participantIds: c.participantIds, createdBy: c.createdBy }
}

export async function conversationInfo(ctx: ServiceContext, id: string): Promise<ConversationInfo | null> {
  return chatMemory(ctx).conversations.load(id, async () => {
    const stored = (await ctx.models.Conversation.findById(id, { lastSeq: 0, lastPreview: 0 }).lean()) as ConversationDoc | null
    return stored ? toInfo(stored) : null
  })
}

export async function authorInfo(ctx: ServiceContext, memberId: string): Promise<AuthorInfo | null> {
  // A block or profile change forgotten while this read was on its way is not overwritten by it.
  return chatMemory(ctx).authors.load(memberId, async () => {
    const member = (await ctx.models.Member.findById(memberId, { ...SUMMARY_FIELDS, blocked: 1, blockedBy: 1 }).lean()) as MemberDoc | null
    return member ? { summary: toMemberSummary(member), blocked: member.blocked ?? [], blockedBy: member.blockedBy ?? [] } : null
  })
}

/** Blocks and profile changes made on this node take effect at once. */
export function forgetMember(ctx: ServiceContext, memberId: Types.ObjectId | string): void {
  chatMemory(ctx).authors.delete(memberId.toString())
}

export async function participantState(ctx: ServiceContext, _id: string): Promise<ParticipantDoc | null> {
  return chatMemory(ctx).participants.load(_id, async () => (await ctx.models.Participant.findById(_id).lean()) as ParticipantDoc | null)
}

/** Keeps the remembered state in step with a write this node just made. */
export function rememberParticipant(ctx: ServiceContext, _id: string, change: Partial<ParticipantDoc>): void {
  chatMemory(ctx).participants.update(_id, (state) => ({
    ...state,
    ...change,
    ...(change.lastReadSeq !== undefined ? { lastReadSeq: Math.max(state.lastReadSeq, change.lastReadSeq) } : {}),
    ...(change.notifiedSeq !== undefined ? { notifiedSeq: Math.max(state.notifiedSeq, change.notifiedSeq) } : {}),
  }))
}

export async function groupOf(ctx: ServiceContext, groupId: Types.ObjectId | null): Promise<GroupDoc | null> {
  if (!groupId) return null
  return chatMemory(ctx).groups.load(groupId.toString(), async () => (await ctx.models.Group.findById(groupId).lean()) as GroupDoc | null)
}

/** Whether a member may be in a group's room right now (team rooms follow the downline). */
export async function admittedToRoom(ctx: ServiceContext, room: ConversationInfo, memberId: string): Promise<boolean> {
  // A removal from the group forgotten while this was being looked up is not overwritten by it.
  const admitted = await chatMemory(ctx).roomAccess.load(`${room._id.toString()}:${memberId}`, async () => {
    const group = await groupOf(ctx, room.groupId)
    return !!group && !!(await roleIn(ctx, group, memberId))
  })
  return admitted === true
}

/** Forgets every room answer about these members: they moved in the join graph, and team rooms follow it. */
export function forgetRoomsOf(ctx: ServiceContext, memberIds: Iterable<string>): void {
  const suffixes = new Set([...memberIds].map((id) => `:${id}`))
  chatMemory(ctx).roomAccess.deleteWhere((key) => suffixes.has(key.slice(key.lastIndexOf(':'))))
}

/** Someone joined, left or was removed from a group: this node's room gate asks again. */
export function forgetRoomAccess(ctx: ServiceContext, groupId: Types.ObjectId | string, memberId: Types.ObjectId | string): void {
  chatMemory(ctx).roomAccess.delete(`${groupId.toString()}:${memberId.toString()}`)
}

/** This node's message writer, as far as readers need it. */
const writers = new WeakMap<ServiceContext, { headOf(conversationId: string): ConversationHead | undefined }>()

export function registerWriter(ctx: ServiceContext, writer: { headOf(conversationId: string): ConversationHead | undefined }): void {
  writers.set(ctx, writer)
}

/** What this node stored in a conversation beyond its document, if anything. */
export function pendingHead(ctx: ServiceContext, conversationId: string): ConversationHead | undefined {
  return writers.get(ctx)?.headOf(conversationId)
}

/** A conversation as stored plus what this node stored in it since (its head is written shortly after). */
export function withPending(ctx: ServiceContext, c: ConversationDoc): ConversationDoc {
  const head = writers.get(ctx)?.headOf(c._id.toString())
  if (!head) return c
  const wrote = { ...(c.wrote ?? {}) }
  for (const [member, seq] of Object.entries(head.wrote)) wrote[member] = Math.max(wrote[member] ?? 0, seq)
  const newer = head.lastSeq > c.lastSeq
  return { ...c, lastSeq: newer ? head.lastSeq : c.lastSeq, lastPreview: newer ? head.lastPreview : c.lastPreview, wrote }
}

/** How far a member has read: what they marked read, or the last message they wrote, if later. */
export function effectiveRead(c: Pick<ConversationDoc, 'wrote'>, me: Pick<ParticipantDoc, 'lastReadSeq'>, memberId: string): number {
  return Math.max(me.lastReadSeq, c.wrote?.[memberId] ?? 0)
}
