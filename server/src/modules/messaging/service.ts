import { AppError } from '@vernetzt/shared/errors'
import { isBlankHtml, renderMarkdown } from '@vernetzt/shared/markdown'
import type { Conversation, ConversationPage, CreateConversationBody, Message, MessagesQuery, Privacy, SendMessage } from '@vernetzt/shared/schemas/messages'
import { TYPING_MS, rooms } from '@vernetzt/shared/realtime'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { append, headOf, readStream } from '../../db/streams.ts'
import type { RealtimeServer } from '../../realtime/socket.ts'
import { memberSummaries, toMemberSummary } from '../accounts/dto.ts'
import { findMemberByHandle } from '../accounts/lookup.ts'
import type { MemberDoc } from '../accounts/model.ts'
import { isFollowing } from '../follows/service.ts'
import type { GroupDoc } from '../groups/model.ts'
import { memberGroups, roleIn } from '../groups/service.ts'
import { notifyMentions } from '../mentions/service.ts'
import { notify } from '../notifications/service.ts'
import { access, roomOf, sendAccess } from './access.ts'
import { announcePresence } from './presence.ts'
import { attachmentsFor, toAttachment } from './attachments.ts'
import { deleteMedia } from '../media/service.ts'
import { Fanout } from './fanout.ts'
import { SenderLimiter } from './limits.ts'
import type { AuthorInfo, ConversationInfo } from './memory.ts'
import { messageId, participantId, type ConversationDoc, type MessageDoc, type ParticipantDoc } from './model.ts'
import { authorInfo, chatMemory, effectiveRead, groupOf, participantState, registerWriter, rememberParticipant, toInfo, withPending } from './state.ts'
import { MessageWriter, ResendError, internalError, lastStoredFrom, type SendJob, type Written } from './writer.ts'

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

/** Per sender and node: messages at MESSAGE_RATE_LIMIT a minute, new conversations at 30 an hour. */
const limiters = new WeakMap<ServiceContext, { messages: SenderLimiter; conversations: SenderLimiter }>()
function limitsOf(ctx: ServiceContext) {
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

async function toConversation(ctx: ServiceContext, c: ConversationDoc, me: ParticipantDoc, group: GroupDoc | null = null): Promise<Conversation> {
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
  const conversation = (await ctx.models.Conversation.create({
    _id, kind, title: kind === 'group' ? (input.title ?? null) : null, participantIds: [me._id, ...others.map((o) => o._id)], createdBy: me._id,
  })).toObject() as ConversationDoc
  await ctx.models.Participant.create({ _id: participantId(_id, me._id), status: 'active' })
  for (const other of others) {
    await ctx.models.Participant.create({ _id: participantId(_id, other._id), status: (await inCircle(ctx, other, me)) ? 'active' : 'request' })
  }
  await touchInboxes(ctx, toInfo(conversation))
  return toConversation(ctx, conversation, (await ctx.models.Participant.findById(participantId(_id, me._id)).lean())!)
}

/**
 * Moves the conversation to the top of every participant's inbox. In a lively chat it is on top
 * already, which this node remembers: then nothing is read or written.
 */
async function touchInboxes(ctx: ServiceContext, conversation: ConversationInfo): Promise<void> {
  const top = chatMemory(ctx).inboxTop
  const id = conversation._id.toString()
  await Promise.all(conversation.participantIds.map(async (memberId) => {
    if (top.get(memberId.toString()) === id) return
    const _id = participantId(conversation._id, memberId)
    const [state, head] = await Promise.all([
      ctx.models.Participant.findById(_id).lean() as Promise<ParticipantDoc | null>,
      headOf(ctx, inbox(memberId)),
    ])
    if (!state) return
    if (state.inboxSeq === null || state.inboxSeq !== head) {
      const [place] = await append(ctx, [inbox(memberId)], conversation._id)
      await ctx.models.Participant.updateOne({ _id }, { $max: { inboxSeq: place } })
    }
    top.set(memberId.toString(), id)
  }))
}

export async function listConversations(ctx: ServiceContext, actor: Actor, query: { cursor?: string; limit?: number }): Promise<ConversationPage> {
  const page = await readStream(ctx, inbox(actor.id), { cursor: query.cursor, limit: query.limit ?? 20 }, async (refs, seqs) =>
    Promise.all(refs.map(async (id, i) => {
      const me = (await ctx.models.Participant.findById(participantId(id, actor.id)).lean()) as ParticipantDoc | null
      if (!me || me.inboxSeq !== seqs[i]) return null // only its newest place in the inbox
      const conversation = (await ctx.models.Conversation.findById(id).lean()) as ConversationDoc | null
      return conversation ? toConversation(ctx, withPending(ctx, conversation), me) : null
    })),
  )
  if (query.cursor) return { items: page.items, nextCursor: page.nextCursor }
  // Rooms are not in the inbox (one message would touch every member's); they come with the first page.
  const groups = await memberGroups(ctx, actor.id)
  const roomList = await Promise.all(groups.map(async (group) => {
    const stored = (await ctx.models.Conversation.findById(group._id).lean()) as ConversationDoc | null
    const conversation = stored && withPending(ctx, stored)
    if (!conversation) return toConversation(ctx, virtualRoom(group), { _id: '', status: 'active', lastReadSeq: 0, inboxSeq: null, muted: false, notifiedSeq: 0, lastReadAt: null }, group)
    const me = (await ctx.models.Participant.findById(participantId(group._id, actor.id)).lean()) as ParticipantDoc | null
    return toConversation(ctx, conversation, me ?? { _id: '', status: 'active', lastReadSeq: 0, inboxSeq: null, muted: false, notifiedSeq: 0, lastReadAt: null }, group)
  }))
  return { items: page.items, nextCursor: page.nextCursor, rooms: roomList }
}

/** A room nobody has written in yet, shown without storing anything. */
function virtualRoom(group: GroupDoc): ConversationDoc {
  return { _id: group._id, kind: 'room', title: null, groupId: group._id, participantIds: [], createdBy: group.ownerId, lastSeq: 0, lastPreview: null, createdAt: new Date() }
}

function toMessage(m: MessageDoc, author: ReturnType<typeof toMemberSummary>): Message {
  return {
    id: m._id, conversationId: m.conversationId.toString(), seq: m.seq, author, html: m.deleted ? '' : m.html,
    attachments: m.deleted ? [] : (m.attachments ?? []).map((a) => toAttachment(m.conversationId, a)), clientMessageId: m.clientMessageId,
    createdAt: m.createdAt.toISOString(), editedAt: m.editedAt?.toISOString() ?? null, deleted: m.deleted ?? false,
  }
}

/** DTOs for stored messages; messages by people the reader blocked are left out. */
async function withAuthors(ctx: ServiceContext, messages: MessageDoc[], hidden: Types.ObjectId[] = []): Promise<Message[]> {
  const shown = messages.filter((m) => !hidden.some((id) => id.equals(m.authorId)))
  const authors = await memberSummaries(ctx, shown.map((m) => m.authorId))
  return shown.filter((m) => authors.has(m.authorId.toString())).map((m) => toMessage(m, authors.get(m.authorId.toString())!))
}

/** Where a conversation's live events go: its participants' user rooms, or the sockets that joined a group room. */
function audience(io: RealtimeServer, conversation: Pick<ConversationInfo, '_id' | 'kind' | 'participantIds'>, except: Array<{ toString(): string }> = []) {
  const target = conversation.kind === 'room'
    ? io.to(rooms.conversation(conversation._id.toString()))
    : io.to(conversation.participantIds.map((id) => rooms.user(id.toString())))
  return except.length ? target.except(except.map((id) => rooms.user(id.toString()))) : target
}

/** How many messages a sender may write into a request before the recipient accepts it. */
export const REQUEST_MESSAGES_MAX = 3
/** Someone who read or wrote in the conversation this recently is in it: no "new message" notice for them. */
const ACTIVE_READER_MS = 60_000
/** A key claimed this long ago whose message never appeared belongs to a send that died. */
const DEAD_CLAIM_MS = 30_000

/** Per node: the batched message writer and the fan-out that follows it. */
const pipelines = new WeakMap<ServiceContext, { writer: MessageWriter; fanout: Fanout }>()
function pipelineOf(ctx: ServiceContext) {
  let pipeline = pipelines.get(ctx)
  if (!pipeline) {
    const fanout = new Fanout(ctx, (written) => followUp(ctx, written))
    const writer = new MessageWriter(ctx, {
      stored: (written) => deliver(ctx, written),
      written: (written) => {
        const wrote = chatMemory(ctx).wrote
        for (const { job, doc } of written) {
          wrote.set(job.me._id, { seq: Math.max(doc.seq, wrote.get(job.me._id)?.seq ?? 0), at: doc.createdAt.getTime() })
          if (job.me.status === 'request') rememberParticipant(ctx, job.me._id, { status: 'active' })
        }
        fanout.add(written)
      },
    })
    registerWriter(ctx, writer)
    pipeline = { writer, fanout }
    pipelines.set(ctx, pipeline)
  }
  return pipeline
}

/** Waits until every message sent so far on this node is written and followed up (for shutdown and tests). */
export async function messagingIdle(ctx: ServiceContext): Promise<void> {
  const pipeline = pipelines.get(ctx)
  if (!pipeline) return
  await pipeline.writer.idle()
  await pipeline.fanout.idle()
}

/**
 * Stores a message and only then answers; the same clientMessageId from the same author is the
 * same message, so a client that lost the acknowledgement can simply send again. Messages are
 * written in batches (see writer.ts); what the checks need comes from this node's memory.
 */
export async function sendMessage(ctx: ServiceContext, io: RealtimeServer | null, actor: Actor, input: SendMessage, options: { automatic?: boolean } = {}): Promise<Message> {
  const { conversation, me } = await sendAccess(ctx, input.conversationId, actor.id)
  const key = `${actor.id}:${input.clientMessageId}`
  if (!input.body.trim() && !input.attachments?.length) throw new AppError('VALIDATION_FAILED', 'Write something or attach a file.', { field: 'body' })
  if (!input.attachments?.length) refuseInvisible(input.body)
  const author = await authorInfo(ctx, actor.id)
  if (!author) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  const { writer } = pipelineOf(ctx)
  if (conversation.kind === 'direct') {
    const other = conversation.participantIds.find((id) => !id.equals(actor.id))
    if (other && blockedBetween(author, other)) throw new AppError('BLOCKED', 'You cannot write in this conversation.')
    if (other && me.status === 'active' && (await writer.lastNumber(input.conversationId)) >= REQUEST_MESSAGES_MAX) {
      const theirs = await participantState(ctx, participantId(conversation._id, other))
      if (theirs?.status === 'request') {
        const fresh = (await ctx.models.Participant.findById(theirs._id).lean()) as ParticipantDoc | null // accepted on another node?
        if (fresh) rememberParticipant(ctx, fresh._id, { status: fresh.status })
        if (fresh?.status === 'request') throw new AppError('MESSAGE_REQUEST_PENDING', 'Wait until your message request is accepted before writing more.')
      }
    }
  }
  const attachments = input.attachments?.length ? await attachmentsFor(ctx, actor, conversation._id, input.attachments) : []
  const limiter = limitsOf(ctx).messages
  if (!options.automatic) {
    try {
      limiter.take(actor.id)
    } catch (error) {
      const earlier = await storedUnder(ctx, key) // a resend of a message that was stored is answered anyway
      if (earlier) return earlier
      throw error
    }
  }
  const job: SendJob = { io, actor, conversation, me, author, input, attachments, key }
  for (;;) {
    try {
      const { doc } = await writer.write(job)
      return toMessage(doc, author.summary)
    } catch (error) {
      if (!(error instanceof ResendError)) {
        if (!(error instanceof AppError)) ctx.log.error({ err: error }, 'message could not be written')
        throw error instanceof AppError ? error : internalError()
      }
      if (!options.automatic) limiter.refund(actor.id) // a resend is not a new message
      await new Promise((r) => setTimeout(r, 50)) // the first send may be in the batch being written
      const earlier = await claimKey(ctx, key)
      if (earlier) return earlier
      job.claimed = true // the earlier send died; this one takes its place
    }
  }
}

/**
 * A text made only of what the sanitizer removes (a script, a frame) would arrive as an empty
 * bubble. Only markup can vanish like that, so plain texts skip the second rendering.
 */
function refuseInvisible(body: string): void {
  if (body.includes('<') && isBlankHtml(renderMarkdown(body))) {
    throw new AppError('CONTENT_EMPTY', 'Nothing of this message can be shown (scripts, frames and styles are removed). Write some text.', { field: 'body' })
  }
}

/** Live delivery, as soon as a batch is stored: before the bookkeeping and the acknowledgement. */
function deliver(ctx: ServiceContext, written: Written[]): void {
  for (const { job, doc } of written) {
    if (job.io) audience(job.io, job.conversation, job.author.blockedBy).emit('message:new', toMessage(doc, job.author.summary))
  }
}

/** The message a key was used for, if it was stored. */
async function storedUnder(ctx: ServiceContext, key: string): Promise<Message | null> {
  return messageOfClaim(ctx, await ctx.models.MessageKey.findById(key).lean())
}

async function messageOfClaim(ctx: ServiceContext, claim: { messageId: string | null } | null): Promise<Message | null> {
  if (!claim?.messageId) return null
  const stored = (await ctx.models.Message.findById(claim.messageId).lean()) as MessageDoc | null
  return stored ? ((await withAuthors(ctx, [stored]))[0] ?? null) : null
}

/**
 * For a key that is taken: the message the earlier send stored (waiting while it is being
 * written), or null once this send holds the key because the earlier one died or gave it back.
 */
async function claimKey(ctx: ServiceContext, key: string): Promise<Message | null> {
  for (;;) {
    const claim = await ctx.models.MessageKey.findById(key).lean()
    const earlier = await messageOfClaim(ctx, claim)
    if (earlier) return earlier
    if (claim && Date.now() - new Date(claim.createdAt).getTime() > DEAD_CLAIM_MS) {
      await ctx.models.MessageKey.deleteOne({ _id: key, createdAt: claim.createdAt })
    } else if (!claim) {
      try {
        await ctx.models.MessageKey.create({ _id: key })
        return null
      } catch (error) {
        if (!isDuplicateKey(error)) throw error
      }
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/**
 * After the acknowledgement, per conversation and for all its messages that arrived meanwhile:
 * up in the participants' inboxes, and the notifications.
 */
async function followUp(ctx: ServiceContext, written: Written[]): Promise<void> {
  const conversation = written[0]!.job.conversation
  if (conversation.kind !== 'room') await touchInboxes(ctx, conversation)
  for (const { job, doc } of written.sort((a, b) => a.doc.seq - b.doc.seq)) {
    await tellRecipients(ctx, job.io, job.actor, job.author, conversation, doc)
  }
}

/**
 * Notifications for a new message: people mentioned by @handle always hear of it; everyone else
 * once per unread stretch, unless they muted the conversation, blocked the author, or read or
 * wrote in it within the last minute. Rooms notify mentions only (a room can have thousands of members).
 */
async function tellRecipients(
  ctx: ServiceContext, io: RealtimeServer | null, actor: Actor, author: AuthorInfo, conversation: ConversationInfo, message: MessageDoc,
): Promise<void> {
  const blockedBy = new Set(author.blockedBy.map(String))
  const preview = message.body.replace(/\s+/g, ' ').trim().slice(0, 80) || '📎'
  const data = { conversationId: conversation._id.toString(), seq: String(message.seq) }
  const name = author.summary.displayName
  const group = conversation.kind === 'room' ? await groupOf(ctx, conversation.groupId) : null
  const mentioned = conversation.kind === 'direct' ? new Set<string>() : await notifyMentions(ctx, io, actor, message.body, {
    type: 'message.mention',
    where: { de: 'im Chat', en: 'in a chat' },
    data,
    canSee: async (member) => (group ? !!(await roleIn(ctx, group, member._id.toString())) : conversation.participantIds.some((id) => id.equals(member._id))),
  })
  if (conversation.kind === 'room') return
  const now = Date.now()
  for (const memberId of conversation.participantIds.map(String)) {
    if (memberId === actor.id || mentioned.has(memberId) || blockedBy.has(memberId)) continue
    const state = await participantState(ctx, participantId(conversation._id, memberId))
    if (!state || state.muted) continue
    const wrote = chatMemory(ctx).wrote.get(state._id)
    const read = Math.max(state.lastReadSeq, wrote?.seq ?? 0)
    if (read >= message.seq) continue // read already (a later message of this round was answered)
    if (state.notifiedSeq > read) continue // already told about this unread stretch
    // In a lively chat everyone who takes part keeps reading and writing; they see the messages live.
    const lastSeen = Math.max(state.lastReadAt ? new Date(state.lastReadAt).getTime() : 0, wrote?.at ?? 0)
    if (now - lastSeen < ACTIVE_READER_MS) continue
    await ctx.models.Participant.updateOne({ _id: state._id }, { $max: { notifiedSeq: message.seq } })
    rememberParticipant(ctx, state._id, { notifiedSeq: message.seq })
    const request = state.status === 'request'
    await notify(ctx, io, new Types.ObjectId(memberId), {
      type: request ? 'message.request' : 'message.new',
      text: request
        ? { de: `${name} möchte dir schreiben: „${preview}“`, en: `${name} would like to message you: “${preview}”` }
        : { de: `Neue Nachricht von ${name}: „${preview}“`, en: `New message from ${name}: “${preview}”` },
      data,
    })
  }
}

/**
 * The newest message number: the conversation's lastSeq as this node knows it, or past it while
 * another node has stored messages whose head it has not written yet (a fraction of a second).
 */
function newestSeq(ctx: ServiceContext, conversation: Pick<ConversationDoc, '_id' | 'lastSeq'>): Promise<number> {
  return lastStoredFrom(ctx, conversation._id.toString(), conversation.lastSeq, 500)
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
  const [stored, reader] = await Promise.all([
    Promise.all(seqs.map((seq) => ctx.models.Message.findById(messageId(conversation._id, seq)).lean())),
    ctx.models.Member.findById(actor.id, { blocked: 1 }).lean(),
  ])
  const messages = stored.filter((m) => m !== null) as MessageDoc[]
  return { items: await withAuthors(ctx, messages, reader?.blocked ?? []) }
}

export async function acceptRequest(ctx: ServiceContext, actor: Actor, conversationId: string): Promise<Conversation> {
  const { conversation, me } = await access(ctx, conversationId, actor.id)
  await ctx.models.Participant.updateOne({ _id: me._id }, { $set: { status: 'active' } })
  rememberParticipant(ctx, me._id, { status: 'active' })
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
  await sendMessage(ctx, io, sponsorActor, { conversationId: conversation.id, body: text, clientMessageId: `welcome-${recruit._id.toString()}` }, { automatic: true })
  await notify(ctx, io, sponsor._id, {
    type: 'team.recruit',
    text: { de: `Neu in deinem Team: ${recruit.displayName} (@${recruit.handle}). Deine Begrüßung ist schon im Chat.`, en: `New in your team: ${recruit.displayName} (@${recruit.handle}). Your welcome is already in the chat.` },
    data: { handle: recruit.handle, conversationId: conversation.id },
  })
}

/** Tells the other participants that the actor is typing, for a few seconds. */
export async function announceTyping(ctx: ServiceContext, io: RealtimeServer, actor: Actor, conversationId: string): Promise<void> {
  const { conversation } = await access(ctx, conversationId, actor.id)
  const until = new Date(Date.now() + TYPING_MS).toISOString()
  const author = await ctx.models.Member.findById(actor.id, { blockedBy: 1 }).lean()
  audience(io, conversation, [actor.id, ...(author?.blockedBy ?? [])]).emit('typing', { conversationId, handle: actor.handle, until })
}

/** Records how far the actor has read and, unless they switched receipts off, tells the others. */
export async function readUpTo(ctx: ServiceContext, io: RealtimeServer | null, actor: Actor, conversationId: string, seq: number): Promise<void> {
  const { conversation, me } = await access(ctx, conversationId, actor.id)
  const upTo = Math.min(seq, await newestSeq(ctx, conversation))
  const at = new Date()
  await ctx.models.Participant.updateOne({ _id: me._id }, { $max: { lastReadSeq: upTo }, $set: { lastReadAt: at } })
  rememberParticipant(ctx, me._id, { lastReadSeq: upTo, lastReadAt: at })
  const member = await ctx.models.Member.findById(actor.id, { readReceipts: 1, blockedBy: 1 }).lean()
  // Receipts in rooms would be noise for everyone; they belong to direct and group conversations.
  if (io && member?.readReceipts !== false && conversation.kind !== 'room') {
    audience(io, conversation, [actor.id, ...(member?.blockedBy ?? [])]).emit('read', { conversationId, handle: actor.handle, seq: upTo })
  }
}

export async function getPrivacy(ctx: ServiceContext, actor: Actor): Promise<Privacy> {
  const member = await ctx.models.Member.findById(actor.id, { readReceipts: 1, showPresence: 1 }).lean()
  return { readReceipts: member?.readReceipts !== false, presence: member?.showPresence !== false }
}

export async function setPrivacy(ctx: ServiceContext, io: RealtimeServer | null, actor: Actor, input: Partial<Privacy>): Promise<Privacy> {
  const set: Record<string, boolean> = {}
  if (input.readReceipts !== undefined) set.readReceipts = input.readReceipts
  if (input.presence !== undefined) set.showPresence = input.presence
  await ctx.models.Member.updateOne({ _id: actor.id }, { $set: set })
  if (io && input.presence !== undefined) await announcePresence(ctx, io, actor.id)
  return getPrivacy(ctx, actor)
}

/** Mute: no "new message" notices from this conversation (mentions still arrive). */
export async function setMuted(ctx: ServiceContext, actor: Actor, conversationId: string, muted: boolean): Promise<Conversation> {
  const { conversation, me, group } = await access(ctx, conversationId, actor.id)
  await ctx.models.Participant.updateOne({ _id: me._id }, { $set: { muted } })
  rememberParticipant(ctx, me._id, { muted })
  return toConversation(ctx, conversation, { ...me, muted }, group)
}

/** The author edits (new text) or deletes (text null) a message; the others see it live. */
export async function changeMessage(ctx: ServiceContext, io: RealtimeServer | null, actor: Actor, conversationId: string, seq: number, body: string | null): Promise<Message> {
  const { conversation } = await access(ctx, conversationId, actor.id)
  const message = (await ctx.models.Message.findById(messageId(conversation._id, seq)).lean()) as MessageDoc | null
  if (!message || message.deleted) throw new AppError('CONVERSATION_NOT_FOUND', 'There is no such message.')
  if (!message.authorId.equals(actor.id)) throw new AppError('NOT_AUTHOR', 'Only the author can change this message.')
  if (body !== null && !body.trim() && !message.attachments?.length) throw new AppError('VALIDATION_FAILED', 'A message cannot be empty; delete it instead.', { field: 'body' })
  if (body !== null && !message.attachments?.length) refuseInvisible(body)
  const set = body === null
    ? { deleted: true, body: '', html: '', attachments: [] }
    : { body, html: body.trim() ? renderMarkdown(body) : '', editedAt: new Date() }
  await ctx.models.Message.updateOne({ _id: message._id }, { $set: set })
  // A deleted message takes its files with it.
  if (body === null && message.attachments?.length) await deleteMedia(ctx, message.attachments.map((a) => a.id))
  const [dto] = await withAuthors(ctx, [{ ...message, ...set } as MessageDoc])
  if (io) audience(io, conversation).emit('message:update', dto!)
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
