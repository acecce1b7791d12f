import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { Rechecks, SlotReader, writtenBy } from './due-list.ts'
import { backoff, definition, errorText, type Definition, type JobDeps, type JobHandler, type JobOptions, type Run, type RunnerOptions } from './definitions.ts'
import type { Outcome, RoundResult } from './definitions.ts'
import { failJob, leaseHeld, purgeJob, takeLease } from './leases.ts'
import { leaseId, type JobDoc, type JobEntryDoc } from './model.ts'
import { JobQueue, type EnqueueResult, type JobCatalog, type JobInfo, type JobQueueApi } from './queue.ts'

const MAX_SLOT_READS = 50
const VISITS_IN_FLIGHT = 8

/**
 * The durable job runner: see README, "Background jobs". Several runners (nodes, or several in
 * one process) share one database; a job is run by one of them at a time, under a lease.
 */
export class JobRunner<C extends JobDeps, K extends JobCatalog = JobCatalog> implements JobQueueApi<K> {
  readonly queue: JobQueue<K>
  readonly node: string
  readonly #ctx: C
  readonly #pollMs: number
  readonly #keepDoneMs: number
  readonly #defs = new Map<string, Definition<C>>()
  readonly #reader: SlotReader
  readonly #running = new Set<Promise<void>>()
  readonly #unknown = new Set<string>()
  readonly #later = new Rechecks()
  #chain: Promise<unknown> = Promise.resolve()
  #timer: NodeJS.Timeout | null = null
  #started = false
  #stopping = false
  #ticking = false
  #again = false

  constructor(ctx: C, options: RunnerOptions = {}) {
    this.#ctx = ctx
    this.queue = new JobQueue<K>(ctx.models)
    this.#reader = new SlotReader(this.queue.due)
    this.node = options.node ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
    this.#pollMs = options.pollMs ?? 1_000
    this.#keepDoneMs = options.keepDoneMs ?? 7 * 86_400_000
  }

  /** Registers the handler of a job name; it must tolerate running twice for one job (see JobHandler). */
  define<N extends keyof K & string>(name: N, handler: JobHandler<C, K[N]>, options: JobOptions = {}): this {
    if (this.#defs.has(name)) throw new Error(`Job "${name}" is defined twice.`)
    this.#defs.set(name, definition(name, handler, options))
    return this
  }

  /** Stores the job (see JobQueue.enqueue) and, when it is due, has this runner look at once. */
  async enqueue<N extends keyof K & string>(name: N, key: string, payload: K[N], options: { runAt?: Date } = {}): Promise<EnqueueResult> {
    const result = await this.queue.enqueue(name, key, payload, options)
    if (result.created && (options.runAt?.getTime() ?? 0) <= Date.now()) this.#wake()
    return result
  }

  /** A job as the operator sees it; `failures()`: those that gave up, newest first, with their last error. */
  get = (name: string, key: string): Promise<JobInfo | null> => this.queue.get(name, key)
  failures = (limit?: number): Promise<JobInfo[]> => this.queue.failures(limit)

  async retry(name: string, key: string): Promise<boolean> {
    const sent = await this.queue.retry(name, key)
    if (sent) this.#wake()
    return sent
  }

  /** Starts polling: pending jobs, due delayed ones and those whose worker died are picked up. */
  start(): void {
    if (this.#started) return
    this.#started = true
    this.#schedule(0)
  }

  /** Stops taking jobs and resolves when every running handler has finished and its result is stored. */
  async stop(): Promise<void> {
    this.#stopping = true
    this.#started = false
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    await this.#chain.catch(() => {})
    while (this.#running.size > 0) await Promise.allSettled([...this.#running])
    this.#stopping = false // drain() may still be used; the loop stays off until start()
  }

  /** For tests and scripts: runs rounds until nothing this runner can take is due and nothing runs. */
  async drain(): Promise<void> {
    for (;;) {
      const { claimed, more, full } = await this.#tick()
      if (this.#running.size > 0) await Promise.allSettled([...this.#running])
      else if (claimed === 0 && !more && !full) return // 'full' with nothing running: a look held the place
    }
  }

  #schedule(ms: number): void {
    if (!this.#started || this.#stopping) return
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = setTimeout(() => void this.#loop(), ms)
    this.#timer.unref()
  }

  #wake(): void {
    if (this.#ticking) this.#again = true
    else this.#schedule(0)
  }

  async #loop(): Promise<void> {
    this.#timer = null
    const result = await this.#tick().catch((error: unknown) => {
      this.#ctx.log.warn({ err: error, node: this.node }, 'job runner: reading the due list failed')
      return { claimed: 0, more: false, full: false }
    })
    this.#schedule(result.more || this.#again ? 0 : this.#pollMs)
  }

  /** One round over the due list; rounds never overlap. */
  #tick(): Promise<RoundResult> {
    const round = this.#chain.then(async () => {
      this.#ticking = true
      this.#again = false
      try {
        return await this.#round()
      } finally {
        this.#ticking = false
      }
    })
    this.#chain = round.catch(() => {})
    return round
  }

  async #round(): Promise<RoundResult> {
    const now = Date.now()
    const { views, more } = await this.#reader.refresh(now, MAX_SLOT_READS)
    let claimed = 0
    let full = false
    const due: Array<() => Promise<void>> = []
    this.#later.prune(now)
    for (const [slot, view] of views) {
      for (const [n, entry] of view.open) {
        if (entry === null || entry.at.getTime() > now || this.#later.waiting(entry._id, now)) continue
        due.push(async () => {
          const outcome = await this.#visit(entry, slot, now).catch((error: unknown) => {
            this.#ctx.log.warn({ err: error, job: entry.job, node: this.node }, 'job runner: looking at a due job failed')
            return 'open' as const
          })
          if (outcome === 'later') return this.#later.defer(entry, slot, now)
          this.#later.forget(entry._id)
          if (outcome !== 'open' && outcome !== 'full') view.open.delete(n)
          if (outcome === 'claimed') claimed += 1
          full ||= outcome === 'full'
        })
      }
    }
    // Oldest first, a few at a time: the database serialises writes, this overlaps round trips.
    let next = 0
    await Promise.all(
      Array.from({ length: VISITS_IN_FLIGHT }, async () => {
        while (next < due.length && !this.#stopping) await due[next++]!()
      }),
    )
    await this.#reader.advance()
    return { claimed, more, full }
  }

  /** Settles one due entry if it can: 'open' means look again in a later round, 'later' after a wait. */
  async #visit(entry: JobEntryDoc, slot: number, now: number): Promise<Outcome> {
    if (entry.kind === 'purge') return this.#settle(entry, slot, null, now)
    const def = this.#defs.get(entry.name)
    if (!def) {
      if (!this.#unknown.has(entry.name)) this.#ctx.log.warn({ job: entry.job, node: this.node }, `job runner: no handler for "${entry.name}" on this node`)
      this.#unknown.add(entry.name)
      return 'open'
    }
    if (def.active >= def.concurrency) return 'full'
    def.active += 1 // a place for the run, held while we look (visits run side by side)
    let outcome: Outcome = 'open'
    try {
      outcome = await this.#settle(entry, slot, def, now)
      return outcome
    } finally {
      if (outcome !== 'claimed') def.active -= 1
    }
  }

  async #settle(entry: JobEntryDoc, slot: number, def: Definition<C> | null, now: number): Promise<Outcome> {
    const job = await this.queue.c.jobs.findOne({ _id: entry.job })
    if (!job || job.entry !== entry._id) {
      // Gone, or another entry stands for it — or the write pointing it here is on its way (writers
      // add the entry first): look again until that must have landed. A done job is never pointed back.
      return job?.state === 'done' || now > writtenBy(entry, slot) ? 'settled' : 'later'
    }
    if (!def) {
      if (job.state === 'done') await purgeJob(this.queue.c, job) // a purge entry: the finished job's week is over
      return 'settled'
    }
    const expired = job.state === 'running' && (job.leaseUntil?.getTime() ?? 0) <= now
    if (job.state !== 'pending' && !expired) return job.state === 'running' ? 'open' : 'settled'
    if (expired && (await leaseHeld(this.queue.c, job))) return 'open' // a live worker keeps its job
    if (expired && job.attempts >= def.maxAttempts) {
      await failJob(this.queue, job, job.lastError ?? 'the worker of the last run stopped without finishing it (lease expired)')
      return 'settled'
    }
    return this.#claim(job, def)
  }

  /** Takes the next lease of a job (one insert wins) and starts the handler. */
  async #claim(job: JobDoc, def: Definition<C>): Promise<Outcome> {
    const until = Date.now() + def.leaseMs
    const n = await takeLease(this.queue.c, job, this.node, new Date(until))
    if (n === null) return 'open' // someone holds it: look again later
    const attempt = job.attempts + (n - job.claims)
    // "If this run has not finished by then, look again": what brings a dead worker's job back
    // (as it does if this node dies before the next two writes).
    const entry = await this.queue.due.add(job._id, job.name, new Date(until), 'run')
    await this.queue.c.jobs.updateOne(
      { _id: job._id },
      { $set: { state: 'running', claims: n, attempts: attempt, entry, leaseUntil: new Date(until), owner: this.node, updatedAt: new Date() } },
    )
    this.#launch({ job, n, attempt, until, controller: new AbortController() }, def)
    return 'claimed'
  }

  #launch(run: Run, def: Definition<C>): void {
    const { job } = run
    const done = (async () => {
      const renewer = setInterval(() => void this.#renew(run, def), Math.max(10, def.leaseMs / 2))
      let failure: { error: unknown } | null = null
      try {
        await def.handler(this.#ctx, {
          id: job._id,
          name: job.name,
          key: job.key,
          payload: job.payload as never,
          attempt: run.attempt,
          maxAttempts: def.maxAttempts,
          signal: run.controller.signal,
        })
      } catch (error) {
        failure = { error }
      } finally {
        clearInterval(renewer)
      }
      await this.#finish(run, def, failure).catch((error: unknown) => {
        // The result is not stored; the lease runs out and the job runs again.
        this.#ctx.log.warn({ err: error, job: job._id, node: this.node }, 'job runner: storing the result of a run failed')
      })
    })().finally(() => {
      def.active -= 1
      this.#running.delete(done)
      this.#wake()
    })
    this.#running.add(done)
  }

  /** Extends a running job's lease; a lost lease aborts the handler's signal. */
  async #renew(run: Run, def: Definition<C>): Promise<void> {
    const { jobs, leases } = this.queue.c
    const id = run.job._id
    try {
      if (Date.now() >= run.until || (await jobs.findOne({ _id: id }))?.claims !== run.n) throw new Error('lease lost')
      const until = Date.now() + def.leaseMs
      await leases.updateOne({ _id: leaseId(id, run.n) }, { $set: { until: new Date(until) } })
      const entry = await this.queue.due.add(id, run.job.name, new Date(until), 'run')
      await jobs.updateOne({ _id: id }, { $set: { entry, leaseUntil: new Date(until), updatedAt: new Date() } })
      run.until = until
    } catch (error) {
      if (Date.now() < run.until) return // try again at the next beat
      if (!run.controller.signal.aborted) this.#ctx.log.warn({ err: error, job: id, node: this.node }, 'job runner: lease lost while running')
      run.controller.abort(new Error('lease lost'))
    }
  }

  async #finish(run: Run, def: Definition<C>, failure: { error: unknown } | null): Promise<void> {
    const { jobs } = this.queue.c
    const { job } = run
    const now = Date.now()
    if (now >= run.until && (await jobs.findOne({ _id: job._id }))?.claims !== run.n) {
      this.#ctx.log.warn({ job: job._id, node: this.node }, 'job runner: a run ended after its lease passed to another worker; its result is dropped')
      return
    }
    if (!failure) {
      const entry = await this.queue.due.add(job._id, job.name, new Date(now + this.#keepDoneMs), 'purge')
      await jobs.updateOne(
        { _id: job._id },
        { $set: { state: 'done', entry, leaseUntil: null, owner: null, finishedAt: new Date(now), updatedAt: new Date(now) } },
      )
      return
    }
    const lastError = errorText(failure.error)
    if (run.attempt >= def.maxAttempts) {
      this.#ctx.log.error({ err: failure.error, job: job._id, attempts: run.attempt }, `job ${job.name} failed for good`)
      await failJob(this.queue, job, lastError)
      return
    }
    const runAt = new Date(now + backoff(def, run.attempt))
    this.#ctx.log.warn({ err: failure.error, job: job._id, attempt: run.attempt, retryAt: runAt.toISOString() }, `job ${job.name} failed; retrying`)
    const entry = await this.queue.due.add(job._id, job.name, runAt, 'run')
    await jobs.updateOne({ _id: job._id }, { $set: { state: 'pending', runAt, entry, leaseUntil: null, owner: null, lastError, updatedAt: new Date(now) } })
  }
}
