/**
 * Join-graph benchmark (issue: registration deep in a big tree, and the team stats read).
 *
 * Builds a tree of BENCH_MEMBERS (default 100,000) members, depth up to 30, on a fresh database,
 * then times, in the same run and on the same database:
 *   - a plain driver insertOne and findOne (the baselines),
 *   - joining a new member at depth 30 (insert + counters of every ancestor), with and without
 *     the argon2id password hash that a real registration also pays,
 *   - the per-level stats read for the root (whole tree below it) and for a leaf,
 *   - the same stats through the HTTP API of a listening server.
 * It prints medians and each figure as a ratio against its baseline. No assertions: figures.
 *
 *   npm run bench                    BENCH_MEMBERS=20000 npm run bench
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { buildApp } from '../../server/src/app.ts'
import { loadConfig } from '../../server/src/config.ts'
import { createContext } from '../../server/src/compose.ts'
import { openDatabase } from '../../server/src/db/connect.ts'
import { createModels, ensureIndexes } from '../../server/src/db/models.ts'
import { ensureRoot, insertMember, register } from '../../server/src/modules/referrals/index.ts'
import { createSession } from '../../server/src/modules/accounts/sessions.ts'
import { downlineStats, listDownline } from '../../server/src/modules/referrals/service.ts'
import pino from 'pino'
import { time } from './timing.ts'
import { buildTree, type TreeNode } from './tree.ts'

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000)
const MAX_DEPTH = 30
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40)

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-bench-'))
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret' })
const db = await openDatabase(config, { dbName: `bench_${Date.now()}` })
const models = createModels(db.connection)
const { ctx } = createContext({ config, models, log: pino({ level: 'silent' }) })
await ensureIndexes(models)
const root = await ensureRoot(ctx)
const engine = config.mongodbUri ? 'MongoDB (MONGODB_URI)' : 'embedded FerretDB 1.24 / SQLite'
console.log(`Join-graph benchmark on ${engine}: building ${MEMBERS.toLocaleString('en')} members…`)

// ---- the tree (random attachment + a 30-deep spine), written as the join code would have
const t0 = performance.now()
const { nodes, entries } = await buildTree(ctx, root, MEMBERS, (i, all, random) => {
  if (i <= MAX_DEPTH) return all[i - 1]!
  let parent: TreeNode
  do parent = all[Math.floor(random() * all.length)]!
  while (parent.depth >= MAX_DEPTH)
  return parent
})
const rootNode = nodes[0]!
const deepest = nodes.reduce((a, b) => (b.depth > a.depth ? b : a))
const leaf = nodes.find((n) => n.depth === 5 && n.total === 0)!
console.log(
  `Built in ${((performance.now() - t0) / 1000).toFixed(1)} s (${entries.toLocaleString('en')} level-list entries); deepest member at level ${deepest.depth}.`,
)

// ---- baselines: one plain driver write and read on the same database
const raw = db.connection.db!.collection('bench_raw')
await raw.insertOne({ warm: true })
let rawN = 0
const baseInsert = await time(ROUNDS, () => raw.insertOne({ i: ++rawN, handle: `raw${rawN}`, at: new Date(), upline: deepest.upline }))
const rawIds = (
  await raw
    .find({}, { projection: { _id: 1 } })
    .limit(50)
    .toArray()
).map((d) => d._id)
let probe = 0
const baseFind = await time(ROUNDS, () => raw.findOne({ _id: rawIds[probe++ % rawIds.length] }))

// ---- the join: a new member under the deepest one (30 ancestors' counters)
const sponsor = await models.Member.findById(deepest._id).lean()
let n = 0
const join = await time(ROUNDS, async () => {
  n++
  await insertMember(ctx, { handle: `j${n}`, email: `j${n}@bench.invalid`, passwordHash: null, displayName: `Join ${n}`, role: 'customer', sponsor: sponsor! })
})
// member, 2 keys, journal in and out, per ancestor a counter $inc and a list entry, the member's list numbers
const joinWrites = 1 + 2 + 2 + 2 * (deepest.depth + 1) + 1
const registration = await time(Math.min(ROUNDS, 20), async () => {
  n++
  await register(ctx, {
    email: `r${n}@bench.invalid`,
    password: 'bench password 1',
    handle: `reg-${n}`,
    displayName: `Reg ${n}`,
    role: 'customer',
    sponsor: sponsor!.handle,
  })
})

// ---- the stats read: root (everyone below) vs a leaf, in the service and over HTTP
const asActor = (node: TreeNode, handle: string) => ({ id: node._id.toString(), handle, role: 'partner' as const })
const statsRoot = await time(ROUNDS, () => downlineStats(ctx, asActor(rootNode, 'vernetzt')))
const statsLeaf = await time(ROUNDS, () => downlineStats(ctx, asActor(leaf, 'leaf')))
// A level list page: 25 entries and their members by _id. For contrast, the query it replaces
// ({ upline, depth }), which FerretDB can only answer by scanning every member.
const listLevel = await time(ROUNDS, () => listDownline(ctx, asActor(rootNode, 'vernetzt'), { level: 3, limit: 25 }))
const ids = (await models.DownlineEntry.collection.find({}).limit(25).toArray()).map((e) => e._id)
const raw25 = await time(ROUNDS, () => Promise.all(ids.map((id) => models.DownlineEntry.collection.findOne({ _id: id }))))
const scanRounds = 3
const rawScan = await time(scanRounds, () => models.Member.collection.find({ upline: rootNode._id, depth: 3 }).sort({ _id: 1 }).limit(25).toArray())
const app = await buildApp({ config, db, logger: false })
await app.listen({ port: 0, host: '127.0.0.1' })
const port = (app.server.address() as { port: number }).port
const session = await createSession(ctx, root._id, {})
const httpStats = await time(ROUNDS, async () => {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/me/downline/stats`, { headers: { cookie: `vz_session=${session.token}` } })
  await res.json()
})
const check = (await (await fetch(`http://127.0.0.1:${port}/api/v1/me/downline/stats`, { headers: { cookie: `vz_session=${session.token}` } })).json()) as {
  total: number
}

const rows: Array<[string, number, number, string]> = [
  ['baseline: driver insertOne', baseInsert, baseInsert, 'insertOne'],
  ['baseline: driver findOne by _id', baseFind, baseFind, 'findOne'],
  [`join at level ${deepest.depth + 1} (member, keys, ${deepest.depth + 1} ancestors' counters + lists)`, join, baseInsert, 'insertOne'],
  [`  the same per write (${joinWrites} writes)`, join / joinWrites, baseInsert, 'insertOne'],
  ['registration incl. argon2id hash + checks', registration, baseInsert, 'insertOne'],
  [`stats read, root (${check.total.toLocaleString('en')} below)`, statsRoot, baseFind, 'findOne'],
  ['stats read, a leaf (0 below)', statsLeaf, baseFind, 'findOne'],
  ['stats over HTTP (session + route + JSON)', httpStats, baseFind, 'findOne'],
  ['level-3 list of the root, 25 per page (service)', listLevel, raw25, '25 parallel findOne'],
  ['  for contrast: raw find { upline, depth } (what it replaces)', rawScan, raw25, '25 parallel findOne'],
]
console.log(`\nmedians of ${ROUNDS} rounds (the contrast scan: ${scanRounds})\n`)
console.log('what'.padEnd(62) + 'ms'.padStart(9) + '   ratio')
for (const [what, ms, base, baseName] of rows) {
  console.log(what.padEnd(62) + ms.toFixed(2).padStart(9) + `   ${(ms / base).toFixed(1)}× ${baseName}`)
}
await app.close()
await db.close()
await rm(dataDir, { recursive: true, force: true })
