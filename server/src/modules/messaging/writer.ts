import { renderMarkdown } from '@vernetzt/shared/markdown'
import { Types } from 'mongoose'
import type { ServiceContext } from '../../context.ts'
import { insertAll } from '../../db/errors.ts'
import { HeadBook } from './heads.ts'
import { entryUpdate, writeEntries } from './inbox-index.ts'
import { Memory } from './memory.ts'
import { messageId, type MessageDoc } from './model.ts'
import {
  BATCH_GAP_MS,
  BATCH_MAX,
  BATCH_TIMEOUT_MS,
  PIPELINE_DEPTH,
  RENUMBER_ATTEMPTS,
  ResendError,
  isSameMessage,
  lastStoredFrom,
  ownsKey,
  type ConversationHead,
  type SendJob,
  type Waiting,
  type Written,
  type WriterHooks,
} from './writer-parts.ts'

/**
 * Writes messages in batches. Sends that arrive while batches are being written wait for the next
 * one, so under load a batch grows to whatever arrived meanwhile and the database sees two bulk
 * writes per batch instead of single writes per message: one insertMany claims the idempotency
 * keys, one inserts the messages. Each conversation's number and preview, the senders' read marks
 * and the participants' lists follow later, one write per conversation and list entry however
 * many messages came meanwhile (HeadBook). A quiet chat gets a batch of one at once, without
 * waiting for company. Up to PIPELINE_DEPTH batches are written at once; each delivers only after
 * the one before it, so live readers get a conversation's messages in the order of their
 * numbers; a reader of the stored history may for a moment find a later batch's message before
 * an earlier one's, which looks like a gap (below) and is filled by the live event.
 *
 * Message numbers are handed out here from memory, one counter per conversation, read from the
 * database on first use. The database guards them: a message's _id is "<conversation>:<seq>", so
 * a number another node used meanwhile fails that one insert as a duplicate; the counter is then
 * read again (the stored lastSeq, then past any message written after it) and the message gets
 * the next free number. A number handed out to a message that is then not written (a resend of a
 * message claimed on another node, a failed insert) leaves a gap; readers skip gaps.
 */
export class MessageWriter {
  private queue: Waiting[] = []
  private running: Promise<void> | null = null
  private readonly counters = new Map<string, number>()
  /** Keys this node claimed in the last minute (a resend usually comes back to the same node). */
  private readonly recentKeys = new Memory<string, true>(60_000, 50_000)
  private readonly heads: HeadBook
  private batchStartedAt = -Infinity
  /** Wakes a drain waiting with room in its pipeline. */
  private arrived: (() => void) | null = null

  private readonly ctx: ServiceContext
  private readonly hooks: WriterHooks

  constructor(ctx: ServiceContext, hooks: WriterHooks) {
    this.ctx = ctx
    this.hooks = hooks
    this.heads = new HeadBook(ctx)
  }

  /** The highest number this conversation has handed out. */
  async lastNumber(conversationId: string): Promise<number> {
    await this.loadCounters([conversationId])
    return this.counters.get(conversationId) ?? 0
  }

  write(job: SendJob): Promise<Written> {
    return new Promise<Written>((resolve, reject) => {
      this.queue.push({ job, resolve, reject })
      this.arrived?.()
      this.running ??= this.drain()
    })
  }

  /** Resolves once everything queued so far is written (or failed), conversation heads included. */
  async idle(): Promise<void> {
    while (this.running) await this.running
    await this.heads.idle()
  }

  private async drain(): Promise<void> {
    // Let sends that arrived in the same turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve))
    const inFlight = new Set<Promise<void>>()
    // Each batch delivers only after the one before it has: a conversation's messages go out in order.
    let turn: Promise<void> = Promise.resolve()
    try {
      for (;;) {
        if (!this.queue.length || inFlight.size >= PIPELINE_DEPTH) {
          if (!inFlight.size) break
          // A batch finishing, or (with room in the pipeline) a message arriving, starts the next one.
          const arrived = inFlight.size < PIPELINE_DEPTH ? new Promise<void>((resolve) => (this.arrived = resolve)) : null
          await Promise.race([...inFlight, ...(arrived ? [arrived] : [])])
          this.arrived = null
          continue
        }
        // Under load a batch waits until BATCH_GAP_MS after the one before began: more messages
        // share its two inserts (each costs the embedded database about half as much per message
        // at 20 as at 5). A message after a pause is written at once.
        const wait = this.batchStartedAt + BATCH_GAP_MS - performance.now()
        if (wait > 0 && this.queue.length < BATCH_MAX) await new Promise((resolve) => setTimeout(resolve, wait))
        this.batchStartedAt = performance.now()
        const batch = this.queue.splice(0, BATCH_MAX)
        const previous = turn
        let delivered!: () => void
        turn = new Promise<void>((resolve) => (delivered = resolve))
        let timer: NodeJS.Timeout | undefined
        const stalled = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`a batch of ${batch.length} messages took over ${BATCH_TIMEOUT_MS / 1000} s`)), BATCH_TIMEOUT_MS)
        })
        // A batch whose database call never returns must not hold up every later message: its
        // senders are told it failed (they may resend; the key makes that safe) and the next
        // batch goes ahead. Seen after a kill -9 of the embedded database, about once in four.
        const running: Promise<void> = Promise.race([this.writeBatch(batch, previous, delivered), stalled])
          .catch((error: unknown) => {
            for (const w of batch) w.reject(error)
          })
          .finally(() => {
            clearTimeout(timer)
            delivered()
            inFlight.delete(running)
          })
        inFlight.add(running)
      }
    } finally {
      this.running = null
    }
  }

  private async writeBatch(batch: Waiting[], previous: Promise<void>, delivered: () => void): Promise<void> {
    const { MessageKey, Participant } = this.ctx.models
    // 0. A resend of a message this node claimed lately, or sent twice within one batch, is
    // answered from the first send without taking a number (which would leave a gap).
    const seen = new Set<string>()
    const fresh = batch.filter((w) => {
      if (w.job.claimed) return true
      if (seen.has(w.job.key) || this.recentKeys.get(w.job.key)) {
        w.reject(new ResendError(w.job.key))
        return false
      }
      seen.add(w.job.key)
      return true
    })
    // 1. Numbers, then the keys claimed with the id the message will have.
    await this.loadCounters(fresh.map((w) => w.job.conversation._id.toString()))
    const planned = fresh.map((w) => ({ ...w, doc: this.messageDoc(w.job, this.next(w.job.conversation._id.toString())) }))
    const claiming = planned.filter((p) => !p.job.claimed)
    const lost = await insertAll(
      MessageKey.collection,
      claiming.map((p) => ({ _id: p.job.key, messageId: p.doc._id, createdAt: p.doc.createdAt })),
    )
    const resent: typeof planned = []
    const refused: typeof planned = []
    await Promise.all(
      claiming.map(async (p, i) => {
        const outcome = lost.get(i)
        // A key already pointing at this very message is our own claim, written by an attempt whose
        // answer was lost (the database went away after committing it): it is claimed, not taken.
        if (outcome === 'duplicate') {
          if (!(await ownsKey(MessageKey, p.job.key, p.doc._id))) resent.push(p)
        } else if (outcome) refused.push(p)
      }),
    )
    for (const p of refused) p.reject(new Error('could not claim the message key'))
    claiming.forEach((p, i) => {
      if (!lost.has(i)) this.recentKeys.set(p.job.key, true)
    })
    let pending = planned.filter((p) => !resent.includes(p) && !refused.includes(p))
    // Someone else holds the key: the caller looks up what that send became.
    for (const p of resent) p.reject(new ResendError(p.job.key))

    // 2. The messages; a number taken by another node meanwhile is renumbered and tried again.
    const stored: typeof planned = []
    const renumbered = new Set<(typeof planned)[number]>()
    for (let attempt = 0; pending.length; attempt++) {
      const failed = await insertAll(
        this.ctx.models.Message.collection,
        pending.map((p) => p.doc),
      )
      const again: typeof planned = []
      await Promise.all(
        pending.map(async (p, i) => {
          const outcome = failed.get(i)
          // The number is taken by this very message when an earlier attempt committed it.
          if (!outcome || (outcome === 'duplicate' && (await isSameMessage(this.ctx, p.doc)))) stored.push(p)
          else if (outcome === 'duplicate' && attempt < RENUMBER_ATTEMPTS) again.push(p)
          else p.reject(new Error(`message ${p.doc._id} could not be stored`))
        }),
      )
      if (!again.length) break
      await this.reloadCounters(again.map((p) => p.doc.conversationId.toString()))
      for (const p of again) {
        p.doc = { ...p.doc, ...this.numbered(p.doc.conversationId.toString()) }
        renumbered.add(p)
      }
      pending = again
    }
    // Keys whose message was not written are released, so a resend can try again at once.
    const unwritten = planned.filter((p) => !stored.includes(p) && !resent.includes(p) && !refused.includes(p))
    for (const p of unwritten) this.recentKeys.delete(p.job.key)
    if (unwritten.length) await Promise.all(unwritten.map((p) => MessageKey.deleteOne({ _id: p.job.key })))
    if (!stored.length) return
    await previous
    this.hooks.stored(stored.map((p) => ({ job: p.job, doc: p.doc })))

    // 3. Each conversation's number, preview and senders' read marks follow shortly, one write per
    // conversation however many of its messages came meanwhile (see HeadBook). The messages are
    // stored whatever happens next, so their heads are noted first.
    for (const p of stored) this.heads.note(p.job, p.doc)
    delivered()
    // 4. What must be written before the answer: keys claimed before their number was known (or
    // whose number changed) now point to the message, and a reply accepts a message request.
    const repoint = stored.filter((p) => p.job.claimed || renumbered.has(p))
    const accepting = [...new Set(stored.filter((p) => p.job.me.status === 'request').map((p) => p.job.me._id))]
    await Promise.all([
      repoint.length &&
        MessageKey.bulkWrite(
          repoint.map((p) => ({
            updateOne: { filter: { _id: p.job.key }, update: { $set: { messageId: p.doc._id } } },
          })),
          { ordered: false },
        ),
      ...accepting.map((_id) => Participant.updateOne({ _id }, { $set: { status: 'active' } })),
      writeEntries(
        this.ctx,
        accepting.map((_id) => entryUpdate(_id.slice(_id.indexOf(':') + 1), _id.slice(0, _id.indexOf(':')), { set: { status: 'active' } })),
      ),
    ])
    this.hooks.written(stored.map((p) => ({ job: p.job, doc: p.doc })))
    for (const p of stored) p.resolve({ job: p.job, doc: p.doc })
  }

  /** What this node has stored in a conversation beyond its document or its lists, if anything. */
  headOf(conversationId: string): ConversationHead | undefined {
    return this.heads.headOf(conversationId)
  }

  private messageDoc(job: SendJob, seq: number): MessageDoc {
    const conversationId = job.conversation._id
    return {
      _id: messageId(conversationId, seq),
      conversationId,
      authorId: new Types.ObjectId(job.actor.id),
      seq,
      body: job.input.body,
      html: job.input.body.trim() ? renderMarkdown(job.input.body) : '',
      attachments: job.attachments,
      clientMessageId: job.input.clientMessageId,
      editedAt: null,
      deleted: false,
      createdAt: new Date(),
    }
  }

  private next(conversationId: string): number {
    const seq = (this.counters.get(conversationId) ?? 0) + 1
    this.counters.set(conversationId, seq)
    return seq
  }

  private numbered(conversationId: string): Pick<MessageDoc, '_id' | 'seq'> {
    const seq = this.next(conversationId)
    return { _id: messageId(conversationId, seq), seq }
  }

  /** The last number of conversations this node has not written to yet. */
  private async loadCounters(ids: string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.counters.has(id))
    await Promise.all(
      missing.map(async (id) => {
        const stored = await this.ctx.models.Conversation.findById(id, { lastSeq: 1 }).lean()
        if (!this.counters.has(id)) this.counters.set(id, stored?.lastSeq ?? 0)
      }),
    )
  }

  /** After a duplicate number: the stored lastSeq, then on past messages written after it. */
  private async reloadCounters(ids: string[]): Promise<void> {
    await Promise.all(
      [...new Set(ids)].map(async (id) => {
        const stored = await this.ctx.models.Conversation.findById(id, { lastSeq: 1 }).lean()
        this.counters.set(id, await lastStoredFrom(this.ctx, id, Math.max(stored?.lastSeq ?? 0, this.counters.get(id) ?? 0)))
      }),
    )
  }
}
