/**
 * Reports benchmark (issue 12): the income disclosure and the admins' periods overview from the
 * stored period reports, against the from-scratch computation they replace, in the same run.
 *
 * On a fresh embedded database it builds BENCH_PARTNERS (default 5,000) partners in a random
 * tree and writes BENCH_ORDERS (default 2,000) orders' ledger lines per month for three closed
 * months and the open one (plan 10/5/3/2/1 %), straight into the ledger, its streams and the
 * payees lists, as crediting leaves them (crediting itself is bench:commissions' subject; these
 * lines are "data from before", so the start-up catch-up is measured too). Then it times:
 *   - the baseline, as the code before computed it: the disclosure's first visit (every payee's
 *     sums and member document per closed month, and the partner count, a scan) and the
 *     overview summed live (the open month on every visit, closed months once);
 *   - the start-up catch-up of the open month and each closed month's finalisation (the job a
 *     minute after a close);
 *   - over HTTP: `GET /api/v1/income-disclosure` and `GET /api/v1/admin/periods`, the first
 *     visit and warm (median of BENCH_ROUNDS).
 *
 *   npm run bench:reports
 *   BENCH_PARTNERS=1000 BENCH_ORDERS=1000 npm run bench:reports
 */
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { periodOf, previousPeriod } from '@vernetzt/shared/commissions'
import { Types } from 'mongoose'
import { buildApp } from '../../server/src/app.ts'
import { loadConfig } from '../../server/src/config.ts'
import { openDatabase } from '../../server/src/db/connect.ts'
import { ensureIndexes } from '../../server/src/db/models.ts'
import { createSession } from '../../server/src/modules/accounts/sessions.ts'
import { periodState, periodsUpTo } from '../../server/src/modules/commerce/earnings-periods.ts'
import { incomeBands, MONTH_BANDS } from '../../server/src/modules/commerce/income-disclosure.ts'
import { ledgerStream, payeesStream } from '../../server/src/modules/commerce/ledger.ts'
import { entryId, entryKey } from '../../server/src/modules/commerce/model.ts'
import { finalizeReport, migrateReports } from '../../server/src/modules/commerce/report-final.ts'
import { distributionFromScratch } from '../../server/src/modules/commerce/report-scratch.ts'
import { sumPeriods } from '../../server/src/modules/commerce/statements.ts'
import { ensureAdmin, ensureRoot } from '../../server/src/modules/referrals/index.ts'
import { time } from './timing.ts'
import { buildTree } from './tree.ts'

const PARTNERS = Number(process.env.BENCH_PARTNERS ?? 5_000)
const ORDERS = Number(process.env.BENCH_ORDERS ?? 2_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20)
const PLAN = [1000, 500, 300, 200, 100]

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-reports-bench-'))
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret' })
const db = await openDatabase(config, { dbName: `repbench_${Date.now()}` })
const app = await buildApp({ config, db, logger: false })
const { ctx } = app
const { models } = ctx
await ensureIndexes(models)
const root = await ensureRoot(ctx)
const ms = (v: number) => (v < 1000 ? `${v.toFixed(1)} ms` : `${(v / 1000).toFixed(2)} s`)
const rows: Array<[string, string, string]> = []
const row = (what: string, v: number, ratio = '') => {
  rows.push([what, ms(v), ratio])
  console.log(`  ${what}: ${ms(v)} ${ratio}`)
}
const once = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const t0 = performance.now()
  const out = await fn()
  return [performance.now() - t0, out]
}
console.log(`Reports benchmark on ${config.mongodbUri ? 'MongoDB' : 'embedded FerretDB 1.24 / SQLite'}: ${PARTNERS} partners, ${ORDERS} orders a month`)

// ---- partners, joined four months ago
const { nodes } = await buildTree(ctx, root, PARTNERS, (_, all, random) => all[Math.floor(random() * all.length)]!)
await models.Member.collection.updateMany({}, { $set: { createdAt: new Date(Date.now() - 130 * 86_400_000) } })

// ---- three closed months and the open one, ledger lines written as crediting leaves them
const current = periodOf(new Date())
const months = periodsUpTo(current, 4)
let seed = 11
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
let lineCount = 0
const t0 = performance.now()
for (const period of months) {
  const heads = new Map<string, number>()
  const lines: object[] = []
  const listings: object[] = []
  const payees: Types.ObjectId[] = []
  for (let o = 0; o < ORDERS; o++) {
    const buyer = nodes[1 + Math.floor(random() * (nodes.length - 1))]!
    const orderId = new Types.ObjectId()
    const chain = [buyer._id, ...buyer.upline].filter((id) => !id.equals(root._id)).slice(0, PLAN.length)
    chain.forEach((beneficiaryId, i) => {
      const key = entryKey(orderId, beneficiaryId, i + 1, 'credit')
      const stream = ledgerStream(beneficiaryId, period)
      const seq = (heads.get(stream) ?? 0) + 1
      heads.set(stream, seq)
      if (seq === 1) payees.push(beneficiaryId)
      const _id = entryId(key)
      const amountCents = (10_000 * PLAN[i]!) / 10_000
      lines.push({ _id, key, orderId, orderNumber: `B-${o}`, beneficiaryId, level: i + 1, kind: 'credit', rateBp: PLAN[i], amountCents, baseCents: 10_000 })
      Object.assign(lines.at(-1)!, { planVersion: 1, period, listed: seq, createdAt: new Date() })
      listings.push({ _id: `${stream}#${seq}`, ref: _id })
    })
  }
  payees.forEach((id, i) => listings.push({ _id: `${payeesStream(period)}#${i + 1}`, ref: id }))
  heads.set(payeesStream(period), payees.length)
  const keys = payees.map((id) => ({ _id: `payee:${period}:${id.toString()}`, memberId: id }))
  for (const [collection, docs] of [
    [models.LedgerEntry.collection, lines],
    [models.StreamEntry.collection, listings],
    [models.StreamHead.collection, [...heads].map(([_id, seq]) => ({ _id, seq }))],
    [models.Key.collection, keys],
  ] as const) {
    for (let i = 0; i < docs.length; i += 2000) await collection.insertMany(docs.slice(i, i + 2000) as never[], { ordered: false })
  }
  lineCount += lines.length
  if (period !== current) await models.Period.create({ _id: period, closedAt: new Date(Date.now() - 3_600_000), closedBy: root._id })
}
const closedMonths = months.slice(0, 3)
console.log(`${lineCount.toLocaleString('en')} ledger lines over ${months.join(', ')} written in ${ms(performance.now() - t0)}.`)

// ---- the baseline: the code before, from scratch
const window = periodsUpTo(current, 13).reverse()
const [oldIncome] = await once(async () => {
  const candidates = periodsUpTo(previousPeriod(current), 12)
  const states = await Promise.all(candidates.map((p) => periodState(ctx, p)))
  return Promise.all(candidates.map((p, i) => (states[i]!.closed ? distributionFromScratch(ctx, p, states[i]) : null)))
})
row('baseline: income disclosure, first visit, from scratch (3 closed months)', oldIncome)
const [oldOverviewFirst] = await once(() => sumPeriods(ctx, window, new Set(closedMonths)))
row('baseline: periods overview, first visit (all months summed)', oldOverviewFirst)
const oldOverviewWarm = await time(
  Math.min(ROUNDS, 5),
  () =>
    sumPeriods(
      ctx,
      window.filter((p) => !closedMonths.includes(p)),
    ),
  1,
)
row('baseline: periods overview, warm (open months summed live)', oldOverviewWarm)

// ---- the stored reports: data from before caught up at start, then each close's finalisation
const [migrateMs] = await once(() => migrateReports(ctx))
row('start-up catch-up of the open month (once, data from before)', migrateMs)
for (const p of closedMonths) {
  const [finalMs] = await once(() => finalizeReport(ctx, p))
  row(`finalisation of ${p} (the job a minute after its close)`, finalMs)
}
// With the sums kept current by the ledger's events (the normal case), a close costs one head
// read per payee and the members pass: measured by finalising a month again from scratch.
await models.IncomeDisclosure.deleteOne({ _id: closedMonths[2] })
await models.Period.db.collection('period_totals').deleteOne({ _id: closedMonths[2] as never })
const [refinalMs] = await once(() => finalizeReport(ctx, closedMonths[2]!))
row(`finalisation of ${closedMonths[2]} with the sums kept current by events`, refinalMs)
const check = await distributionFromScratch(ctx, closedMonths[2]!)
const storedMonth = await finalizeReport(ctx, closedMonths[2]!)
const same =
  JSON.stringify(incomeBands(check.partnersJoined + check.extraIds.length, check.payeeCents, MONTH_BANDS)) ===
  JSON.stringify(incomeBands(storedMonth.partnersJoined + storedMonth.extraIds.length, storedMonth.payeeCents, MONTH_BANDS))
console.log(`Stored and from-scratch figures of ${closedMonths[2]} are ${same ? 'identical' : 'DIFFERENT'}.`)

// ---- over HTTP
await app.listen({ port: 0, host: '127.0.0.1' })
const port = (app.server.address() as { port: number }).port
const admin = await ensureAdmin(ctx, { email: 'bench-admin@example.org', password: 'bench admin password', handle: 'benchadmin' })
const session = await createSession(ctx, admin._id, {})
const get = async (url: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${url}`, { headers: { cookie: `vz_session=${session.token}` } })
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${await res.text()}`)
  return res.json()
}
for (const [what, url, first, warmBase] of [
  ['income disclosure', '/api/v1/income-disclosure', oldIncome, null],
  ['periods overview', '/api/v1/admin/periods', oldOverviewFirst, oldOverviewWarm],
] as const) {
  const [firstMs] = await once(() => get(url))
  row(`${what} over HTTP, first visit`, firstMs, `baseline / this: ${(first / firstMs).toFixed(0)}×`)
  const warm = await time(ROUNDS, () => get(url), 2)
  row(`${what} over HTTP, warm (median of ${ROUNDS})`, warm, warmBase ? `baseline / this: ${(warmBase / warm).toFixed(0)}×` : '')
}

console.log('\n| what | time | ratio |\n|---|---:|---|')
for (const [what, v, ratio] of rows) console.log(`| ${what} | ${v} | ${ratio} |`)
await app.close()
await db.connection.dropDatabase().catch(() => {})
await db.close()
process.exit(0)
