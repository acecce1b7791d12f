import type { ServiceContext } from '../../context.ts'
import type { Written } from './writer-parts.ts'

/**
 * What follows a stored message besides its delivery: moving the conversation up in everyone's
 * inbox and the notifications. It runs after the sender's acknowledgement, one conversation at a
 * time and a few conversations at once, so a busy chat's messages are handled together: while
 * one round runs, the next messages of that conversation gather for the following round. The
 * live `message:new` event does not wait for any of it.
 */
export class Fanout {
  private readonly pending = new Map<string, Written[]>()
  private readonly running = new Set<string>()
  private readonly ready: string[] = []
  private done: Array<() => void> = []

  private readonly ctx: ServiceContext
  private readonly round: (written: Written[]) => Promise<void>
  private readonly concurrency: number

  constructor(ctx: ServiceContext, round: (written: Written[]) => Promise<void>, concurrency = 4) {
    this.ctx = ctx
    this.round = round
    this.concurrency = concurrency
  }

  add(written: Written[]): void {
    for (const w of written) {
      const id = w.doc.conversationId.toString()
      const list = this.pending.get(id)
      if (list) list.push(w)
      else {
        this.pending.set(id, [w])
        if (!this.running.has(id)) this.ready.push(id)
      }
    }
    this.pump()
  }

  /** Resolves once every message added so far has been handled. */
  idle(): Promise<void> {
    if (!this.pending.size && !this.running.size) return Promise.resolve()
    return new Promise((resolve) => this.done.push(resolve))
  }

  private pump(): void {
    while (this.running.size < this.concurrency && this.ready.length) {
      const id = this.ready.shift()!
      const written = this.pending.get(id)
      if (!written || this.running.has(id)) continue
      this.pending.delete(id)
      this.running.add(id)
      this.round(written)
        .catch((error: unknown) => this.ctx.log.error({ err: error, conversationId: id }, 'message fan-out failed'))
        .finally(() => {
          this.running.delete(id)
          if (this.pending.has(id)) this.ready.push(id)
          this.pump()
          if (!this.pending.size && !this.running.size) {
            const done = this.done
            this.done = []
            for (const resolve of done) resolve()
          }
        })
    }
  }
}
