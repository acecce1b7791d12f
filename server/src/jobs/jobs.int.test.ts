import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, inject, it, vi } from 'vitest'
import { openDatabase, type Database } from '../db/connect.ts'
import { JobQueue, jobModels, JobRunner, type JobModels, type JobOptions, type RunningJob } from './index.ts'

/**
 * The job runner against the real embedded database. A "node" is its own connection (closing
 * it mid-run is how a worker dies here: nothing it does after that reaches the database).
 */
interface Node {
  db: Database
  models: JobModels
  log: { info(): void; warn(o: unknown, m?: string): void; error(o: unknown, m?: string): void; lines: string[] }
}
type Catalog = { 'test.work': { n: number } }
type Ctx = Pick<Node, 'models' | 'log'>

const opened: Database[] = []
const runners: Array<JobRunner<Ctx, Catalog>> = []

async function openNode(dbName: string): Promise<Node> {
  const db = await openDatabase({ mongodbUri: inject('mongoUri'), dataDir: '/nonexistent' }, { dbName })
  opened.push(db)
  const models = jobModels(db.connection)
  for (const model of Object.values(models)) {
    await model.createCollection().catch((error: { codeName?: string }) => {
      if (error.codeName !== 'NamespaceExists') throw error
    })
  }
  const lines: string[] = []
  const record = (_o: unknown, m?: string) => void lines.push(m ?? '')
  return { db, models, log: { info() {}, warn: record, error: record, lines } }
}

function runner(node: Node, handler: (job: RunningJob<{ n: number }>) => Promise<void>, options: JobOptions = {}) {
  const r = new JobRunner<Ctx, Catalog>({ models: node.models, log: node.log }, { pollMs: 50 })
  r.define('test.work', async (_ctx, job) => handler(job), options)
  runners.push(r)
  return r
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}
const freshDb = () => `jobs_${randomBytes(4).toString('hex')}`

afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()))
  const dbs = opened.splice(0)
  const live = dbs.findLast((db) => db.connection.readyState === 1)
  await live?.connection.dropDatabase().catch(() => {})
  await Promise.all(dbs.map((db) => db.close().catch(() => {})))
})

describe('enqueue', () => {
  it('has stored the job when enqueue resolves: another connection sees it', async () => {
    const name = freshDb()
    const node = await openNode(name)
    const other = await openNode(name)
    const r = runner(node, async () => {})
    expect(await r.enqueue('test.work', 'k1', { n: 1 })).toEqual({ id: 'test.work:k1', created: true, state: 'pending' })
    const stored = await other.db.connection.db!.collection<{ _id: string }>('jobs').findOne({ _id: 'test.work:k1' })
    expect(stored).toMatchObject({ name: 'test.work', key: 'k1', state: 'pending', payload: { n: 1 }, attempts: 0 })
  })

  it('stores one job for a repeated (name, key) and runs it once, also when enqueued again after it ran', async () => {
    const node = await openNode(freshDb())
    const seen: number[] = []
    const r = runner(node, async (job) => void seen.push(job.payload.n))
    const results = await Promise.all([1, 2, 3].map((n) => r.enqueue('test.work', 'same', { n })))
    expect(results.filter((x) => x.created)).toHaveLength(1)
    expect(await node.models.Job.countDocuments({ name: 'test.work' })).toBe(1)
    await r.drain()
    expect(seen).toHaveLength(1)
    expect(await r.enqueue('test.work', 'same', { n: 4 })).toMatchObject({ created: false, state: 'done' })
    await r.drain()
    expect(seen).toHaveLength(1)
    expect(await node.models.Job.countDocuments({ name: 'test.work' })).toBe(1)
  })
})

describe('an entry seen before its job is stored', () => {
  // A queue writes the due entry first and the job document after it (see JobQueue.enqueue). A
  // runner that reads the entry in between must look again, not drop it: these stall the queue
  // writer until the runner has taken a round over the entry.
  it('runs a job whose entry a runner read while the job was still being stored', async () => {
    const name = freshDb()
    const seen: number[] = []
    const r = runner(await openNode(name), async (job) => void seen.push(job.payload.n))
    const writer = new JobQueue<Catalog>((await openNode(name)).models)
    const insert = writer.c.jobs.insertOne.bind(writer.c.jobs)
    writer.c.jobs.insertOne = (async (...args: Parameters<typeof insert>) => {
      await r.drain()
      return insert(...args)
    }) as typeof insert
    await writer.enqueue('test.work', 'late', { n: 7 })
    r.start()
    await waitFor('the job to run', () => seen.length === 1)
    expect(seen).toEqual([7])
  })

  it('runs a failed job sent round again while a runner reads its new entry', async () => {
    const name = freshDb()
    let fail = true
    const r = runner(
      await openNode(name),
      async () => {
        if (fail) throw new Error('down')
      },
      { maxAttempts: 1 },
    )
    await r.enqueue('test.work', 'again', { n: 1 })
    await r.drain()
    expect((await r.get('test.work', 'again'))?.state).toBe('failed')
    fail = false
    const writer = new JobQueue<Catalog>((await openNode(name)).models)
    const update = writer.c.jobs.updateOne.bind(writer.c.jobs)
    writer.c.jobs.updateOne = (async (...args: Parameters<typeof update>) => {
      await r.drain()
      return update(...args)
    }) as typeof update
    expect(await writer.retry('test.work', 'again')).toBe(true)
    r.start()
    await waitFor('the retried job to finish', async () => (await r.get('test.work', 'again'))?.state === 'done')
  })
})

describe('leases', () => {
  it('never runs a job on two runners at once: each of 24 jobs runs exactly once', async () => {
    const name = freshDb()
    const [a, b] = [await openNode(name), await openNode(name)]
    const runs: Array<{ key: string; node: string; start: number; end: number }> = []
    const work = (node: string) => async (job: RunningJob<{ n: number }>) => {
      const start = Date.now()
      await sleep(40)
      runs.push({ key: job.key, node, start, end: Date.now() })
    }
    const ra = runner(a, work('a'), { concurrency: 4 })
    const rb = runner(b, work('b'), { concurrency: 4 })
    ra.start()
    rb.start()
    for (let i = 0; i < 24; i++) await (i % 2 ? ra : rb).enqueue('test.work', `j${i}`, { n: i })
    await waitFor('24 runs', () => runs.length >= 24)
    await sleep(300) // a second run of any job would show up here
    const perJob = new Map<string, number>()
    for (const run of runs) perJob.set(run.key, (perJob.get(run.key) ?? 0) + 1)
    expect(perJob.size).toBe(24)
    expect([...perJob.values()].every((count) => count === 1)).toBe(true)
  })

  it('keeps a run that outlasts its lease on its runner by renewing the lease', async () => {
    const name = freshDb()
    const [a, b] = [await openNode(name), await openNode(name)]
    const runs: string[] = []
    const slow = (node: string) => async () => {
      runs.push(node)
      await sleep(1_300) // more than four lease times
    }
    const ra = runner(a, slow('a'), { leaseMs: 300 })
    const rb = runner(b, slow('b'), { leaseMs: 300 })
    await ra.enqueue('test.work', 'long', { n: 1 })
    ra.start()
    await waitFor('the first run', () => runs.length === 1)
    rb.start()
    await waitFor('the job to finish', async () => (await ra.get('test.work', 'long'))?.state === 'done')
    await sleep(400)
    expect(runs).toEqual(['a'])
  })

  it('runs the job again on another runner when its worker died mid-run (lease expired)', async () => {
    const name = freshDb()
    const [a, b] = [await openNode(name), await openNode(name)]
    let release = () => {}
    let startedA = 0
    const ra = runner(
      a,
      async () => {
        startedA = Date.now()
        await new Promise<void>((resolve) => (release = resolve))
      },
      { leaseMs: 500 },
    )
    const onB: Array<{ attempt: number; at: number }> = []
    const rb = runner(b, async (job) => void onB.push({ attempt: job.attempt, at: Date.now() }), { leaseMs: 500 })
    try {
      await ra.enqueue('test.work', 'orphan', { n: 1 })
      ra.start()
      await waitFor('the run on a', () => startedA > 0)
      await a.db.connection.close(true) // node a dies: it can neither renew nor finish
      rb.start()
      await waitFor('the run on b', () => onB.length > 0)
      expect(onB[0]!.attempt).toBe(2)
      expect(onB[0]!.at - startedA).toBeGreaterThanOrEqual(400) // not before a's lease ran out
      await waitFor('done', async () => (await rb.get('test.work', 'orphan'))?.state === 'done')
    } finally {
      release()
    }
    await ra.stop() // a's late finish cannot be stored; stop still returns
    expect(onB).toHaveLength(1)
  })
})

describe('failures, delays and restarts', () => {
  it('retries a failing job with growing backoff, then keeps it as failed with its last error', async () => {
    const node = await openNode(freshDb())
    const times: number[] = []
    let healthy = false
    const r = runner(
      node,
      async (job) => {
        times.push(Date.now())
        if (!healthy) throw new Error(`boom ${job.attempt}`)
      },
      { maxAttempts: 3, backoffMs: 150 },
    )
    await r.enqueue('test.work', 'flaky', { n: 1 })
    r.start()
    await waitFor('failed', async () => (await r.get('test.work', 'flaky'))?.state === 'failed')
    await sleep(400)
    expect(times).toHaveLength(3)
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(150)
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(300)
    expect(await r.get('test.work', 'flaky')).toMatchObject({ state: 'failed', attempts: 3, lastError: 'Error: boom 3' })
    expect((await r.failures()).map((j) => [j.id, j.lastError])).toEqual([['test.work:flaky', 'Error: boom 3']])
    healthy = true
    expect(await r.retry('test.work', 'flaky')).toBe(true)
    await waitFor('done after the retry', async () => (await r.get('test.work', 'flaky'))?.state === 'done')
    expect(times).toHaveLength(4)
  })

  it('waits with a delayed job until its runAt, without holding up jobs due now', async () => {
    const node = await openNode(freshDb())
    const ran = new Map<string, number>()
    const r = runner(node, async (job) => void ran.set(job.key, Date.now()), { concurrency: 2 })
    r.start()
    const runAt = new Date(Date.now() + 1_500)
    await r.enqueue('test.work', 'later', { n: 1 }, { runAt })
    await r.enqueue('test.work', 'now', { n: 2 })
    await waitFor('the job due now', () => ran.has('now'))
    await sleep(500)
    expect(ran.has('later')).toBe(false)
    expect((await r.get('test.work', 'later'))?.state).toBe('pending')
    await waitFor('the delayed job', () => ran.has('later'))
    expect(ran.get('later')!).toBeGreaterThanOrEqual(runAt.getTime())
  })

  it('resumes after a restart: a new runner on a new connection runs what the old one left', async () => {
    const name = freshDb()
    const before = await openNode(name)
    const old = runner(before, async () => {
      throw new Error('the old runner must not run anything')
    })
    for (let i = 0; i < 5; i++) await old.enqueue('test.work', `left${i}`, { n: i })
    await old.enqueue('test.work', 'delayed', { n: 9 }, { runAt: new Date(Date.now() + 800) })
    await old.stop()
    await before.db.close()
    const after = await openNode(name)
    const ran: string[] = []
    const fresh = runner(after, async (job) => void ran.push(job.key), { concurrency: 3 })
    fresh.start()
    await waitFor('all six', () => ran.length === 6)
    expect(ran.sort()).toEqual(['delayed', 'left0', 'left1', 'left2', 'left3', 'left4'])
  })

  it('resumes after downtime: a runner started minutes later reads the slots that passed from the low mark', async () => {
    const name = freshDb()
    const before = await openNode(name)
    const old = runner(before, async () => {})
    for (let i = 0; i < 3; i++) await old.enqueue('test.work', `parked${i}`, { n: i })
    await before.db.close()
    const lowBefore = (await (await openNode(name)).models.JobMark.findById('low').lean())!.seq
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true })
    try {
      vi.setSystemTime(Date.now() + 5 * 60_000) // the node was down for five minutes
      const after = await openNode(name)
      const ran: string[] = []
      const fresh = runner(after, async (job) => void ran.push(job.key), { concurrency: 3 })
      fresh.start()
      await waitFor('the parked jobs', () => ran.length === 3)
      await waitFor('the low mark to pass the old slots', async () => ((await after.models.JobMark.findById('low').lean())?.seq ?? 0) > lowBefore + 4 * 60_000)
      expect(ran.sort()).toEqual(['parked0', 'parked1', 'parked2'])
    } finally {
      vi.useRealTimers()
    }
  })

  it('stop() waits for running handlers and stores their results', async () => {
    const node = await openNode(freshDb())
    let started = false
    let finished = false
    const r = runner(node, async () => {
      started = true
      await sleep(300)
      finished = true
    })
    await r.enqueue('test.work', 'busy', { n: 1 })
    r.start()
    await waitFor('the run', () => started)
    await r.stop()
    expect(finished).toBe(true)
    expect((await r.get('test.work', 'busy'))?.state).toBe('done')
  })
})
