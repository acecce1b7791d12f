import type { FastifyBaseLogger } from 'fastify'
import type { JobDoc, JobModels } from './model.ts'

/** What the runner needs of the service context (ServiceContext has it once the job models are in `models`). */
export interface JobDeps {
  models: JobModels
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>
}

/** One run of a job, as its handler sees it. */
export interface RunningJob<P> {
  id: string
  name: string
  key: string
  payload: P
  /** 1 on the first run; a run after a crash or a failure counts up. */
  attempt: number
  maxAttempts: number
  /** Aborted when this run lost its lease (another worker may be running the job now): stop soon. */
  signal: AbortSignal
}

/**
 * A job handler. It runs at least once per stored job, and may run twice: after a crash (the
 * node died after the work but before the job was marked done), or when a run outlived its lease
 * (`signal` aborts then). So write it to tolerate a repeat: upserts and writes keyed by the job's
 * key instead of blind inserts, an idempotency key on outside calls, "already sent?" checks.
 * Throwing fails this run; it is retried with backoff until `maxAttempts`, then kept as failed.
 */
export type JobHandler<C, P> = (ctx: C, job: RunningJob<P>) => Promise<void>

export interface JobOptions {
  /** Runs of this job at once on one node (default 1). */
  concurrency?: number
  /** Runs before the job is kept as failed (default 5). A run whose worker died counts. */
  maxAttempts?: number
  /** How long a run holds its claim without renewing it (default 30 s); renewed every half of it while the handler runs. */
  leaseMs?: number
  /** First retry delay (default 1 s), doubled with each failure, at most maxBackoffMs (default 1 h). */
  backoffMs?: number
  maxBackoffMs?: number
}

export interface RunnerOptions {
  /** This runner's name in leases and logs (default host:pid:random). */
  node?: string
  /** How often the due list is read when nothing woke the runner (default 1 s). */
  pollMs?: number
  /** How long finished jobs are kept, as idempotency record and for the operator (default 7 days). */
  keepDoneMs?: number
}

export interface Definition<C> {
  name: string
  handler: JobHandler<C, never>
  concurrency: number
  maxAttempts: number
  leaseMs: number
  backoffMs: number
  maxBackoffMs: number
  active: number
}
export interface Run {
  job: JobDoc
  n: number
  attempt: number
  until: number
  controller: AbortController
}

export function definition<C>(name: string, handler: JobHandler<C, never>, options: JobOptions): Definition<C> {
  return {
    name,
    handler,
    concurrency: options.concurrency ?? 1,
    maxAttempts: options.maxAttempts ?? 5,
    leaseMs: options.leaseMs ?? 30_000,
    backoffMs: options.backoffMs ?? 1_000,
    maxBackoffMs: options.maxBackoffMs ?? 3_600_000,
    active: 0,
  }
}

/** The delay before the run after `attempt` failed runs: doubling from backoffMs, at most maxBackoffMs. */
export const backoff = (def: Pick<Definition<unknown>, 'backoffMs' | 'maxBackoffMs'>, attempt: number) =>
  Math.min(def.maxBackoffMs, def.backoffMs * 2 ** (attempt - 1))

/** How a failure is kept on the job for the operator (the log has the whole error). */
export const errorText = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 2000)

/**
 * What a runner's look at a due entry came to. 'open': look again next round; 'full': the same,
 * the job's name runs at its concurrency (or a sibling look holds the place); 'later': after a wait.
 */
export type Outcome = 'open' | 'full' | 'later' | 'settled' | 'claimed'
export type RoundResult = { claimed: number; more: boolean; full: boolean }
