import { AppError } from '@vernetzt/shared/errors'
import type { Conversation, CreateConversationBody } from '@vernetzt/shared/schemas/messages'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { memberSummaries, findMemberByHandle, type MemberDoc } from '../accounts/index.ts'
import { isFollowing } from '../follows/index.ts'
import { type GroupDoc, memberGroups, roleIn } from '../groups/index.ts'
import { changeEntry, entryUpdate, fullEntry, writeEntries } from './inbox-index.ts'
import { access, roomOf } from './access.ts'
import { SenderLimiter } from './limits.ts'
import { participantId, type ConversationDoc, type ParticipantDoc } from './model.ts'
import { effectiveRead, rememberParticipant } from './state.ts'

const directKey = (a: Types.ObjectId, b: Types.ObjectId) => `dm:${[a.toString(), b.toString()].sort().join(':')}`

/**
 * Who may write to whom without asking first: sponsor and downline, people who follow each
 * other, and members of a shared group. Everyone else starts with a message request.
 */
export async function inCircle(ctx: ServiceContext, a: Pick<MemberDoc, '_id' | 'upline'>, b: Pick<MemberDoc, '_id' | 'upline'>): Promise<boolean> {
  if (a.upline.some((id) => id.equals(b._id)) || b.upline.some((id) => id.equals(a._id))) return true
  const [ab, ba] = await Promise.all([isFollowing(ctx, a._id.toString(), b._id.toString()), isFollowing(ctx, b._id.toString(), a._id.toString())])
  if (ab && ba) return true
  const [ga, gb] = await Promise.all([memberGroups(ctx, a._id.toString()), memberGroups(ctx, b._id.toString())])
  const mine = new Set(ga.map((g) => g._id.toString()))
  return gb.some((g) => mine.has(g._id.toString()))
}

/** Per sender and node: messages at MESSAGE_RATE_LIMIT a minute, new conversations at 30 an hour. */
const limiters = new WeakMap<ServiceContext, { messages: SenderLimiter; conversations: SenderLimiter }>()

export function limitsOf(ctx: ServiceContext) {
  let limits = limiters.get(ctx)
  if (!limits) {
    limits = { messages: new SenderLimiter(ctx.config.messageRateLimit, 'messages'), conversations: new SenderLimiter(0.5, 'new conversations') }
    limiters.set(ctx, limits)
  }
  return limits
}

/** Either of two members blocked the other. */
export function blockedBetween(a: { blocked?: Types.ObjectId[]; blockedBy?: Types.ObjectId[] }, b: Types.ObjectId): boolean {
  return [...(a.blocked ?? []), ...(a.blockedBy ?? [])].some((id) => id.equals(b))
}

export async function toConversation(ctx: ServiceContext, c: ConversationDoc, me: ParticipantDoc, group: GroupDoc | null = null): Promise<Conversation> {
  const members = await memberSummaries(ctx, c.participantIds)
  return {
    id: c._id.toString(),
    kind: c.kind,
    title: c.kind === 'room' ? (group?.name ?? c.title) : c.title,
    groupSlug: group?.slug ?? null,
    participants: c.participantIds.flatMap((id) => members.get(id.toString()) ?? []),
    lastMessage: c.lastPreview ? { text: c.lastPreview.text, at: c.lastPreview.at.toISOString(), author: c.lastPreview.author } : null,
    unread: Math.max(0, c.lastSeq - effectiveRead(c, me, me._id.split(':')[1] ?? '')),
    status: me.status,
    lastSeq: c.lastSeq,
    muted: me.muted ?? false,
  }
}

export async function getConversation(ctx: ServiceContext, actor: Actor, conversationId: string): Promise<Conversation> {
  const { conversation, me, group } = await access(ctx, conversationId, actor.id)
  return toConversation(ctx, conversation, me, group)
}

/** A group's chat room, for its members (made on first use). */
export async function groupRoom(ctx: ServiceContext, actor: Actor, group: GroupDoc): Promise<Conversation> {
  if (!(await roleIn(ctx, group, actor.id))) throw new AppError('NOT_A_MEMBER', 'Only members of this group can open its chat.')
  const room = await roomOf(ctx, group)
  return getConversation(ctx, actor, room._id.toString())
}

/** Opens a conversation (a direct one with the same person is reused). */
export async function createConversation(ctx: ServiceContext, actor: Actor, input: CreateConversationBody): Promise<Conversation> {
  const me = (await ctx.models.Member.findById(actor.id).lean()) as MemberDoc | null
  if (!me) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  const others: MemberDoc[] = []
  for (const handle of input.participants) {
    const other = await findMemberByHandle(ctx, handle)
    if (!other) throw new AppError('PROFILE_NOT_FOUND', `There is no member "${handle}".`, { field: 'participants' })
    if (!other._id.equals(me._id) && !others.some((o) => o._id.equals(other._id))) others.push(other)
  }
  if (others.length === 0) throw new AppError('VALIDATION_FAILED', 'A conversation needs someone besides you.', { field: 'participants' })
  const blocked = others.find((o) => blockedBetween(me, o._id))
  if (blocked) throw new AppError('BLOCKED', `You cannot start a conversation with "${blocked.handle}".`, { field: 'participants' })
  const kind = others.length === 1 && !input.title ? 'direct' : 'group'
  const _id = new Types.ObjectId()
  if (kind === 'direct') {
    try {
      await ctx.models.Key.create({ _id: directKey(me._id, others[0]!._id), memberId: _id })
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
      const key = await ctx.models.Key.findById(directKey(me._id, others[0]!._id)).lean()
      const existing = await access(ctx, key!.memberId.toString(), actor.id)
      return toConversation(ctx, existing.conversation, existing.me)
    }
  }
  // Opening a conversation with people outside one's circle is what spam looks like.
  if (!(await Promise.all(others.map((o) => inCircle(ctx, o, me)))).every(Boolean)) limitsOf(ctx).conversations.take(actor.id)
  const conversation = (
    await ctx.models.Conversation.create({
      _id,
      kind,
      title: kind === 'group' ? (input.title ?? null) : null,
      participantIds: [me._id, ...others.map((o) => o._id)],
      createdBy: me._id,
    })
  ).toObject() as ConversationDoc
  const states: ParticipantDoc[] = [(await ctx.models.Participant.create({ _id: participantId(_id, me._id), status: 'active' })).toObject()]
  for (const other of others) {
    const status = (await inCircle(ctx, other, me)) ? 'active' : 'request'
    states.push((await ctx.models.Participant.create({ _id: participantId(_id, other._id), status })).toObject())
  }
  // Into every participant's list (see inbox-index.ts).
  await writeEntries(
    ctx,
    conversation.participantIds.map((id, i) => entryUpdate(id.toString(), _id.toString(), fullEntry(conversation, states[i]!, id.toString()))),
  )
  return toConversation(ctx, conversation, states[0]!)
}

export async function acceptRequest(ctx: ServiceContext, actor: Actor, conversationId: string): Promise<Conversation> {
  const { conversation, me } = await access(ctx, conversationId, actor.id)
  await ctx.models.Participant.updateOne({ _id: me._id }, { $set: { status: 'active' } })
  if (conversation.kind !== 'room') await changeEntry(ctx, actor.id, conversationId, { set: { status: 'active' } })
  rememberParticipant(ctx, me._id, { status: 'active' })
  return toConversation(ctx, conversation, { ...me, status: 'active' })
}

/** Mute: no "new message" notices from this conversation (mentions still arrive). */
export async function setMuted(ctx: ServiceContext, actor: Actor, conversationId: string, muted: boolean): Promise<Conversation> {
  const { conversation, me, group } = await access(ctx, conversationId, actor.id)
  await ctx.models.Participant.updateOne({ _id: me._id }, { $set: { muted } })
  if (conversation.kind !== 'room') await changeEntry(ctx, actor.id, conversationId, { set: { muted } })
  rememberParticipant(ctx, me._id, { muted })
  return toConversation(ctx, conversation, { ...me, muted }, group)
}
