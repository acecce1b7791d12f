import { Schema, type Connection, type Model, type mongo } from 'mongoose'

/**
 * What the durable job runner stores. Every read and write here goes by a bare `_id` (or is an
 * insert), because FerretDB 1.x answers nothing else from an index; finding work is the due
 * list's job (due-list.ts), never a query over `jobs`. So finished jobs can stay for a week as
 * their own idempotency record without slowing anyone down.
 */
export type JobState = 'pending' | 'running' | 'done' | 'failed'

export interface JobDoc {
  /** `<name>:<key>`: enqueueing the same (name, key) again is an insert conflict. */
  _id: string
  name: string
  key: string
  payload: object
  state: JobState
  runAt: Date
  /** Runs started since the job was queued (or re-queued by an operator); compared with maxAttempts. */
  attempts: number
  /** Leases ever taken; numbers the lease documents `<job>#<n>`. Never goes down. */
  claims: number
  /** The due-list entry that stands for the job now (its next look); null when nothing is due. */
  entry: string | null
  leaseUntil: Date | null
  owner: string | null
  lastError: string | null
  createdAt: Date
  updatedAt: Date
  finishedAt: Date | null
}

/** Who runs attempt n of a job, until when. The unique `_id` is the lock: one insert wins. */
export interface JobLeaseDoc {
  _id: string
  owner: string
  until: Date
}

/**
 * An entry of a numbered list: `<list>#<n>`. Due-list entries say "look at this job at `at`"
 * (`run`: start it or take over its expired lease; `purge`: delete the finished job); the
 * `failed` list numbers the jobs that gave up, for the operator.
 */
export interface JobEntryDoc {
  _id: string
  job: string
  name: string
  at: Date
  kind: 'run' | 'purge' | 'failed'
}

/** A list's head (`<list>` → last number taken) or the due list's low mark (`low` → slot start). */
export interface JobMarkDoc {
  _id: string
  seq: number
}

const JobSchema = new Schema<JobDoc>(
  {
    _id: { type: String },
    name: { type: String, required: true },
    key: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, default: {} },
    state: { type: String, enum: ['pending', 'running', 'done', 'failed'], required: true },
    runAt: { type: Date, required: true },
    attempts: { type: Number, default: 0 },
    claims: { type: Number, default: 0 },
    entry: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    owner: { type: String, default: null },
    lastError: { type: String, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
  },
  { versionKey: false, minimize: false },
)
const JobLeaseSchema = new Schema<JobLeaseDoc>(
  { _id: { type: String }, owner: { type: String, required: true }, until: { type: Date, required: true } },
  { versionKey: false },
)
const JobEntrySchema = new Schema<JobEntryDoc>(
  {
    _id: { type: String },
    job: { type: String, required: true },
    name: { type: String, required: true },
    at: { type: Date, required: true },
    kind: { type: String, enum: ['run', 'purge', 'failed'], required: true },
  },
  { versionKey: false },
)
const JobMarkSchema = new Schema<JobMarkDoc>({ _id: { type: String }, seq: { type: Number, required: true } }, { versionKey: false })

export function jobModels(conn: Connection) {
  return {
    Job: conn.model('Job', JobSchema, 'jobs') as Model<JobDoc>,
    JobLease: conn.model('JobLease', JobLeaseSchema, 'job_leases') as Model<JobLeaseDoc>,
    JobEntry: conn.model('JobEntry', JobEntrySchema, 'job_entries') as Model<JobEntryDoc>,
    JobMark: conn.model('JobMark', JobMarkSchema, 'job_marks') as Model<JobMarkDoc>,
  }
}
export type JobModels = ReturnType<typeof jobModels>

/** The driver collections behind the models: the runner's hot path skips mongoose's casting. */
export interface JobCollections {
  jobs: mongo.Collection<JobDoc>
  leases: mongo.Collection<JobLeaseDoc>
  entries: mongo.Collection<JobEntryDoc>
  marks: mongo.Collection<JobMarkDoc>
}

export function jobCollections(models: JobModels): JobCollections {
  return {
    jobs: models.Job.collection as unknown as mongo.Collection<JobDoc>,
    leases: models.JobLease.collection as unknown as mongo.Collection<JobLeaseDoc>,
    entries: models.JobEntry.collection as unknown as mongo.Collection<JobEntryDoc>,
    marks: models.JobMark.collection as unknown as mongo.Collection<JobMarkDoc>,
  }
}

// A name never contains ':', so `<name>:<key>` is unambiguous whatever the key holds.
const NAME = /^[a-z][a-z0-9._-]{0,63}$/
export function checkJobName(name: string): void {
  if (!NAME.test(name)) throw new Error(`Job name "${name}" must match ${NAME} (lower case, no ':').`)
}
export function jobId(name: string, key: string): string {
  checkJobName(name)
  if (key.length === 0 || key.length > 200) throw new Error(`Job key of "${name}" must have 1 to 200 characters.`)
  return `${name}:${key}`
}
export const leaseId = (job: string, n: number) => `${job}#${n}`
