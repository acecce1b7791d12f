// What the message writer (writer.ts) works with: its jobs and results, and the single writes it is built from.
import { AppError } from '@vernetzt/shared/errors'
import type { SendMessage } from '@vernetzt/shared/schemas/messages'
import type { Actor, ServiceContext } from '../../context.ts'
import { type AuthorInfo, type ConversationInfo } from './memory.ts'
import { messageId, type AttachmentRef, type MessageDoc, type ParticipantDoc } from './model.ts'

/** One message waiting to be written. */
export interface SendJob {
  actor: Actor
  conversation: ConversationInfo
  me: ParticipantDoc
  author: AuthorInfo
  input: SendMessage
  attachments: AttachmentRef[]
  /** "<author>:<clientMessageId>", claimed in message_keys before the message is written. */
  key: string
  /** The key was claimed already (a resend that took over a dead claim). */
  claimed?: boolean
  /** Written by the app on the author's behalf (the welcome chat), not typed by them. */
  automatic: boolean
}

export interface Written {
  job: SendJob
  doc: MessageDoc
}

export interface WriterHooks {
  /** The batch's messages are stored: deliver them. */
  stored: (written: Written[]) => void
  /** Numbers, previews and read marks are written too: the senders are answered next. */
  written: (written: Written[]) => void
}

export interface Waiting {
  job: SendJob
  resolve: (written: Written) => void
  reject: (error: unknown) => void
}

/** Not yet written into a conversation's document (see MessageWriter.headOf). */
export interface ConversationHead {
  lastSeq: number
  lastPreview: { text: string; at: Date; author: string } | null
  /** member → the newest message they wrote, which they have read by writing it. */
  wrote: Record<string, number>
  /** Whose conversation lists show it (none for a room). */
  members: string[]
}

/**
 * The last number stored in a conversation, counting on from `seq` past messages whose number is
 * not in its document yet (another node writes its heads about once a second); at most `limit` on.
 */
export async function lastStoredFrom(ctx: ServiceContext, conversationId: string, seq: number, limit = Infinity): Promise<number> {
  for (let i = 0; i < limit && (await ctx.models.Message.exists({ _id: messageId(conversationId, seq + 1) })); i++) seq++
  return seq
}

export async function ownsKey(keys: ServiceContext['models']['MessageKey'], key: string, messageId: string): Promise<boolean> {
  const claim = await keys.findById(key, { messageId: 1 }).lean()
  return claim?.messageId === messageId
}

export async function isSameMessage(ctx: ServiceContext, doc: MessageDoc): Promise<boolean> {
  const stored = (await ctx.models.Message.findById(doc._id, { authorId: 1, clientMessageId: 1 }).lean()) as Pick<
    MessageDoc,
    'authorId' | 'clientMessageId'
  > | null
  return !!stored && stored.authorId.equals(doc.authorId) && stored.clientMessageId === doc.clientMessageId
}

/** The key belongs to an earlier send of the same message. */
export class ResendError extends Error {
  readonly key: string
  constructor(key: string) {
    super(`message key ${key} is taken`)
    this.key = key
  }
}

export function previewOf(job: Pick<SendJob, 'input' | 'attachments'>): string {
  return (job.input.body.replace(/\s+/g, ' ').trim() || job.attachments.map((a) => a.name).join(', ')).slice(0, 120)
}

export function internalError(): AppError {
  return new AppError('INTERNAL', 'Something went wrong on our side. Please try again.')
}

// The writer's tuning.
/** How often conversation heads are written: the longer, the more messages share one write. */
export const HEAD_FLUSH_MS = 1000

/**
 * Entry updates per second the participants' lists may cost: each is one update of a member's
 * index chunk, about half a millisecond of the embedded database's only writer. A node with more
 * active entries than this writes them less often than every HEAD_FLUSH_MS (1,000 busy members:
 * every 4 s). This node's readers see its unwritten heads at once; other nodes' lists lag that long.
 */
export const INDEX_WRITES_PER_SECOND = 250

/** The shortest time between the starts of two batches: what a busy writer waits to gather more messages. */
export const BATCH_GAP_MS = 8

/**
 * Batches written at once: while one waits for its messages' insert, the next claims its keys.
 * Their deliveries keep the order of their numbers.
 */
export const PIPELINE_DEPTH = 2

/** A batch is cut at this size; the next one starts as soon as it is written. */
export const BATCH_MAX = 500

/** A batch still unwritten after this fails its senders, so the writer can go on. */
export const BATCH_TIMEOUT_MS = 15_000

/** How often a batch retries numbers that another node took meanwhile. */
export const RENUMBER_ATTEMPTS = 8
