/**
 * Commissions benchmark (issue 6): crediting paid orders into the ledger, and a big statement.
 *
 * On a fresh database it builds a join graph of BENCH_MEMBERS (default 100,000) partners, a
 * random recursive tree (depth well past 10), a plan of 10/5/3/2/1 % and BENCH_ORDERS (default
 * 50,000) placed orders. Then, in the same run and on the same database, it times:
 *   - every order reported paid through the real code path (applyPaymentEvent → settleOrder →
 *     upline read, commission function, idempotent ledger writes and stream listing), with
 *     BENCH_CONCURRENCY webhooks in flight, as orders per second;
 *   - the baseline: the very ledger documents that crediting wrote, inserted raw into a scratch
 *     collection (insertOne with the same concurrency, and insertMany in batches of 1,000);
 *   - a full period statement of one partner with BENCH_STATEMENT_ENTRIES (default 20,000)
 *     entries: statement(), the CSV and the PDF (rendering alone and over HTTP), against reading
 *     the same documents raw by _id (200 at a time, as the statement reads them);
 *   - the admin side, once each: the periods overview with the open month summed live, the
 *     payout CSV of the month once closed, and the overview with the closed month's totals
 *     cached.
 * Orders are written straight to the database as createOrder would leave them (an argon2
 * registration per buyer would take hours and is not what is measured); the plan and the
 * product go through their services. It prints a table with ratios; no assertions.
 * BENCH_CREDIT_SECONDS stops crediting after that long and extrapolates the full run; the
 * statement partner's missing entries are then written directly (as crediting writes them).
 *
 *   npm run bench:commissions
 *   BENCH_MEMBERS=10000 BENCH_ORDERS=5000 BENCH_STATEMENT_ENTRIES=2000 npm run bench:commissions
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { periodOf } from '@vernetzt/shared/commissions'
import { Types } from 'mongoose'
import pino from 'pino'
import { buildApp } from '../../server/src/app.ts'
import { loadConfig } from '../../server/src/config.ts'
import type { Actor } from '../../server/src/context.ts'
import { createContext } from '../../server/src/compose.ts'
import { openDatabase } from '../../server/src/db/connect.ts'
import { createModels, ensureIndexes } from '../../server/src/db/models.ts'
import { ensureRoot } from '../../server/src/modules/referrals/index.ts'
import { createSession } from '../../server/src/modules/accounts/sessions.ts'
import { closePeriod, createPlan, ledgerStream, statement } from '../../server/src/modules/commerce/ledger.ts'
import { entryId, entryKey } from '../../server/src/modules/commerce/model.ts'
import { applyPaymentEvent, createProduct } from '../../server/src/modules/commerce/service.ts'
import { listPeriods, payoutsCsv, statementCsv, statementPdf } from '../../server/src/modules/commerce/statements.ts'
import { time } from './timing.ts'
import { buildTree, type TreeNode } from './tree.ts'

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000)
const ORDERS = Number(process.env.BENCH_ORDERS ?? 50_000)
const STATEMENT_ENTRIES = Math.min(Number(process.env.BENCH_STATEMENT_ENTRIES ?? 20_000), ORDERS)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
/** Stop crediting after this many seconds and extrapolate (0: credit every order). */
const CREDIT_BUDGET_MS = Number(process.env.BENCH_CREDIT_SECONDS ?? 0) * 1000
const MAX_DEPTH = 30
const PLAN = [1000, 500, 300, 200, 100]

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-commissions-bench-'))
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret' })
const db = await openDatabase(config, { dbName: `commbench_${Date.now()}` })
const models = createModels(db.connection)
const { ctx } = createContext({ config, models, log: pino({ level: 'silent' }) })
await ensureIndexes(models)
const root = await ensureRoot(ctx)
const engine = config.mongodbUri ? 'MongoDB (MONGODB_URI)' : 'embedded FerretDB 1.24 / SQLite'
/** Each figure is printed when measured too, so a stopped run keeps what it measured. */
const measured = (what: string, ms: number) => console.log(`  ${what}: ${seconds(ms)}`)
const seconds = (ms: number) => (ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`)
console.log(`Commissions benchmark on ${engine}: ${MEMBERS.toLocaleString('en')} members, ${ORDERS.toLocaleString('en')} orders, ${CONCURRENCY} in flight`)

// ---- the join graph: random attachment (each newcomer joins under a random earlier member), depth ≤ 30
let t0 = performance.now()
const { nodes, byId } = await buildTree(ctx, root, MEMBERS, (i, all, random) => {
  let parent: TreeNode
  do parent = all[Math.floor(random() * all.length)]!
  while (parent.depth >= MAX_DEPTH)
  return parent
})
const depths = nodes.slice(1).map((n) => n.depth)
const maxDepth = Math.max(...depths)
console.log(
  `Tree built in ${seconds(performance.now() - t0)}: depth up to ${maxDepth}, mean ${(depths.reduce((a, b) => a + b, 0) / depths.length).toFixed(1)}.`,
)

// ---- plan and product through their services
const admin: Actor = { id: root._id.toString(), handle: root.handle, role: 'admin' }
await createPlan(ctx, admin, { ratesBp: PLAN, maxDepth: PLAN.length, note: 'Benchmark' })
await models.Plan.updateOne({ _id: 1 }, { $set: { activeFrom: new Date(Date.now() - 3_600_000) } })
const product = await createProduct(ctx, admin, {
  name: 'Aloe Vera Gel',
  description: '',
  priceCents: 11_900,
  currency: 'EUR',
  vatRateBp: 1900,
  commissionableCents: 10_000,
  active: true,
  imageIds: [],
})

// ---- the partner whose statement is read: the one with the most members within their five paid levels
const window = new Map<string, number>() // member → own window size (self + downline levels 1..4)
for (const n of nodes.slice(1)) {
  window.set(n._id.toString(), (window.get(n._id.toString()) ?? 0) + 1)
  for (const a of n.upline.slice(0, PLAN.length - 1)) window.set(a.toString(), (window.get(a.toString()) ?? 0) + 1)
}
window.delete(root._id.toString()) // the company root earns nothing
const starId = [...window].filter(([id]) => byId.get(id)!.depth >= 2).sort((a, b) => b[1] - a[1])[0]![0]
const star = byId.get(starId)!
const inWindow = (n: TreeNode) => n._id.equals(star._id) || n.upline.slice(0, PLAN.length - 1).some((a) => a.equals(star._id))
const inside = nodes.slice(1).filter(inWindow)
const outside = nodes.slice(1).filter((n) => !inWindow(n))
console.log(`Statement partner at level ${star.depth}, ${inside.length.toLocaleString('en')} members in their five paid levels.`)

// ---- orders, as createOrder leaves them: STATEMENT_ENTRIES bought inside the star's levels, the rest elsewhere
let seed = 7
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
const buyers = [
  ...Array.from({ length: STATEMENT_ENTRIES }, () => inside[Math.floor(random() * inside.length)]!),
  ...Array.from({ length: ORDERS - STATEMENT_ENTRIES }, () => outside[Math.floor(random() * outside.length)]!),
]
for (let i = buyers.length - 1; i > 0; i--) {
  const j = Math.floor(random() * (i + 1))
  ;[buyers[i], buyers[j]] = [buyers[j]!, buyers[i]!]
}
t0 = performance.now()
const year = new Date().getUTCFullYear()
const orders = buyers.map((buyer, i) => ({
  _id: new Types.ObjectId(),
  number: `B-${year}-${String(i + 1).padStart(6, '0')}`,
  buyerId: buyer._id,
  attributedPartnerId: buyer._id,
  items: [{ productId: new Types.ObjectId(product.id), name: product.name, quantity: 1, unitPriceCents: 11_900, vatRateBp: 1900, commissionableCents: 10_000 }],
  totalCents: 11_900,
  vatCents: 1_900,
  commissionBaseCents: 10_000,
  currency: 'EUR',
  payment: { provider: 'test', reference: `bench_${i}`, checkoutUrl: null },
  planVersion: null,
  creditedAt: null,
  creditKeys: [],
  reversedAt: null,
  createdAt: new Date(),
}))
for (let i = 0; i < orders.length; i += 2000) {
  await models.Order.collection.insertMany(orders.slice(i, i + 2000) as never[], { ordered: false })
  await models.Key.collection.insertMany(orders.slice(i, i + 2000).map((o) => ({ _id: `payment:${o.payment.reference}`, memberId: o._id })) as never[], {
    ordered: false,
  })
}
console.log(`${ORDERS.toLocaleString('en')} orders placed in ${seconds(performance.now() - t0)}.`)

/** Runs `task(i)` for i < count with `concurrency` in flight, until `budgetMs` (0: no limit) is spent. */
async function pool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
  progress?: (done: number, ms: number) => void,
  budgetMs = 0,
): Promise<{ ms: number; done: number }> {
  let next = 0
  let done = 0
  const start = performance.now()
  let reported = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count && !(budgetMs > 0 && performance.now() - start > budgetMs)) {
        await task(next++)
        done++
        if (progress && done - reported >= Math.max(1, Math.floor(count / 10))) {
          reported = done
          progress(done, performance.now() - start)
        }
      }
    }),
  )
  return { ms: performance.now() - start, done }
}

// ---- crediting: every order paid through the webhook's service function
const paidAt = new Date()
const credited = await pool(
  ORDERS,
  CONCURRENCY,
  (i) =>
    applyPaymentEvent(ctx, {
      id: `evt_bench_${i}`,
      type: 'payment.paid',
      reference: `bench_${i}`,
      occurredAt: paidAt.toISOString(),
      amountCents: 11_900,
      currency: 'EUR',
    }),
  (done, ms) => console.log(`  credited ${done.toLocaleString('en')} orders in ${seconds(ms)} (${((done / ms) * 1000).toFixed(1)}/s)`),
  CREDIT_BUDGET_MS,
)
const creditMs = credited.ms
const creditedOrders = credited.done
const ledger = await models.LedgerEntry.collection.find({}).toArray()
const unsettled = await models.CreditJob.countDocuments()
console.log(
  `Credited ${creditedOrders.toLocaleString('en')} orders into ${ledger.length.toLocaleString('en')} ledger entries in ${seconds(creditMs)}; ${unsettled} left unsettled.`,
)
if (creditedOrders < ORDERS) {
  console.log(
    `  The budget of ${seconds(CREDIT_BUDGET_MS)} ran out: all ${ORDERS.toLocaleString('en')} orders would take about ${seconds((creditMs / creditedOrders) * ORDERS)} at this rate.`,
  )
}

// ---- baselines: the same entries, raw, into scratch collections
const scratchOne = db.connection.db!.collection('bench_ledger_insertone')
const scratchMany = db.connection.db!.collection('bench_ledger_insertmany')
const insertOneMs = (await pool(ledger.length, CONCURRENCY, (i) => scratchOne.insertOne({ ...ledger[i]! }))).ms
measured('baseline insertOne of the same entries', insertOneMs)
t0 = performance.now()
for (let i = 0; i < ledger.length; i += 1000)
  await scratchMany.insertMany(
    ledger.slice(i, i + 1000).map((d) => ({ ...d })),
    { ordered: false },
  )
const insertManyMs = performance.now() - t0
measured('baseline insertMany of the same entries', insertManyMs)

// ---- the big statement
const period = periodOf(paidAt)
// When the budget stopped crediting early, the statement partner's missing entries are written
// as crediting would have written them (entry + its place in their period stream), so the
// statement below still reads STATEMENT_ENTRIES entries.
const streamKey = ledgerStream(star._id, period)
let listed = (await models.StreamHead.findById(streamKey).lean())?.seq ?? 0
const topUp: Array<Record<string, unknown>> = []
const creditedIds = new Set(ledger.map((e) => e.orderId.toString()))
for (const [i, o] of orders.entries()) {
  if (listed + topUp.length >= STATEMENT_ENTRIES) break
  if (creditedIds.has(o._id.toString())) continue
  const buyer = buyers[i]!
  if (!inWindow(buyer)) continue
  const level = buyer._id.equals(star._id) ? 1 : buyer.upline.findIndex((a) => a.equals(star._id)) + 2
  const key = entryKey(o._id, star._id, level, 'credit')
  topUp.push({
    _id: entryId(key),
    key,
    orderId: o._id,
    orderNumber: o.number,
    beneficiaryId: star._id,
    level,
    kind: 'credit',
    rateBp: PLAN[level - 1]!,
    amountCents: (10_000 * PLAN[level - 1]!) / 10_000,
    baseCents: 10_000,
    planVersion: 1,
    period,
    listed: listed + topUp.length + 1,
    createdAt: new Date(),
  })
}
if (topUp.length) {
  await models.LedgerEntry.collection.insertMany(topUp as never[], { ordered: false })
  await models.StreamEntry.collection.insertMany(topUp.map((e) => ({ _id: `${streamKey}#${e.listed as number}`, ref: e._id })) as never[], { ordered: false })
  await models.StreamHead.updateOne({ _id: streamKey }, { $set: { seq: listed + topUp.length } }, { upsert: true })
  console.log(`Wrote ${topUp.length.toLocaleString('en')} of the statement partner's entries directly (crediting stopped early).`)
  listed += topUp.length
}
const starActor: Actor = { id: star._id.toString(), handle: `b${nodes.indexOf(star) - 1}`, role: 'partner' }
const stmt = await statement(ctx, starActor, starActor.id, period)
console.log(
  `Statement of ${period} for @${stmt.member.handle}: ${stmt.entries.length.toLocaleString('en')} entries, ${(stmt.totalCents / 100).toLocaleString('de-DE')} €.`,
)
const statementMs = await time(ROUNDS, () => statement(ctx, starActor, starActor.id, period), 1)
measured('statement()', statementMs)
const ids = stmt.entries.map((e) => new Types.ObjectId(e.id))
const rawReadMs = await time(
  ROUNDS,
  async () => {
    for (let i = 0; i < ids.length; i += 200) await Promise.all(ids.slice(i, i + 200).map((id) => models.LedgerEntry.collection.findOne({ _id: id })))
  },
  1,
)
measured('raw read by _id', rawReadMs)
let csvBytes = 0
let pdfBytes = 0
const csvMs = await time(ROUNDS, async () => (csvBytes = Buffer.byteLength(statementCsv(stmt, config.root.displayName))), 1)
const pdfMs = await time(ROUNDS, async () => (pdfBytes = (await statementPdf(stmt, { company: config.root.displayName })).length), 1)
const pages = (await statementPdf(stmt, { company: config.root.displayName })).toString('latin1').match(/\/Type \/Page\b/g)?.length ?? 0
measured('CSV rendering', csvMs)
measured(`PDF rendering (${pages} pages)`, pdfMs)

const app = await buildApp({ config, db, logger: false })
await app.listen({ port: 0, host: '127.0.0.1' })
const port = (app.server.address() as { port: number }).port
const session = await createSession(ctx, star._id, {})
const download = async (format: 'csv' | 'pdf') => {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/statements/${period}.${format}`, { headers: { cookie: `vz_session=${session.token}` } })
  if (res.status !== 200) throw new Error(`${format}: ${res.status} ${await res.text()}`)
  return (await res.arrayBuffer()).byteLength
}
const httpCsvMs = await time(ROUNDS, () => download('csv'), 1)
const httpPdfMs = await time(ROUNDS, () => download('pdf'), 1)
measured('HTTP CSV', httpCsvMs)
measured('HTTP PDF', httpPdfMs)

// ---- the admin side: the periods overview (live totals of the open month) and the payout export
t0 = performance.now()
const overview = await listPeriods(ctx, admin, paidAt)
const overviewMs = performance.now() - t0
const open = overview.items[0]!.totals
measured(`overview, open month live (${open.entries} entries)`, overviewMs)
// Closed as an admin would close it next month (closePeriod takes "now" for exactly this).
const nextMonth = new Date(paidAt.getTime() + 32 * 86_400_000)
await closePeriod(ctx, admin, period, nextMonth)
t0 = performance.now()
const payouts = await payoutsCsv(ctx, admin, period)
const payoutsMs = performance.now() - t0
measured('payout CSV', payoutsMs)
const later = new Date(nextMonth.getTime() + 120_000)
t0 = performance.now()
await listPeriods(ctx, admin, later) // computes the closed month once and caches it
const firstClosedMs = performance.now() - t0
measured('overview, first after the close', firstClosedMs)
const cachedMs = await time(ROUNDS, () => listPeriods(ctx, admin, later), 1)

const perSecond = (count: number, ms: number) => `${((count / ms) * 1000).toFixed(0)}/s`
const rows: Array<[string, string, string]> = [
  [
    `baseline: ${ledger.length.toLocaleString('en')} entries, driver insertOne (${CONCURRENCY} in flight)`,
    seconds(insertOneMs),
    `${perSecond(ledger.length, insertOneMs)} entries`,
  ],
  [`baseline: the same entries, driver insertMany (1,000 a batch)`, seconds(insertManyMs), `${perSecond(ledger.length, insertManyMs)} entries`],
  [
    `crediting ${creditedOrders.toLocaleString('en')} paid orders (${CONCURRENCY} in flight)`,
    seconds(creditMs),
    `${perSecond(creditedOrders, creditMs)} orders, ${perSecond(ledger.length, creditMs)} entries`,
  ],
  ['  ratio to raw insertOne of the same entries', `${(creditMs / insertOneMs).toFixed(1)}×`, ''],
  ['  ratio to raw insertMany of the same entries', `${(creditMs / insertManyMs).toFixed(1)}×`, ''],
  [`baseline: ${ids.length.toLocaleString('en')} entries read raw by _id (200 at a time)`, seconds(rawReadMs), ''],
  [`statement() for ${stmt.entries.length.toLocaleString('en')} entries`, seconds(statementMs), `${(statementMs / rawReadMs).toFixed(1)}× raw read`],
  [`  CSV rendering (${(csvBytes / 1024).toFixed(0)} KiB)`, seconds(csvMs), ''],
  [`  PDF rendering (${pages} pages, ${(pdfBytes / 1024).toFixed(0)} KiB)`, seconds(pdfMs), ''],
  ['  GET /statements/:period.csv over HTTP', seconds(httpCsvMs), `${(httpCsvMs / rawReadMs).toFixed(1)}× raw read`],
  ['  GET /statements/:period.pdf over HTTP', seconds(httpPdfMs), `${(httpPdfMs / rawReadMs).toFixed(1)}× raw read`],
  [`periods overview, open month live (${open.entries.toLocaleString('en')} entries, ${open.payees.toLocaleString('en')} partners)`, seconds(overviewMs), ''],
  [`payout CSV of the closed month (${(Buffer.byteLength(payouts.body) / 1024).toFixed(0)} KiB)`, seconds(payoutsMs), ''],
  ['periods overview, first time after the close (computes and caches)', seconds(firstClosedMs), ''],
  ['periods overview, closed month from the cache, open ones live', seconds(cachedMs), ''],
]
console.log(`\nstatement and cached-overview figures: medians of ${ROUNDS} rounds after one warm-up; the rest: one run\n`)
console.log('what'.padEnd(72) + 'time'.padStart(10) + '   rate / ratio')
for (const [what, value, note] of rows) console.log(what.padEnd(72) + value.padStart(10) + `   ${note}`)
await app.close()
await db.close()
await rm(dataDir, { recursive: true, force: true })
