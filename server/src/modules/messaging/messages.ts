import { AppError } from '@vernetzt/shared/errors'
import { isBlankHtml, renderMarkdown } from '@vernetzt/shared/markdown'
import type { Message, MessagesQuery } from '@vernetzt/shared/schemas/messages'
import { TYPING_MS, rooms } from '@vernetzt/shared/realtime'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { Memo } from '../../db/memo.ts'
import { memberSummaries, toMemberSummary } from '../accounts/index.ts'
import { access } from './access.ts'
import { changeEntry } from './inbox-index.ts'
import { toAttachment } from './attachments.ts'
import { deleteMedia } from '../media/index.ts'
import type { ConversationInfo } from './memory.ts'
import { messageId, type ConversationDoc, type MessageDoc } from './model.ts'
import { rememberParticipant } from './state.ts'
import { lastStoredFrom } from './writer-parts.ts'

export function toMessage(m: MessageDoc, author: ReturnType<typeof toMemberSummary>): Message {
  return {
    id: m._id,
    conversationId: m.conversationId.toString(),
    seq: m.seq,
    author,
    html: m.deleted ? '' : m.html,
    attachments: m.deleted ? [] : (m.attachments ?? []).map((a) => toAttachment(m.conversationId, a)),
    clientMessageId: m.clientMessageId,
    createdAt: m.createdAt.toISOString(),
    editedAt: m.editedAt?.toISOString() ?? null,
    deleted: m.deleted ?? false,
  }
}

/** DTOs for stored messages; messages by people the reader blocked are left out. */
export async function withAuthors(ctx: ServiceContext, messages: MessageDoc[], hidden: Types.ObjectId[] = []): Promise<Message[]> {
  const shown = messages.filter((m) => !hidden.some((id) => id.equals(m.authorId)))
  const authors = await memberSummaries(
    ctx,
    shown.map((m) => m.authorId),
  )
  return shown.filter((m) => authors.has(m.authorId.toString())).map((m) => toMessage(m, authors.get(m.authorId.toString())!))
}

/** Where a conversation's live events go: its participants' user rooms, or the sockets that joined a group room. */
export function audience(
  ctx: ServiceContext,
  conversation: Pick<ConversationInfo, '_id' | 'kind' | 'participantIds'>,
  except: Array<{ toString(): string }> = [],
) {
  const target =
    conversation.kind === 'room'
      ? ctx.realtime.to(rooms.conversation(conversation._id.toString()))
      : ctx.realtime.to(conversation.participantIds.map((id) => rooms.user(id.toString())))
  return except.length ? target.except(except.map((id) => rooms.user(id.toString()))) : target
}

/**
 * A text made only of what the sanitizer removes (a script, a frame) would arrive as an empty
 * bubble. Only markup can vanish like that, so plain texts skip the second rendering.
 */
export function refuseInvisible(body: string): void {
  if (body.includes('<') && isBlankHtml(renderMarkdown(body))) {
    throw new AppError('CONTENT_EMPTY', 'Nothing of this message can be shown (scripts, frames and styles are removed). Write some text.', { field: 'body' })
  }
}

/**
 * The newest message number: the conversation's lastSeq as this node knows it, or past it while
 * another node has stored messages whose head it has not written yet (a fraction of a second).
 */
export function newestSeq(ctx: ServiceContext, conversation: Pick<ConversationDoc, '_id' | 'lastSeq'>): Promise<number> {
  return lastStoredFrom(ctx, conversation._id.toString(), conversation.lastSeq, 500)
}

/**
 * Stored messages, per database: a chat page reads its last 50 by _id, and the next visitor (or
 * the next visit) reads the same ones. A message changes only by its author's edit or deletion,
 * which forgets it on every node (message.changed).
 */
const stored = new WeakMap<object, Memo<MessageDoc>>()
export function messageMemo(ctx: ServiceContext): Memo<MessageDoc> {
  let memo = stored.get(ctx.models)
  if (!memo) {
    memo = new Memo<MessageDoc>(20_000, 10 * 60_000)
    stored.set(ctx.models, memo)
  }
  return memo
}

/** History by position: `before` for older messages, `after` to catch up after a reconnect. Oldest first. */
export async function listMessages(ctx: ServiceContext, actor: Actor, conversationId: string, query: MessagesQuery): Promise<{ items: Message[] }> {
  const { conversation } = await access(ctx, conversationId, actor.id)
  const limit = query.limit ?? 50
  const lastSeq = await newestSeq(ctx, conversation)
  let seqs: number[]
  if (query.after !== undefined) {
    const from = query.after + 1
    seqs = Array.from({ length: Math.max(0, Math.min(limit, lastSeq - from + 1)) }, (_, i) => from + i)
  } else {
    const to = Math.min(query.before ?? lastSeq + 1, lastSeq + 1) - 1
    seqs = Array.from({ length: Math.max(0, Math.min(limit, to)) }, (_, i) => to - i).reverse()
  }
  const memo = messageMemo(ctx)
  const [found, reader] = await Promise.all([
    Promise.all(
      seqs.map((seq) => {
        const id = messageId(conversation._id, seq)
        return memo.through(id, async () => (await ctx.models.Message.findById(id).lean()) as MessageDoc | null)
      }),
    ),
    ctx.models.Member.findById(actor.id, { blocked: 1 }).lean(),
  ])
  const messages = found.filter((m) => m !== null)
  return { items: await withAuthors(ctx, messages, reader?.blocked ?? []) }
}

/** Tells the other participants that the actor is typing, for a few seconds. */
export async function announceTyping(ctx: ServiceContext, actor: Actor, conversationId: string): Promise<void> {
  const { conversation } = await access(ctx, conversationId, actor.id)
  const until = new Date(Date.now() + TYPING_MS).toISOString()
  const author = await ctx.models.Member.findById(actor.id, { blockedBy: 1 }).lean()
  audience(ctx, conversation, [actor.id, ...(author?.blockedBy ?? [])]).emit('typing', { conversationId, handle: actor.handle, until })
}

/** Records how far the actor has read and, unless they switched receipts off, tells the others. */
export async function readUpTo(ctx: ServiceContext, actor: Actor, conversationId: string, seq: number): Promise<void> {
  const { conversation, me } = await access(ctx, conversationId, actor.id)
  const upTo = Math.min(seq, await newestSeq(ctx, conversation))
  const at = new Date()
  await Promise.all([
    ctx.models.Participant.updateOne({ _id: me._id }, { $max: { lastReadSeq: upTo }, $set: { lastReadAt: at } }),
    conversation.kind !== 'room' && changeEntry(ctx, actor.id, conversationId, { max: { read: upTo } }),
  ])
  rememberParticipant(ctx, me._id, { lastReadSeq: upTo, lastReadAt: at })
  const member = await ctx.models.Member.findById(actor.id, { readReceipts: 1, blockedBy: 1 }).lean()
  // Receipts in rooms would be noise for everyone; they belong to direct and group conversations.
  if (member?.readReceipts !== false && conversation.kind !== 'room') {
    audience(ctx, conversation, [actor.id, ...(member?.blockedBy ?? [])]).emit('read', { conversationId, handle: actor.handle, seq: upTo })
  }
}

/** The author edits (new text) or deletes (text null) a message; the others see it live. */
export async function changeMessage(ctx: ServiceContext, actor: Actor, conversationId: string, seq: number, body: string | null): Promise<Message> {
  const { conversation } = await access(ctx, conversationId, actor.id)
  const message = (await ctx.models.Message.findById(messageId(conversation._id, seq)).lean()) as MessageDoc | null
  if (!message || message.deleted) throw new AppError('CONVERSATION_NOT_FOUND', 'There is no such message.')
  if (!message.authorId.equals(actor.id)) throw new AppError('NOT_AUTHOR', 'Only the author can change this message.')
  if (body !== null && !body.trim() && !message.attachments?.length)
    throw new AppError('VALIDATION_FAILED', 'A message cannot be empty; delete it instead.', { field: 'body' })
  if (body !== null && !message.attachments?.length) refuseInvisible(body)
  const set =
    body === null ? { deleted: true, body: '', html: '', attachments: [] } : { body, html: body.trim() ? renderMarkdown(body) : '', editedAt: new Date() }
  await ctx.models.Message.updateOne({ _id: message._id }, { $set: set })
  await ctx.events.publish('message.changed', { messageId: message._id })
  // A deleted message takes its files with it.
  if (body === null && message.attachments?.length)
    await deleteMedia(
      ctx,
      message.attachments.map((a) => a.id),
    )
  const [dto] = await withAuthors(ctx, [{ ...message, ...set } as MessageDoc])
  audience(ctx, conversation).emit('message:update', dto!)
  return dto!
}
