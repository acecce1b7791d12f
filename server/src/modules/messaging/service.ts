import { AppError } from '@vernetzt/shared/errors'
import { renderMarkdown } from '@vernetzt/shared/markdown'
import type { Conversation, CreateConversationBody, Message, MessagesQuery, SendMessage } from '@vernetzt/shared/schemas/messages'
import { TYPING_MS, rooms } from '@vernetzt/shared/realtime'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { append, readStream } from '../../db/streams.ts'
import type { RealtimeServer } from '../../realtime/socket.ts'
import { memberSummaries, toMemberSummary } from '../accounts/dto.ts'
import { findMemberByHandle } from '../accounts/lookup.ts'
import type { MemberDoc } from '../accounts/model.ts'
import { isFollowing } from '../follows/service.ts'
import { memberGroups } from '../groups/service.ts'
import { notify } from '../notifications/service.ts'
import { messageId, participantId, type ConversationDoc, type MessageDoc, type ParticipantDoc } from './model.ts'
import { isDuplicateKey } from '../../db/errors.ts'

const inbox = (memberId: Types.ObjectId | string) => `inbox:${memberId.toString()}`
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

async function participant(ctx: ServiceContext, conversationId: string, memberId: string): Promise<{ conversation: ConversationDoc; me: ParticipantDoc }> {
  const notFound = new AppError('CONVERSATION_NOT_FOUND', 'There is no such conversation.')
  if (!Types.ObjectId.isValid(conversationId)) throw notFound
  const me = (await ctx.models.Participant.findById(participantId(conversationId, memberId)).lean()) as ParticipantDoc | null
  if (!me) throw notFound // also for guessed ids: nobody learns a conversation exists
  const conversation = (await ctx.models.Conversation.findById(conversationId).lean()) as ConversationDoc | null
  if (!conversation) throw notFound
  return { conversation, me }
}

async function toConversation(ctx: ServiceContext, c: ConversationDoc, me: ParticipantDoc): Promise<Conversation> {
  const members = await memberSummaries(ctx, c.participantIds)
  return {
    id: c._id.toString(),
    kind: c.kind,
    title: c.title,
    participants: c.participantIds.flatMap((id) => members.get(id.toString()) ?? []),
    lastMessage: c.lastPreview ? { text: c.lastPreview.text, at: c.lastPreview.at.toISOString(), author: c.lastPreview.author } : null,
    unread: Math.max(0, c.lastSeq - me.lastReadSeq),
    status: me.status,
    lastSeq: c.lastSeq,
  }
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
  const kind = others.length === 1 && !input.title ? 'direct' : 'group'
  const _id = new Types.ObjectId()
  if (kind === 'direct') {
    try {
      await ctx.models.Key.create({ _id: directKey(me._id, others[0]!._id), memberId: _id })
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
      const key = await ctx.models.Key.findById(directKey(me._id, others[0]!._id)).lean()
      const existing = await participant(ctx, key!.memberId.toString(), actor.id)
      return toConversation(ctx, existing.conversation, existing.me)
    }
  }
  const conversation = (await ctx.models.Conversation.create({
    _id, kind, title: kind === 'group' ? (input.title ?? null) : null, participantIds: [me._id, ...others.map((o) => o._id)], createdBy: me._id,
  })).toObject() as ConversationDoc
  await ctx.models.Participant.create({ _id: participantId(_id, me._id), status: 'active' })
  for (const other of others) {
    await ctx.models.Participant.create({ _id: participantId(_id, other._id), status: (await inCircle(ctx, other, me)) ? 'active' : 'request' })
  }
  await touchInboxes(ctx, conversation)
  return toConversation(ctx, conversation, (await ctx.models.Participant.findById(participantId(_id, me._id)).lean())!)
}

/** Moves the conversation to the top of every participant's inbox. */
async function touchInboxes(ctx: ServiceContext, conversation: ConversationDoc): Promise<void> {
  for (const memberId of conversation.participantIds) {
    const [seq] = await append(ctx, [inbox(memberId)], conversation._id)
    await ctx.models.Participant.updateOne({ _id: participantId(conversation._id, memberId) }, { $set: { inboxSeq: seq } })
  }
}

export async function listConversations(ctx: ServiceContext, actor: Actor, query: { cursor?: string; limit?: number }) {
  const page = await readStream(ctx, inbox(actor.id), { cursor: query.cursor, limit: query.limit ?? 20 }, async (refs, seqs) =>
    Promise.all(refs.map(async (id, i) => {
      const me = (await ctx.models.Participant.findById(participantId(id, actor.id)).lean()) as ParticipantDoc | null
      if (!me || me.inboxSeq !== seqs[i]) return null // only its newest place in the inbox
      const conversation = (await ctx.models.Conversation.findById(id).lean()) as ConversationDoc | null
      return conversation ? toConversation(ctx, conversation, me) : null
    })),
  )
  return { items: page.items, nextCursor: page.nextCursor }
}

function toMessage(m: MessageDoc, author: ReturnType<typeof toMemberSummary>): Message {
  return {
    id: m._id, conversationId: m.conversationId.toString(), seq: m.seq, author, html: m.deleted ? '' : m.html, clientMessageId: m.clientMessageId,
    createdAt: m.createdAt.toISOString(), editedAt: m.editedAt?.toISOString() ?? null, deleted: m.deleted ?? false,
  }
}

async function withAuthors(ctx: ServiceContext, messages: MessageDoc[]): Promise<Message[]> {
  const authors = await memberSummaries(ctx, messages.map((m) => m.authorId))
  return messages.filter((m) => authors.has(m.authorId.toString())).map((m) => toMessage(m, authors.get(m.authorId.toString())!))
}

/**
 * Stores a message and only then answers; the same clientMessageId from the same author is the
 * same message, so a client that lost the acknowledgement can simply send again.
 */
export async function sendMessage(ctx: ServiceContext, io: RealtimeServer | null, actor: Actor, input: SendMessage): Promise<Message> {
  const { conversation, me } = await participant(ctx, input.conversationId, actor.id)
  const { Conversation, Message, MessageKey, Participant } = ctx.models
  const key = `${actor.id}:${input.clientMessageId}`
  for (let attempt = 0; ; attempt++) {
    const existing = await MessageKey.findById(key).lean()
    if (existing?.messageId) {
      const stored = (await Message.findById(existing.messageId).lean()) as MessageDoc | null
      if (stored) return (await withAuthors(ctx, [stored]))[0]!
    }
    if (!existing) {
      try {
        await MessageKey.create({ _id: key })
        break
      } catch (error) {
        if (!isDuplicateKey(error)) throw error
      }
    } else if (attempt > 40) {
      // A send that claimed this id and died before storing: take the id over.
      await MessageKey.deleteOne({ _id: key })
    }
    await new Promise((r) => setTimeout(r, 50)) // the first send of this id is still being stored
  }
  if (me.status === 'request') await Participant.updateOne({ _id: me._id }, { $set: { status: 'active' } }) // replying accepts
  const after = (await Conversation.findOneAndUpdate({ _id: conversation._id }, { $inc: { lastSeq: 1 } }, { returnDocument: 'after' }).lean()) as ConversationDoc
  const seq = after.lastSeq
  const message = (await Message.create({
    _id: messageId(conversation._id, seq), conversationId: conversation._id, authorId: new Types.ObjectId(actor.id), seq,
    body: input.body, html: renderMarkdown(input.body), clientMessageId: input.clientMessageId,
  })).toObject() as MessageDoc
  await MessageKey.updateOne({ _id: key }, { $set: { messageId: message._id } })
  await Participant.updateOne({ _id: me._id }, { $max: { lastReadSeq: seq } })
  const text = input.body.replace(/\s+/g, ' ').slice(0, 120)
  await Conversation.updateOne({ _id: conversation._id }, { $set: { lastPreview: { text, at: message.createdAt, author: actor.handle } } })
  await touchInboxes(ctx, after)
  const [dto] = await withAuthors(ctx, [message])
  io?.to(after.participantIds.map((id) => rooms.user(id.toString()))).emit('message:new', dto!)
  return dto!
}

/** History by position: `before` for older messages, `after` to catch up after a reconnect. Oldest first. */
export async function listMessages(ctx: ServiceContext, actor: Actor, conversationId: string, query: MessagesQuery): Promise<{ items: Message[] }> {
  const { conversation } = await participant(ctx, conversationId, actor.id)
  const limit = query.limit ?? 50
  let seqs: number[]
  if (query.after !== undefined) {
    const from = query.after + 1
    seqs = Array.from({ length: Math.max(0, Math.min(limit, conversation.lastSeq - from + 1)) }, (_, i) => from + i)
  } else {
    const to = Math.min(query.before ?? conversation.lastSeq + 1, conversation.lastSeq + 1) - 1
    seqs = Array.from({ length: Math.max(0, Math.min(limit, to)) }, (_, i) => to - i).reverse()
  }
  const messages = (await Promise.all(seqs.map((seq) => ctx.models.Message.findById(messageId(conversation._id, seq)).lean()))).filter((m) => m !== null) as MessageDoc[]
  return { items: await withAuthors(ctx, messages) }
}

export async function acceptRequest(ctx: ServiceContext, actor: Actor, conversationId: string): Promise<Conversation> {
  const { conversation, me } = await participant(ctx, conversationId, actor.id)
  await ctx.models.Participant.updateOne({ _id: me._id }, { $set: { status: 'active' } })
  return toConversation(ctx, conversation, { ...me, status: 'active' })
}

export const DEFAULT_WELCOME = 'Hallo {name}, herzlich willkommen in meinem Team! Schön, dass du dabei bist. Schreib mir hier jederzeit – ich zeige dir die ersten Schritte.'

/**
 * On the day a recruit joins: a direct conversation with the sponsor, opened by the sponsor's
 * welcome text, and a live notice to the sponsor.
 */
export async function openOnboardingConversation(ctx: ServiceContext, io: RealtimeServer | null, recruit: MemberDoc): Promise<void> {
  if (!recruit.sponsorId) return
  const sponsor = (await ctx.models.Member.findById(recruit.sponsorId).lean()) as MemberDoc | null
  if (!sponsor || sponsor.isRoot) return
  const sponsorActor = { id: sponsor._id.toString(), handle: sponsor.handle, role: sponsor.role }
  const conversation = await createConversation(ctx, sponsorActor, { participants: [recruit.handle] })
  const text = (sponsor.welcomeText ?? DEFAULT_WELCOME).replaceAll('{name}', recruit.displayName)
  await sendMessage(ctx, io, sponsorActor, { conversationId: conversation.id, body: text, clientMessageId: `welcome-${recruit._id.toString()}` })
  await notify(ctx, io, sponsor._id, {
    type: 'team.recruit',
    text: { de: `Neu in deinem Team: ${recruit.displayName} (@${recruit.handle}). Deine Begrüßung ist schon im Chat.`, en: `New in your team: ${recruit.displayName} (@${recruit.handle}). Your welcome is already in the chat.` },
    data: { handle: recruit.handle, conversationId: conversation.id },
  })
}

/** Tells the other participants that the actor is typing, for a few seconds. */
export async function announceTyping(ctx: ServiceContext, io: RealtimeServer, actor: Actor, conversationId: string): Promise<void> {
  const { conversation } = await participant(ctx, conversationId, actor.id)
  const until = new Date(Date.now() + TYPING_MS).toISOString()
  const others = conversation.participantIds.filter((id) => !id.equals(actor.id)).map((id) => rooms.user(id.toString()))
  if (others.length) io.to(others).emit('typing', { conversationId, handle: actor.handle, until })
}

/** Records how far the actor has read and, unless they switched receipts off, tells the others. */
export async function readUpTo(ctx: ServiceContext, io: RealtimeServer | null, actor: Actor, conversationId: string, seq: number): Promise<void> {
  const { conversation, me } = await participant(ctx, conversationId, actor.id)
  const upTo = Math.min(seq, conversation.lastSeq)
  await ctx.models.Participant.updateOne({ _id: me._id }, { $max: { lastReadSeq: upTo } })
  const member = await ctx.models.Member.findById(actor.id, { readReceipts: 1 }).lean()
  if (io && member?.readReceipts !== false) {
    const others = conversation.participantIds.filter((id) => !id.equals(actor.id)).map((id) => rooms.user(id.toString()))
    if (others.length) io.to(others).emit('read', { conversationId, handle: actor.handle, seq: upTo })
  }
}

export async function setPrivacy(ctx: ServiceContext, actor: Actor, input: { readReceipts: boolean }): Promise<{ readReceipts: boolean }> {
  await ctx.models.Member.updateOne({ _id: actor.id }, { $set: { readReceipts: input.readReceipts } })
  return { readReceipts: input.readReceipts }
}

/** The author edits (new text) or deletes (text null) a message; the others see it live. */
export async function changeMessage(ctx: ServiceContext, io: RealtimeServer | null, actor: Actor, conversationId: string, seq: number, body: string | null): Promise<Message> {
  const { conversation } = await participant(ctx, conversationId, actor.id)
  const message = (await ctx.models.Message.findById(messageId(conversation._id, seq)).lean()) as MessageDoc | null
  if (!message || message.deleted) throw new AppError('CONVERSATION_NOT_FOUND', 'There is no such message.')
  if (!message.authorId.equals(actor.id)) throw new AppError('NOT_AUTHOR', 'Only the author can change this message.')
  const set = body === null ? { deleted: true, body: '', html: '' } : { body, html: renderMarkdown(body), editedAt: new Date() }
  await ctx.models.Message.updateOne({ _id: message._id }, { $set: set })
  const [dto] = await withAuthors(ctx, [{ ...message, ...set } as MessageDoc])
  io?.to(conversation.participantIds.map((id) => rooms.user(id.toString()))).emit('message:update', dto!)
  return dto!
}

export async function getWelcome(ctx: ServiceContext, actor: Actor) {
  const me = await ctx.models.Member.findById(actor.id, { welcomeText: 1 }).lean()
  return { text: (me as { welcomeText?: string | null } | null)?.welcomeText ?? null, defaultText: DEFAULT_WELCOME }
}

export async function setWelcome(ctx: ServiceContext, actor: Actor, text: string | null) {
  await ctx.models.Member.updateOne({ _id: actor.id }, { $set: { welcomeText: text } })
  return { text, defaultText: DEFAULT_WELCOME }
}
