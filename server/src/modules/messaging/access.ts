import { AppError } from '@vernetzt/shared/errors'
import { Types } from 'mongoose'
import type { ServiceContext } from '../../context.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { type GroupDoc, roleIn } from '../groups/index.ts'
import { participantId, type ConversationDoc, type ParticipantDoc } from './model.ts'
import type { ConversationInfo } from './memory.ts'
import { admittedToRoom, conversationInfo, participantState, withPending } from './state.ts'

const notFound = () => new AppError('CONVERSATION_NOT_FOUND', 'There is no such conversation.')
const isConversationId = (id: string) => Types.ObjectId.isValid(id) && String(new Types.ObjectId(id)) === id

export interface Access {
  conversation: ConversationDoc
  me: ParticipantDoc
  /** Set for a group's chat room. */
  group: GroupDoc | null
}

/**
 * The one gate to a conversation. Direct and group conversations admit their participants; a
 * group's room admits whoever belongs to the group right now (team groups follow the downline).
 * Everyone else gets the same 404 as for an id that does not exist, so guessing learns nothing.
 */
export async function access(ctx: ServiceContext, conversationId: string, memberId: string): Promise<Access> {
  if (!isConversationId(conversationId)) throw notFound()
  const [me, stored] = await Promise.all([
    ctx.models.Participant.findById(participantId(conversationId, memberId)).lean() as Promise<ParticipantDoc | null>,
    ctx.models.Conversation.findById(conversationId).lean() as Promise<ConversationDoc | null>,
  ])
  if (!stored) throw notFound()
  const conversation = withPending(ctx, stored)
  if (conversation.kind !== 'room') {
    if (!me) throw notFound()
    return { conversation, me, group: null }
  }
  const group = (await ctx.models.Group.findById(conversation.groupId).lean()) as GroupDoc | null
  if (!group || !(await roleIn(ctx, group, memberId))) throw notFound()
  return { conversation, me: me ?? (await joinRoom(ctx, conversation, memberId)), group }
}

/** The gate for sending, from this node's memory where it can: the same answers as access(). */
export async function sendAccess(
  ctx: ServiceContext,
  conversationId: string,
  memberId: string,
): Promise<{ conversation: ConversationInfo; me: ParticipantDoc }> {
  if (!isConversationId(conversationId)) throw notFound()
  const conversation = await conversationInfo(ctx, conversationId)
  if (!conversation) throw notFound()
  if (conversation.kind === 'room') {
    if (!(await admittedToRoom(ctx, conversation, memberId))) throw notFound()
    // A member's own state in a room is made the first time they open or write in it.
    return { conversation, me: (await participantState(ctx, participantId(conversationId, memberId))) ?? (await access(ctx, conversationId, memberId)).me }
  }
  if (!conversation.participantIds.some((id) => id.equals(memberId))) throw notFound()
  const me = await participantState(ctx, participantId(conversationId, memberId))
  if (!me) throw notFound()
  return { conversation, me }
}

/** A member's own state in a room is created the first time they open or write in it. */
async function joinRoom(ctx: ServiceContext, conversation: ConversationDoc, memberId: string): Promise<ParticipantDoc> {
  const _id = participantId(conversation._id, memberId)
  await ctx.models.Participant.updateOne({ _id }, { $setOnInsert: { status: 'active', lastReadSeq: 0 } }, { upsert: true })
  return (await ctx.models.Participant.findById(_id).lean()) as ParticipantDoc
}

/** A group's chat room: the conversation whose _id is the group's, made on first use. */
export async function roomOf(ctx: ServiceContext, group: GroupDoc): Promise<ConversationDoc> {
  const existing = (await ctx.models.Conversation.findById(group._id).lean()) as ConversationDoc | null
  if (existing) return existing
  try {
    await ctx.models.Conversation.create({ _id: group._id, kind: 'room', groupId: group._id, participantIds: [], createdBy: group.ownerId })
  } catch (error) {
    if (!isDuplicateKey(error)) throw error // someone else opened it first
  }
  return (await ctx.models.Conversation.findById(group._id).lean()) as ConversationDoc
}
