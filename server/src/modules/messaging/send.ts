import { AppError } from '@vernetzt/shared/errors'
import type { Message, SendMessage } from '@vernetzt/shared/schemas/messages'
import type { Actor, ServiceContext } from '../../context.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { sendAccess } from './access.ts'
import { attachmentsFor } from './attachments.ts'
import { Fanout } from './fanout.ts'
import { participantId, type MessageDoc, type ParticipantDoc } from './model.ts'
import { authorInfo, chatMemory, participantState, registerWriter, rememberParticipant } from './state.ts'
import { MessageWriter } from './writer.ts'
import { ResendError, internalError, type SendJob, type Written } from './writer-parts.ts'
import { blockedBetween, limitsOf } from './conversations.ts'
import { audience, refuseInvisible, toMessage, withAuthors } from './messages.ts'

/** How many messages a sender may write into a request before the recipient accepts it. */
export const REQUEST_MESSAGES_MAX = 3

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
export async function sendMessage(ctx: ServiceContext, actor: Actor, input: SendMessage, options: { automatic?: boolean } = {}): Promise<Message> {
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
  const job: SendJob = { actor, conversation, me, author, input, attachments, key, automatic: options.automatic ?? false }
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

/** Live delivery, as soon as a batch is stored: before the bookkeeping and the acknowledgement. */
function deliver(ctx: ServiceContext, written: Written[]): void {
  for (const { job, doc } of written) {
    audience(ctx, job.conversation, job.author.blockedBy).emit('message:new', toMessage(doc, job.author.summary))
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
 * each message is announced (notices and mentions subscribe). The participants' lists follow
 * with the conversation's head (see HeadBook in heads.ts).
 */
async function followUp(ctx: ServiceContext, written: Written[]): Promise<void> {
  const conversation = written[0]!.job.conversation
  for (const { job, doc } of written.sort((a, b) => a.doc.seq - b.doc.seq)) {
    await ctx.events.publish('message.stored', {
      conversation: {
        id: conversation._id.toString(),
        kind: conversation.kind,
        groupId: conversation.groupId?.toString() ?? null,
        participantIds: conversation.kind === 'room' ? [] : conversation.participantIds.map(String),
      },
      seq: doc.seq,
      authorId: job.actor.id,
      authorHandle: job.actor.handle,
      authorName: job.author.summary.displayName,
      authorBlockedBy: job.author.blockedBy.map(String),
      body: doc.body,
      hasAttachments: (doc.attachments?.length ?? 0) > 0,
      automatic: job.automatic,
    })
  }
}
