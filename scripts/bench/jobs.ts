/**
 * Job runner benchmark (server/src/jobs). On a fresh embedded database it times, in one run:
 *   - the baseline: BENCH_JOBS plain driver insertOne into a scratch collection, BENCH_CONCURRENCY
 *     in flight, and a driver findOne by _id;
 *   - enqueueing the same number of jobs (same concurrency), then running them all (a no-op
 *     handler, concurrency BENCH_CONCURRENCY), and both at once with the runner started;
 *   - finding due work: the time from enqueue to the handler's start and an idle round of the
 *     runner, on a fresh database and again with BENCH_DONE finished jobs stored (written raw, as
 *     the runner leaves them);
 *   - for contrast, on the same database: the query a "small jobs table" design would poll with,
 *     and agenda 6's claim (the findOneAndUpdate of @agendajs/mongo-backend 4.0.3, which keeps
 *     finished one-off jobs), over none and over BENCH_DONE finished jobs, and what a plain
 *     updateOne by _id waits while that claim runs.
 * It prints a table with ratios; no assertions.
 *
 *   npx node scripts/bench/jobs.ts           BENCH_JOBS=500 BENCH_DONE=5000 npx node scripts/bench/jobs.ts
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import pino from 'pino'
import { loadConfig } from '../../server/src/config.ts'
import { openDatabase } from '../../server/src/db/connect.ts'
import { jobModels, JobRunner, type JobDoc } from '../../server/src/jobs/index.ts'
import { time } from './timing.ts'

const N = Number(process.env.BENCH_JOBS ?? 2_000)
const DONE = Number(process.env.BENCH_DONE ?? 20_000)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20)
const SLOW_ROUNDS = Math.max(3, Math.round(ROUNDS / 4))

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-jobs-bench-'))
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret' })
const db = await openDatabase(config, { dbName: `jobsbench_${Date.now()}` })
const models = jobModels(db.connection)
for (const model of Object.values(models)) await model.createCollection()
const log = pino({ level: 'silent' })
const engine = config.mongodbUri ? 'MongoDB (MONGODB_URI)' : 'embedded FerretDB 1.24 / SQLite'
console.log(
  `Job runner benchmark on ${engine}: ${N.toLocaleString('en')} jobs, ${CONCURRENCY} in flight, ${DONE.toLocaleString('en')} finished jobs for the lookup figures`,
)

/** Runs `count` calls of `fn` with `CONCURRENCY` in flight; returns ms. */
async function inFlight(count: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await fn(next++)
    }),
  )
  return performance.now() - t0
}

type Catalog = { 'bench.noop': { i: number } }
let started: (() => void) | null = null
const runner = new JobRunner<{ models: typeof models; log: typeof log }, Catalog>({ models, log }, { pollMs: 1_000 })
runner.define('bench.noop', async () => started?.(), { concurrency: CONCURRENCY })
let probe = 0
/** From enqueue to the handler's start, with the runner polling (its own enqueue wakes it). */
const enqueueToStart = () =>
  new Promise<void>((resolve, reject) => {
    started = resolve
    runner.enqueue('bench.noop', `probe-${++probe}`, { i: probe }).catch(reject)
  })

// ---- finding work on a fresh database (nothing stored but the probe jobs themselves)
runner.start()
const latencyEmpty = await time(ROUNDS, enqueueToStart)
await runner.stop()
started = null
const idleEmpty = await time(ROUNDS, () => runner.drain())

// ---- baselines
const raw = db.connection.db!.collection<{ _id: string; i: number; at: Date }>('bench_raw')
const insertMs = await inFlight(N, (i) => raw.insertOne({ _id: `raw-${i}`, i, at: new Date() }))
const findMs = await time(ROUNDS, () => raw.findOne({ _id: `raw-${Math.floor(Math.random() * N)}` }))

// ---- throughput through the runner
const enqueueMs = await inFlight(N, (i) => runner.enqueue('bench.noop', `a-${i}`, { i }))
let t0 = performance.now()
await runner.drain()
const runMs = performance.now() - t0
runner.start()
let done = 0
started = () => void (done += 1)
t0 = performance.now()
await inFlight(N, (i) => runner.enqueue('bench.noop', `b-${i}`, { i }))
while (done < N) await new Promise((r) => setTimeout(r, 5))
const bothMs = performance.now() - t0
await runner.stop()
started = null

// ---- contrast collections, empty
const now = new Date()
const scan = db.connection.db!.collection<JobDoc>('bench_scan_jobs')
const agenda = db.connection.db!.collection<{ _id: string; name: string; nextRunAt: Date | null; lockedAt: Date | null }>('bench_agenda_jobs')
const other = db.connection.db!.collection<{ _id: string; n: number }>('bench_other')
await other.insertOne({ _id: 'x', n: 0 })
const pollQuery = () =>
  scan
    .find({ state: 'pending', runAt: { $lte: new Date() } })
    .limit(10)
    .toArray()
/** agenda 6 (`@agendajs/mongo-backend` 4.0.3, MongoJobRepository.getNextJobToRun), as it asks. */
const agendaClaim = () =>
  agenda.findOneAndUpdate(
    {
      name: 'bench.noop',
      disabled: { $ne: true },
      $or: [{ lockedAt: { $eq: null }, nextRunAt: { $lte: new Date() } }, { lockedAt: { $lte: new Date(Date.now() - 600_000) } }],
    },
    { $set: { lockedAt: new Date(), lastModifiedBy: null } },
    { returnDocument: 'after', sort: { nextRunAt: 1, priority: -1 } },
  )
/** A write by _id elsewhere, issued while the claim runs: FerretDB serialises read-modify-write commands. */
const writeDuringClaim = async () => {
  const claim = agendaClaim()
  const t = performance.now()
  await other.updateOne({ _id: 'x' }, { $inc: { n: 1 } })
  const waited = performance.now() - t
  await claim
  return waited
}
const pollEmpty = await time(ROUNDS, pollQuery)
const agendaEmpty = await time(ROUNDS, agendaClaim)

// ---- DONE finished jobs, as each design keeps them
const doneDoc = (i: number): JobDoc => ({
  _id: `bench.noop:done-${i}`,
  name: 'bench.noop',
  key: `done-${i}`,
  payload: { i },
  state: 'done',
  runAt: now,
  attempts: 1,
  claims: 1,
  entry: `${Date.now() + 7 * 86_400_000}#${i}`,
  leaseUntil: null,
  owner: null,
  lastError: null,
  createdAt: now,
  updatedAt: now,
  finishedAt: now,
})
for (let from = 0; from < DONE; from += 1_000) {
  const batch = Array.from({ length: Math.min(1_000, DONE - from) }, (_, j) => doneDoc(from + j))
  await runner.queue.c.jobs.insertMany(batch)
  await scan.insertMany(batch)
  await agenda.insertMany(
    batch.map((d) => ({
      _id: d._id,
      name: d.name,
      data: d.payload,
      type: 'normal',
      priority: 0,
      nextRunAt: null,
      lockedAt: null,
      lastRunAt: now,
      lastFinishedAt: now,
      lastModifiedBy: null,
    })),
  )
}
const finished = await models.Job.countDocuments({ state: 'done' })
const idleDone = await time(ROUNDS, () => runner.drain())
runner.start()
const latencyDone = await time(ROUNDS, enqueueToStart)
await runner.stop()
const pollDone = await time(SLOW_ROUNDS, pollQuery, 1)
const agendaDone = await time(SLOW_ROUNDS, agendaClaim, 1)
const blockedWrite = await time(SLOW_ROUNDS, writeDuringClaim, 1)

// ---- report
const perJob = (ms: number) => ms / N
const rows: Array<[string, number, string]> = [
  [`baseline: ${N} driver insertOne (${CONCURRENCY} in flight), per insert`, perJob(insertMs), `1.00× · ${Math.round(N / (insertMs / 1000))}/s`],
  ['baseline: driver findOne by _id', findMs, '1.00×'],
  [`enqueue ${N} jobs, per job`, perJob(enqueueMs), `${(enqueueMs / insertMs).toFixed(2)}× insertOne · ${Math.round(N / (enqueueMs / 1000))}/s`],
  [`run them (drain), per job`, perJob(runMs), `${(runMs / insertMs).toFixed(2)}× insertOne · ${Math.round(N / (runMs / 1000))}/s`],
  [`enqueue + run with the runner started, per job`, perJob(bothMs), `${(bothMs / insertMs).toFixed(2)}× insertOne · ${Math.round(N / (bothMs / 1000))}/s`],
  ['idle round (nothing due), fresh database', idleEmpty, `${(idleEmpty / findMs).toFixed(1)}× findOne`],
  [
    `idle round, ${finished.toLocaleString('en')} finished jobs stored`,
    idleDone,
    `${(idleDone / findMs).toFixed(1)}× findOne · ${(idleDone / idleEmpty).toFixed(2)}× fresh`,
  ],
  ['enqueue → handler starts, fresh database', latencyEmpty, `${(latencyEmpty / findMs).toFixed(1)}× findOne`],
  [
    `enqueue → handler starts, ${finished.toLocaleString('en')} finished`,
    latencyDone,
    `${(latencyDone / findMs).toFixed(1)}× findOne · ${(latencyDone / latencyEmpty).toFixed(2)}× fresh`,
  ],
  ['contrast: poll query of a jobs table, empty', pollEmpty, `${(pollEmpty / findMs).toFixed(1)}× findOne`],
  [`contrast: the same over ${DONE.toLocaleString('en')} finished`, pollDone, `${(pollDone / findMs).toFixed(0)}× findOne`],
  ['contrast: agenda 6 claim, empty', agendaEmpty, `${(agendaEmpty / findMs).toFixed(1)}× findOne`],
  [`contrast: agenda 6 claim over ${DONE.toLocaleString('en')} finished`, agendaDone, `${(agendaDone / findMs).toFixed(0)}× findOne`],
  ['contrast: an updateOne by _id issued during that claim', blockedWrite, `${(blockedWrite / findMs).toFixed(0)}× findOne`],
]
console.log(`\nmedians of ${ROUNDS} rounds (${SLOW_ROUNDS} for the slow contrasts); throughput rows: one run each\n`)
console.log('what'.padEnd(62) + 'ms'.padStart(10) + '   ratio')
for (const [what, ms, ratio] of rows) console.log(what.padEnd(62) + ms.toFixed(2).padStart(10) + `   ${ratio}`)
await db.close()
await rm(dataDir, { recursive: true, force: true })
