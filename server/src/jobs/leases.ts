import { isDuplicateKey } from '../db/errors.ts'
import { leaseId, type JobCollections, type JobDoc } from './model.ts'
import type { JobQueue } from './queue.ts'

/**
 * Takes the next lease of a job: lease n belongs to whoever inserts `<job>#<n>` first (a unique
 * `_id` is the lock, on FerretDB and MongoDB alike). Returns the number taken, or null when
 * someone else holds it. An expired lease that never reached the job document (its taker died
 * between the two writes) is stepped over.
 */
export async function takeLease(c: JobCollections, job: JobDoc, owner: string, until: Date): Promise<number | null> {
  for (let n = job.claims + 1; n <= job.claims + 5; n++) {
    try {
      await c.leases.insertOne({ _id: leaseId(job._id, n), owner, until })
      return n
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
      const lease = await c.leases.findOne({ _id: leaseId(job._id, n) })
      if (!lease || lease.until.getTime() > Date.now()) return null
    }
  }
  return null
}

/** Whether the lease of the job's current run is still valid (the lease document decides: a renewal writes it first). */
export async function leaseHeld(c: JobCollections, job: JobDoc): Promise<boolean> {
  return ((await c.leases.findOne({ _id: leaseId(job._id, job.claims) }))?.until.getTime() ?? 0) > Date.now()
}

/** Deletes a finished job and its leases (leases first: a crash in between leaves the job to purge again). */
export async function purgeJob(c: JobCollections, job: JobDoc): Promise<void> {
  for (let n = 1; n <= job.claims; n++) await c.leases.deleteOne({ _id: leaseId(job._id, n) })
  await c.jobs.deleteOne({ _id: job._id })
}

/** Keeps a job as failed, with its last error, and lists it for the operator. */
export async function failJob(queue: Pick<JobQueue, 'c' | 'due'>, job: JobDoc, lastError: string): Promise<void> {
  const now = new Date()
  await queue.due.addFailed(job._id, job.name, now)
  await queue.c.jobs.updateOne(
    { _id: job._id },
    { $set: { state: 'failed', entry: null, leaseUntil: null, owner: null, lastError, finishedAt: now, updatedAt: now } },
  )
}
