/**
 * Feed fan-out benchmark (issue 12): how long a partner waits for her PR post to be answered when
 * 0, 2,000, 10,000 or 50,000 people see it (her recruits, who also follow her), how long until
 * every one of them has it in their feed, and what a 50,000 fan-out does to chat latency.
 *
 * The server runs as in production (its own process, fresh embedded database). Authors are real
 * members with real sessions and post over HTTP; their audiences are written straight into the
 * audience lists (recruits and followers, the same ids in both, as a team that follows its
 * leader), because creating 62,000 members through the join path would take longer than
 * everything measured. Delivery is timed from the POST to the job's `done`, and checked: a sample
 * of recipients' feeds end with the post, and in the last round of each size the number of feed
 * entries that point to the post is exactly the audience plus the author.
 *
 *   npm run bench:fanout
 *   npm run bench:fanout -- --sizes 0,2000,10000 --rounds 3 --chat-rate 200
 *   npm run bench:fanout -- --profile      (the server writes a V8 CPU profile)
 */
import type { ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { Types } from 'mongoose'
import pino from 'pino'
import { flags } from '../../server/src/cli.ts'
import { createContext } from '../../server/src/compose.ts'
import { loadConfig } from '../../server/src/config.ts'
import { openDatabase } from '../../server/src/db/connect.ts'
import { addAllToList } from '../../server/src/db/lists.ts'
import { createModels } from '../../server/src/db/models.ts'
import { SESSION_COOKIE, createSession } from '../../server/src/modules/accounts/sessions.ts'
import { followersList, followersStream } from '../../server/src/modules/follows/service.ts'
import { feedEnd } from '../../server/src/modules/posts/feed-writer.ts'
import { ensureRoot, insertMember } from '../../server/src/modules/referrals/index.ts'
import { recruitsList } from '../../server/src/modules/referrals/graph.ts'
import { ChatLoad, type StepResult } from '../load/generator.ts'
import { cpuSeconds, ferretdbPid, killOnExit, serverEnv, startProcess } from '../load/processes.ts'
import { seedTeams } from '../load/teams.ts'

const args = flags()
const SIZES = (args.sizes ?? '0,2000,10000,50000').split(',').map(Number)
const ROUNDS = Number(args.rounds ?? 5)
const CHAT_RATE = Number(args['chat-rate'] ?? 200)
const CHAT_SECONDS = Number(args['chat-seconds'] ?? 10)
const SAMPLE = 300
const SECRET = 'bench-secret-bench-secret-bench-secret'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
if (!existsSync(path.join(root, 'web', 'build', 'handler.js'))) {
  console.error('The server runs as in production and needs the built web app: run `npm run build` first.')
  process.exit(2)
}
const log = (line: string) => console.error(`[fanout] ${line}`)
const runDir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-fanout-'))
const dataDir = path.join(runDir, 'data')
const children = new Set<ChildProcess>()
killOnExit(children)

log('starting the server (its own process, fresh embedded database)…')
const server = await startProcess({
  name: 'vernetzt',
  script: 'server/src/main.ts',
  env: serverEnv(dataDir, SECRET),
  ready: async (url) => (await fetch(`${url}/healthz`)).ok,
  nodeFlags: args.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(runDir, 'profile')}`] : [],
  runDir,
  children,
})
const config = loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: SECRET, LOG_LEVEL: 'silent' })
const db = await openDatabase(config) // borrows the server's embedded FerretDB
const models = createModels(db.connection)
const { ctx } = createContext({ config, models, log: pino({ level: 'silent' }) })
const { port } = JSON.parse(readFileSync(path.join(dataDir, 'ferretdb', 'running.json'), 'utf8')) as { port: number }
const pids = { server: server.child.pid, ferretdb: ferretdbPid(port) }

// Authors and their audiences.
const company = await ensureRoot(ctx)
const authors = new Map<number, { cookie: string; audience: Types.ObjectId[] }>()
for (const size of [...new Set([...SIZES, 50_000])]) {
  const author = await insertMember(ctx, {
    handle: `fan-${size}`,
    email: `fan-${size}@bench.invalid`,
    passwordHash: null,
    displayName: `Fan-out ${size}`,
    role: 'partner',
    sponsor: company,
  })
  const audience = Array.from({ length: size }, () => new Types.ObjectId())
  const numbered = audience.map((id, i) => ({ id, n: i + 1 }))
  await addAllToList(ctx, recruitsList(author._id), numbered)
  await addAllToList(ctx, followersList(author._id), numbered)
  await models.Member.updateOne({ _id: author._id }, { $set: { 'downlineSeq.l1': size, 'downline.l1': size, followerCount: size } })
  await models.StreamHead.updateOne({ _id: followersStream(author._id) }, { $set: { seq: size } }, { upsert: true })
  const { token } = await createSession(ctx, author._id, { userAgent: 'fan-out bench' })
  authors.set(size, { cookie: `${SESSION_COOKIE}=${token}`, audience })
}
log(`audiences seeded: ${[...authors.keys()].map((n) => n.toLocaleString('en')).join(', ')}`)

async function post(size: number, body: string): Promise<{ id: string; ms: number; at: number }> {
  const at = performance.now()
  const res = await fetch(`${server.url}/api/v1/posts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: authors.get(size)!.cookie },
    body: JSON.stringify({ kind: 'pr', area: { type: 'feed' }, body }),
  })
  const ms = performance.now() - at
  if (res.status !== 201) throw new Error(`POST failed: ${res.status} ${await res.text()}`)
  return { id: ((await res.json()) as { id: string }).id, ms, at }
}

/** Waits for the post's fan-out job to be done; the time from the POST's start, in ms. */
async function delivered(postId: string, at: number): Promise<number> {
  for (;;) {
    const job = await models.Job.collection.findOne({ _id: `feed.fanout:${postId}` as never })
    if (job?.state === 'done') return performance.now() - at
    if (job?.state === 'failed') throw new Error(`fan-out of ${postId} failed: ${job.lastError}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** How many of a sample of the audience have the post at the end of their feed. */
async function sampled(postId: string, audience: Types.ObjectId[]): Promise<number> {
  const sample = Array.from({ length: Math.min(SAMPLE, audience.length) }, (_, i) => audience[Math.floor((i * audience.length) / SAMPLE)]!)
  const found = await Promise.all(
    sample.map(async (id) => {
      const end = await feedEnd(ctx, id.toString())
      const entry = await models.StreamEntry.collection.findOne({ _id: `feed:${id.toString()}#${end}` as never })
      return entry?.ref.toString() === postId
    }),
  )
  return found.filter(Boolean).length
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (v: number) => (v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en'))

interface Row {
  size: number
  postMs: number[]
  deliveryMs: number[]
  sampleOk: string
  exact: string
  cpu: string
}
const rows: Row[] = []
for (const size of SIZES) {
  const { audience } = authors.get(size)!
  const row: Row = { size, postMs: [], deliveryMs: [], sampleOk: '', exact: '', cpu: '' }
  // One unmeasured post per author warms the routes and this node's memory of the feeds.
  const warm = await post(size, `Aufwärmen ${size}`)
  await delivered(warm.id, warm.at)
  const cpuBefore = { server: cpuSeconds(pids.server), ferretdb: cpuSeconds(pids.ferretdb) }
  let okInSample = 0
  let last = ''
  for (let round = 0; round < ROUNDS; round++) {
    const p = await post(size, `Neuigkeit ${round} an ${size}`)
    row.postMs.push(p.ms)
    row.deliveryMs.push(await delivered(p.id, p.at))
    okInSample += await sampled(p.id, audience)
    last = p.id
  }
  const cpuPerPost = (name: 'server' | 'ferretdb') => ((cpuSeconds(pids[name]) - cpuBefore[name]) / ROUNDS) * 1000
  row.cpu = `${fmt(cpuPerPost('server'))} + ${fmt(cpuPerPost('ferretdb'))}`
  row.sampleOk = `${okInSample}/${Math.min(SAMPLE, audience.length) * ROUNDS}`
  const entries = await models.StreamEntry.collection.countDocuments({ ref: new Types.ObjectId(last), _id: { $regex: '^feed:' } as never })
  // The audience, the author's own feed and her sponsor's (the company root).
  const expected = size + 2
  row.exact = entries === expected ? `yes (${expected.toLocaleString('en')})` : `NO: ${entries} of ${expected}`
  rows.push(row)
  log(`${size.toLocaleString('en')}: POST ${fmt(median(row.postMs))} ms, delivered in ${fmt(median(row.deliveryMs))} ms`)
}

// Chat latency with and without a 50,000 fan-out running meanwhile.
log(`chat: seeding 20 team conversations of 10 and opening 200 sockets…`)
const { seats } = await seedTeams(ctx, server.url, { conversations: 20, size: 10, prefix: 'fanchat' })
const load = new ChatLoad(seats)
await load.open(server.url)
await load.warmUp()
const chatStep = () => load.run({ rate: CHAT_RATE, seconds: CHAT_SECONDS, maxBacklogSeconds: 2, quietSeconds: 30, drainSeconds: 90 })
log(`chat: ${CHAT_RATE} messages/s for ${CHAT_SECONDS} s, quiet…`)
const quiet = await chatStep()
log(`chat: again, with a post to 50,000 fanning out meanwhile…`)
let during: { ms: number } | null = null
const busy = await Promise.all([
  chatStep(),
  (async () => {
    await new Promise((r) => setTimeout(r, 1000))
    const p = await post(50_000, 'Während des Chats')
    during = { ms: await delivered(p.id, p.at) }
  })(),
]).then(([result]) => result)
load.close()

// Report
const base = median(rows.find((r) => r.size === 0)?.postMs ?? rows[0]!.postMs)
console.log(`\nFeed fan-out, ${ROUNDS} posts per size, embedded FerretDB 1.24 / SQLite, server in its own process`)
console.log(
  '| recipients | POST p50 ms | POST max ms | × no audience | delivered p50 ms | delivered max ms | sample has it | exact entries | CPU ms/post server + db |',
)
console.log('|---|---|---|---|---|---|---|---|---|')
for (const r of rows) {
  console.log(
    `| ${r.size.toLocaleString('en')} | ${fmt(median(r.postMs))} | ${fmt(Math.max(...r.postMs))} | ${(median(r.postMs) / base).toFixed(2)}× | ${fmt(median(r.deliveryMs))} | ${fmt(Math.max(...r.deliveryMs))} | ${r.sampleOk} | ${r.exact} | ${r.cpu} |`,
  )
}
const chatLine = (name: string, r: StepResult) =>
  `| ${name} | ${r.acked}/${r.sent} | ${r.lost} | ${fmt(r.latency.p50)} | ${fmt(r.latency.p99)} | ${fmt(r.latency.max)} |`
console.log(`\nChat at ${CHAT_RATE} messages/s for ${CHAT_SECONDS} s (200 sockets, 20 conversations)`)
console.log('| | acknowledged | lost | p50 ms | p99 ms | max ms |')
console.log('|---|---|---|---|---|---|')
console.log(chatLine('quiet', quiet))
console.log(chatLine('during a 50,000 fan-out', busy))
console.log(
  `(that fan-out was delivered in ${during ? fmt((during as { ms: number }).ms) : '–'} ms; chat p99 ratio ${(busy.latency.p99 / quiet.latency.p99).toFixed(2)}×)`,
)

await db.close()
await server.stop()
if (args.profile) console.log(`The server's CPU profile: ${path.join(runDir, 'profile')}`)
else await rm(runDir, { recursive: true, force: true })
process.exit(0)
