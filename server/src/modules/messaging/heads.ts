import type { ServiceContext } from '../../context.ts'
import { writeConversationHeads, writeListHeads } from './inbox-index.ts'
import type { MessageDoc } from './model.ts'
import { HEAD_FLUSH_MS, INDEX_WRITES_PER_SECOND, previewOf, type ConversationHead, type SendJob } from './writer-parts.ts'

/**
 * Stored messages not yet counted in their conversation's document (`heads`) or in its
 * participants' lists (`listHeads`, written less often under load: INDEX_WRITES_PER_SECOND):
 * the highest number, the newest preview and each sender's own read mark. Readers on this node
 * add these to what they read (headOf); readers elsewhere look past the stored lastSeq for
 * newer messages, and their lists lag by at most a few seconds.
 */
export class HeadBook {
  private readonly ctx: ServiceContext

  constructor(ctx: ServiceContext) {
    this.ctx = ctx
  }

  /** Resolves once nothing noted is left unwritten. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing
  }

  private readonly heads = new Map<string, ConversationHead>()
  private readonly listHeads = new Map<string, ConversationHead>()
  private listsWrittenAt = 0
  private flushing: Promise<void> | null = null

  note(job: SendJob, doc: MessageDoc): void {
    const id = doc.conversationId.toString()
    const members = job.conversation.kind === 'room' ? [] : job.conversation.participantIds.map(String)
    // A new object each time: a flush forgets a head only if it is still the one it wrote.
    const noted = (before: ConversationHead | undefined): ConversationHead => {
      const head: ConversationHead = before ? { ...before, wrote: { ...before.wrote } } : { lastSeq: 0, lastPreview: null, wrote: {}, members }
      if (doc.seq > head.lastSeq) {
        head.lastSeq = doc.seq
        head.lastPreview = { text: previewOf(job), at: doc.createdAt, author: job.actor.handle }
      }
      head.wrote[job.actor.id] = Math.max(head.wrote[job.actor.id] ?? 0, doc.seq)
      return head
    }
    this.heads.set(id, noted(this.heads.get(id)))
    if (members.length) this.listHeads.set(id, noted(this.listHeads.get(id)))
    this.flushing ??= this.flush()
  }

  /** What this node has stored in a conversation beyond its document or its lists, if anything. */
  headOf(conversationId: string): ConversationHead | undefined {
    const head = this.heads.get(conversationId)
    const list = this.listHeads.get(conversationId)
    if (!head || !list) return head ?? list
    const newer = list.lastSeq >= head.lastSeq ? list : head
    const wrote = { ...list.wrote }
    for (const [member, seq] of Object.entries(head.wrote)) wrote[member] = Math.max(wrote[member] ?? 0, seq)
    return { ...newer, wrote }
  }

  /**
   * Writes the noted heads every HEAD_FLUSH_MS at most, one update per conversation, and the
   * lists' entries (one update per participant) as often as INDEX_WRITES_PER_SECOND allows.
   */
  private async flush(): Promise<void> {
    try {
      while (this.heads.size || this.listHeads.size) {
        await new Promise((resolve) => setTimeout(resolve, HEAD_FLUSH_MS))
        const heads = [...this.heads]
        const entries = [...this.listHeads.values()].reduce((n, head) => n + head.members.length, 0)
        const listsDue = Date.now() - this.listsWrittenAt >= Math.max(HEAD_FLUSH_MS, (entries / INDEX_WRITES_PER_SECOND) * 1000) - HEAD_FLUSH_MS / 2
        const lists = listsDue ? [...this.listHeads] : []
        const written = (map: Map<string, ConversationHead>, done: Array<[string, ConversationHead]>) => {
          // Only what was written is forgotten; newer notes made meanwhile stay for the next round.
          for (const [id, head] of done) if (map.get(id) === head) map.delete(id)
        }
        await Promise.all([
          writeConversationHeads(this.ctx, heads).then(
            () => written(this.heads, heads),
            (error: unknown) => this.ctx.log.error({ err: error }, 'writing conversation heads failed; trying again'),
          ),
          lists.length &&
            writeListHeads(this.ctx, lists).then(
              () => {
                written(this.listHeads, lists)
                this.listsWrittenAt = Date.now()
              },
              (error: unknown) => this.ctx.log.error({ err: error }, "writing the participants' lists failed; trying again"),
            ),
        ])
      }
    } finally {
      this.flushing = null
    }
  }
}
