import { isDuplicateKey } from '../db/errors.ts'
import { DueList } from './due-list.ts'
import { jobCollections, jobId, type JobCollections, type JobDoc, type JobModels, type JobState } from './model.ts'

/** Payloads are plain JSON objects (no Dates, keys without '.' or a leading '$'). */
export type JobPayload = object
/** Job names and their payloads; the composition root passes the app's catalog as a type. */
export type JobCatalog = Record<string, JobPayload>

export interface EnqueueResult {
  id: string
  /** False when a job with this (name, key) was stored before: the first one's payload stays. */
  created: boolean
  state: JobState
}

/** What an operator (or a test) sees of a job. */
export interface JobInfo {
  id: string
  name: string
  key: string
  state: JobState
  payload: object
  attempts: number
  runAt: string
  lastError: string | null
  owner: string | null
  leaseUntil: string | null
  createdAt: string
  finishedAt: string | null
}

export function toJobInfo(j: JobDoc): JobInfo {
  return {
    id: j._id,
    name: j.name,
    key: j.key,
    state: j.state,
    payload: j.payload,
    attempts: j.attempts,
    runAt: j.runAt.toISOString(),
    lastError: j.lastError,
    owner: j.owner,
    leaseUntil: j.leaseUntil?.toISOString() ?? null,
    createdAt: j.createdAt.toISOString(),
    finishedAt: j.finishedAt?.toISOString() ?? null,
  }
}

/** What services need: `ctx.jobs.enqueue(...)`. */
export interface JobQueueApi<K extends JobCatalog = JobCatalog> {
  enqueue<N extends keyof K & string>(name: N, key: string, payload: K[N], options?: { runAt?: Date }): Promise<EnqueueResult>
}

/**
 * Storing jobs and looking at them. Usable without a runner (a script can enqueue; a running
 * node picks the job up within its poll interval).
 */
export class JobQueue<K extends JobCatalog = JobCatalog> implements JobQueueApi<K> {
  readonly c: JobCollections
  readonly due: DueList

  constructor(models: JobModels) {
    this.c = jobCollections(models)
    this.due = new DueList(this.c)
  }

  /**
   * Stores a job and resolves once the database has acknowledged it (so a crash after this
   * loses nothing). The same (name, key) is stored once: a second call, even after the job ran,
   * stores nothing and says `created: false` (finished jobs are kept for the runner's
   * `keepDoneMs`, a week by default; after that the key is free again).
   */
  async enqueue<N extends keyof K & string>(name: N, key: string, payload: K[N], options: { runAt?: Date } = {}): Promise<EnqueueResult> {
    const _id = jobId(name, key)
    const now = new Date()
    const runAt = options.runAt ?? now
    // The entry first: a crash after it leaves a hint to a job that does not exist (skipped);
    // the other order could leave a stored job that no runner ever looks at.
    const entry = await this.due.add(_id, name, runAt, 'run')
    try {
      await this.c.jobs.insertOne({
        _id,
        name,
        key,
        payload,
        state: 'pending',
        runAt,
        attempts: 0,
        claims: 0,
        entry,
        leaseUntil: null,
        owner: null,
        lastError: null,
        createdAt: now,
        updatedAt: now,
        finishedAt: null,
      })
      return { id: _id, created: true, state: 'pending' }
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
      const existing = await this.c.jobs.findOne({ _id })
      return { id: _id, created: false, state: existing?.state ?? 'pending' }
    }
  }

  async get(name: string, key: string): Promise<JobInfo | null> {
    const job = await this.c.jobs.findOne({ _id: jobId(name, key) })
    return job ? toJobInfo(job) : null
  }

  /** Jobs that gave up (newest first) with their last error; read by `_id` from the `failed` list. */
  async failures(limit = 50): Promise<JobInfo[]> {
    const ids = await this.due.failedJobs(limit * 2)
    const jobs = await Promise.all(ids.map((_id) => this.c.jobs.findOne({ _id })))
    return jobs
      .filter((j): j is JobDoc => j?.state === 'failed')
      .slice(0, limit)
      .map(toJobInfo)
  }

  /** An operator sends a failed job round again, with a fresh count of attempts. */
  async retry(name: string, key: string): Promise<boolean> {
    const _id = jobId(name, key)
    const job = await this.c.jobs.findOne({ _id })
    if (job?.state !== 'failed') return false
    const now = new Date()
    const entry = await this.due.add(_id, name, now, 'run')
    await this.c.jobs.updateOne({ _id }, { $set: { state: 'pending', attempts: 0, runAt: now, entry, finishedAt: null, updatedAt: now } })
    return true
  }
}
