/**
 * Chat load test: 1,000 signed-in sockets in 100 group conversations of 10 send messages at a
 * fixed rate through the real Vernetzt server (its own process, on a fresh embedded database),
 * and, in the same run with the same sockets, rate and measurement, through a bare socket.io
 * server (scripts/load/echo-server.ts) as the baseline. Prints delivered messages per second,
 * end-to-end latency (send → receipt at each other participant) and checks over REST that every
 * acknowledged message was stored. Figures are printed, not asserted: it exits 0 unless
 * something crashed.
 *
 * Targets (issues 5 and 12), at 2,000 messages/s offered: nothing lost, every message stored once
 * and at least 90 % of the offered rate stored per second, p99 under 100 ms; throughput at least
 * half the baseline's. After the fixed rates, a few more steps search for the highest rate that
 * keeps p99 under 100 ms, for Vernetzt and for bare socket.io, and print their ratio.
 *
 *   npm run load:chat
 *   npm run load:chat -- --rates 200,1000 --seconds 5 --conversations 20
 *   npm run load:chat -- --profile        (the server writes a V8 CPU profile)
 *
 * Flags: --conversations 100  --size 10 (members per conversation)  --rates 1000,2000 (offered
 * messages/s, one step each; a rate that was not sustained ends the climb)  --seconds 10
 * --max-backlog 1 (stop sending once this many seconds' worth of messages are unacknowledged)
 * --limit-steps 3 (steps spent searching the highest rate with p99 under 100 ms; 0: none)
 * --warmup false (no unmeasured first message per member before the steps)
 * --only vernetzt|baseline  --json <file>  --profile  --keep (keep the database and logs)
 */
import type { ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { Types } from 'mongoose'
import pino from 'pino'
import { flags } from '../../server/src/cli.ts'
import { loadConfig } from '../../server/src/config.ts'
import { createContext } from '../../server/src/compose.ts'
import { openDatabase } from '../../server/src/db/connect.ts'
import { createModels } from '../../server/src/db/models.ts'
import { seedTeams } from './teams.ts'
import { cpuSeconds, ferretdbPid, killOnExit, machineBusySeconds, serverEnv, startProcess } from './processes.ts'
import { ChatLoad, checkStored, type Seat, type StepOptions, type StepResult, type StoredCheck } from './generator.ts'

const TARGET = { rate: 2000, p99Ms: 100, baselineShare: 0.5, storedShare: 0.9 }

const args = flags()
const CONVERSATIONS = Number(args.conversations ?? 100)
const SIZE = Number(args.size ?? 10)
const RATES = (args.rates ?? '1000,2000')
  .split(',')
  .map(Number)
  .filter((r) => r > 0)
const STEP: Omit<StepOptions, 'rate'> = {
  seconds: Number(args.seconds ?? 10),
  maxBacklogSeconds: Number(args['max-backlog'] ?? 1),
  // An overloaded Vernetzt answers its whole backlog at about the same time, late: be patient.
  quietSeconds: 60,
  drainSeconds: 180,
}
const LIMIT_STEPS = Number(args['limit-steps'] ?? 3)
const ONLY = args.only as 'vernetzt' | 'baseline' | undefined
const SOCKETS = CONVERSATIONS * SIZE
if (!(SIZE >= 2 && SIZE <= 32 && CONVERSATIONS >= 1 && RATES.length && STEP.seconds > 0 && LIMIT_STEPS >= 0)) {
  console.error(
    'Usage: node scripts/load/chat.ts [--conversations 100] [--size 2..32] [--rates 1000,2000] [--seconds 10] [--max-backlog 1] [--limit-steps 3] [--warmup false] [--only vernetzt|baseline] [--json file] [--profile] [--keep]',
  )
  process.exit(2)
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const log = (line: string) => console.error(`[load] ${line}`)
const SECRET = 'load-test-secret-load-test-secret-load'

// ---------------------------------------------------------------------------------------------
// Preconditions

const openFiles = (() => {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'))
    return Number(line?.split(/\s{2,}/)[1])
  } catch {
    return NaN
  }
})()
// The generator holds one descriptor per socket, the server another, plus its database pool.
if (openFiles < SOCKETS + 300) {
  console.error(`The open-file limit is ${openFiles}; ${SOCKETS} sockets need at least ${SOCKETS + 300}. Raise it first, e.g. \`ulimit -n 65536\`.`)
  process.exit(2)
}
if (ONLY !== 'baseline' && !existsSync(path.join(root, 'web', 'build', 'handler.js'))) {
  console.error('The server runs as in production and needs the built web app: run `npm run build` first.')
  process.exit(2)
}

// ---------------------------------------------------------------------------------------------
// Child processes and their CPU time

const runDir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-load-'))
const dataDir = path.join(runDir, 'data')
const children = new Set<ChildProcess>()
killOnExit(children)
const startChild = (name: string, script: string, env: Record<string, string>, ready: (url: string) => Promise<boolean>, nodeFlags: string[] = []) =>
  startProcess({ name, script, env, ready, nodeFlags, runDir, children })

interface Measured extends StepResult {
  /** Share of one core each process used during the step; `other`: everything else on the machine. */
  cpu: Record<string, number>
  /** The generator's event-loop delay, p99 in ms: above a few ms it, not the server, set the pace. */
  generatorLoopP99: number
  stored?: StoredCheck
}

/** Runs one step and the share of a core each process used meanwhile. */
async function measure(load: ChatLoad, rate: number, pids: Record<string, number | undefined>): Promise<Measured> {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]))
  const machineBefore = machineBusySeconds()
  const ownBefore = process.cpuUsage()
  const loop = monitorEventLoopDelay({ resolution: 5 })
  loop.enable()
  const t0 = performance.now()
  const result = await load.run({ ...STEP, rate })
  const wall = (performance.now() - t0) / 1000
  loop.disable()
  const own = process.cpuUsage(ownBefore)
  const cpu: Record<string, number> = { generator: (own.user + own.system) / 1e6 / wall }
  for (const [name, pid] of Object.entries(pids)) cpu[name] = (cpuSeconds(pid) - before[name]!) / wall
  cpu.other = Math.max(0, (machineBusySeconds() - machineBefore) / wall - Object.values(cpu).reduce((a, b) => a + b, 0))
  return { ...result, cpu, generatorLoopP99: loop.percentile(99) / 1e6 }
}

/** A step that carried its load: sent in full, nothing lost, p99 under the target. */
const good = (r: Measured) => !r.stopped && r.lost === 0 && r.latency.count > 0 && r.latency.p99 < TARGET.p99Ms

/**
 * Climbs the rates while each step is sustained (not stopped early, nothing lost), then spends
 * LIMIT_STEPS more steps on the highest rate with p99 under the target: halving the gap between
 * the best good rate and the lowest bad one, or 1.5× past the best when none was bad yet.
 */
async function climb(name: string, load: ChatLoad, pids: Record<string, number | undefined>, after?: (result: Measured) => Promise<void>): Promise<Measured[]> {
  const results: Measured[] = []
  if (args.warmup !== 'false') {
    log(`${name}: warming up, one message from each member…`)
    const warm = await load.warmUp()
    log(`${name}: warm-up: ${int(warm.messages)} messages at ${int(warm.perSecond)}/s (20 in flight)${warm.errors ? `, ${warm.errors} refused` : ''}`)
    warmUps[name] = warm.perSecond
  }
  const step = async (rate: number) => {
    log(`${name}: ${int(rate)} messages/s for ${STEP.seconds} s…`)
    const result = await measure(load, rate, pids)
    if (after) await after(result)
    results.push(result)
    log(`${name}: ${summary(result)}`)
    return !result.stopped && result.lost === 0
  }
  for (const rate of RATES) {
    if (await step(rate)) continue
    if (rate !== RATES.at(-1)) log(`${name}: ${int(rate)} messages/s was not sustained; higher rates skipped.`)
    break
  }
  for (let i = 0; i < LIMIT_STEPS; i++) {
    const { low, high } = bounds(results)
    const next = high === Infinity ? Math.round((low * 1.5) / 100) * 100 : Math.round((low + high) / 2 / 50) * 50
    if (next <= low || next >= high || high - low <= Math.max(100, low * 0.1)) break
    log(`${name}: searching the highest rate with p99 under ${TARGET.p99Ms} ms (${int(low)}–${high === Infinity ? '?' : int(high)}/s)…`)
    await step(next)
  }
  return results
}

/** The highest good rate measured (0: none) and the lowest bad rate above it (Infinity: none). */
function bounds(results: Measured[]): { low: number; high: number } {
  const low = Math.max(0, ...results.filter(good).map((r) => r.rate))
  const high = Math.min(Infinity, ...results.filter((r) => !good(r) && r.rate > low).map((r) => r.rate))
  return { low, high }
}

const warmUps: Record<string, number> = {}

const summary = (r: Measured) =>
  `${r.acked}/${r.sent} acknowledged, ${r.delivered}/${r.expected} delivered, p50 ${ms(r.latency.p50)} p99 ${ms(r.latency.p99)} ms${r.stopped ? ` (stopped ${r.stopped})` : ''}`

// ---------------------------------------------------------------------------------------------
// Baseline: the bare socket.io server

async function runBaseline(): Promise<Measured[]> {
  log(`baseline: starting the bare socket.io server and ${SOCKETS} sockets…`)
  const server = await startChild('baseline', 'scripts/load/echo-server.ts', {}, async (url) => (await fetch(`${url}/socket.io/?EIO=4&transport=polling`)).ok)
  const seats: Seat[] = []
  for (let c = 0; c < CONVERSATIONS; c++) {
    const conversationId = new Types.ObjectId().toString()
    for (let i = 0; i < SIZE; i++) seats.push({ conversation: c, conversationId, auth: { conversationId, handle: `load-${c}-${i}` } })
  }
  const load = new ChatLoad(seats)
  try {
    await load.open(server.url)
    return await climb('baseline', load, { server: server.child.pid })
  } finally {
    load.close()
    await server.stop()
  }
}

// ---------------------------------------------------------------------------------------------
// Vernetzt: the real server on a fresh database

/** The teams of the load, seeded into the server's database (see teams.ts). */
async function seed(url: string) {
  const config = loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: SECRET, LOG_LEVEL: 'silent' })
  const db = await openDatabase(config) // borrows the server's embedded FerretDB
  try {
    const { ctx } = createContext({ config, models: createModels(db.connection), log: pino({ level: 'silent' }) })
    return await seedTeams(ctx, url, { conversations: CONVERSATIONS, size: SIZE, prefix: 'load' })
  } finally {
    await db.close()
  }
}

async function runVernetzt(): Promise<{ results: Measured[]; profileDir: string | null }> {
  log(`vernetzt: starting the server (its own process, fresh embedded database in ${dataDir})…`)
  const profileDir = args.profile ? path.join(runDir, 'profile') : null
  if (profileDir) await mkdir(profileDir, { recursive: true })
  const server = await startChild(
    'vernetzt',
    'server/src/main.ts',
    // The per-sender spam limit is not what this measures (each member sends 1 message/s at 1,000/s).
    serverEnv(dataDir, SECRET),
    async (url) => (await fetch(`${url}/healthz`)).ok,
    profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  )
  let load: ChatLoad | null = null
  try {
    const t0 = performance.now()
    log(`vernetzt: seeding ${SOCKETS} members in ${CONVERSATIONS} team conversations…`)
    const { seats, conversations } = await seed(server.url)
    log(`vernetzt: seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s; opening ${SOCKETS} signed-in sockets…`)
    load = new ChatLoad(seats)
    await load.open(server.url)
    const { port } = JSON.parse(readFileSync(path.join(dataDir, 'ferretdb', 'running.json'), 'utf8')) as { port: number }
    const from = conversations.map(() => 0)
    const results = await climb('vernetzt', load, { server: server.child.pid, ferretdb: ferretdbPid(port) }, async (result) => {
      result.stored = await checkStored(server.url, conversations, result, from)
    })
    return { results, profileDir }
  } finally {
    load?.close()
    // Let the server finish its disconnect handlers (presence: a few writes per member) before it closes the database.
    await new Promise((r) => setTimeout(r, 2000 + 5 * SOCKETS))
    const code = await server.stop()
    if (code !== 0) log(`vernetzt: the server exited with code ${code}; see ${server.logFile}`)
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const ms = (v: number) => (Number.isNaN(v) ? '–' : v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString('en'))
const int = (v: number) => Math.round(v).toLocaleString('en')
const pct = (v: number) => (Number.isNaN(v) ? '–' : `${Math.round(v * 100)} %`)
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL')

function table(rows: Array<[string, Measured]>): string {
  const head = [
    'target',
    'offered/s',
    'sent',
    'acked',
    'delivered',
    'lost',
    'msgs/s',
    'deliv./s',
    'p50 ms',
    'p99 ms',
    'max ms',
    'ack p99',
    'stored',
    'CPU gen/srv/db/other',
  ]
  const lines = rows.map(([name, r]) => [
    name,
    int(r.rate),
    int(r.sent),
    int(r.acked),
    `${int(r.delivered)}/${int(r.expected)}`,
    int(r.lost),
    int(r.messagesPerSecond),
    int(r.deliveriesPerSecond),
    ms(r.latency.p50),
    ms(r.latency.p99),
    ms(r.latency.max),
    ms(r.ackLatency.p99),
    r.stored ? `${int(r.stored.stored)}${r.stored.missing ? ` (${r.stored.missing} missing)` : ''}` : 'n/a',
    [r.cpu.generator, r.cpu.server, r.cpu.ferretdb, r.cpu.other].map((v) => pct(v ?? NaN)).join(' / '),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n')
}

const started = performance.now()
const baseline = ONLY === 'vernetzt' ? [] : await runBaseline()
const vernetzt = ONLY === 'baseline' ? { results: [], profileDir: null } : await runVernetzt()

const cpu = os.cpus()
console.log(
  `\nChat load test: ${int(SOCKETS)} sockets in ${CONVERSATIONS} conversations of ${SIZE}, ${STEP.seconds} s per step; ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, Node ${process.version}`,
)
console.log('latency: from the scheduled send to the receipt at each other participant; msgs/s: acknowledged (Vernetzt: stored) messages per second')
if (Object.keys(warmUps).length)
  console.log(
    `before the steps, each member sent one message, 20 in flight: ${Object.entries(warmUps)
      .map(([name, perSecond]) => `${name} ${int(perSecond)} messages/s`)
      .join(', ')}`,
  )
console.log('')
console.log(table([...baseline.map((r) => ['bare socket.io', r] as [string, Measured]), ...vernetzt.results.map((r) => ['Vernetzt', r] as [string, Measured])]))
for (const [name, r] of [...baseline.map((r) => ['bare socket.io', r] as const), ...vernetzt.results.map((r) => ['Vernetzt', r] as const)]) {
  const notes = [
    r.stopped && `stopped sending ${r.stopped}`,
    Object.keys(r.ackErrors).length && `refused: ${JSON.stringify(r.ackErrors)}`,
    r.duplicates && `${r.duplicates} duplicate deliveries`,
    r.disconnects && `${r.disconnects} sockets disconnected`,
    r.stored?.unacknowledgedButStored && `${r.stored.unacknowledgedButStored} stored without an acknowledgement`,
    r.stored?.duplicates && `${r.stored.duplicates} stored twice`,
    (r.sendLag.p99 > 20 || r.generatorLoopP99 > 20) &&
      `the generator fell behind (send lag p99 ${ms(r.sendLag.p99)} ms, event-loop delay p99 ${ms(r.generatorLoopP99)} ms)`,
    r.cpu.other! > 0.2 && `other processes on this machine used ${pct(r.cpu.other!)} of a core meanwhile: figures are noisy`,
  ].filter(Boolean)
  if (notes.length) console.log(`  ${name} at ${int(r.rate)}/s: ${notes.join('; ')}`)
}

const atTarget = (results: Measured[]) => results.find((r) => r.rate === TARGET.rate) ?? results.find((r) => r.rate === RATES.at(-1)) ?? results[0]
const best = (results: Measured[]) => Math.max(0, ...results.map((r) => r.messagesPerSecond))
const v = atTarget(vernetzt.results)
const b = atTarget(baseline)
const verdicts: Record<string, boolean> = {}
if (v) {
  console.log(`\nTargets (Vernetzt at ${int(v.rate)} messages/s offered${v.rate === TARGET.rate ? '' : `, not the target's ${int(TARGET.rate)}/s`}):`)
  verdicts.nothingLost = v.lost === 0 && !v.stopped && v.sent === Math.round(v.rate * v.seconds)
  console.log(
    `  ${verdict(verdicts.nothingLost)}  nothing lost: ${int(v.delivered)} of ${int(v.expected)} deliveries, ${int(v.sent)} of ${int(v.rate * v.seconds)} messages sent${v.stopped ? ' (sending stopped: overloaded)' : ''}`,
  )
  verdicts.stored = !!v.stored && v.stored.missing === 0 && v.stored.duplicates === 0 && v.acked === v.sent
  console.log(
    `  ${verdict(verdicts.stored)}  every message stored once: ${int(v.stored?.stored ?? 0)} in the history, ${int(v.acked)} acknowledged of ${int(v.sent)} sent, ${v.stored?.missing ?? '?'} acknowledged but missing, ${v.stored?.duplicates ?? '?'} twice`,
  )
  verdicts.storedRate = verdicts.stored && v.messagesPerSecond >= TARGET.storedShare * v.rate
  console.log(
    `  ${verdict(verdicts.storedRate)}  stored at least ${pct(TARGET.storedShare)} of the offered rate: ${int(v.messagesPerSecond)}/s of ${int(v.rate)}/s = ${pct(v.messagesPerSecond / v.rate)}`,
  )
  verdicts.p99 = v.latency.p99 < TARGET.p99Ms && verdicts.nothingLost
  console.log(
    `  ${verdict(verdicts.p99)}  p99 under ${TARGET.p99Ms} ms: ${v.latency.count ? `${ms(v.latency.p99)} ms (${(v.latency.p99 / TARGET.p99Ms).toFixed(1)}× the target)` : 'nothing was delivered'}`,
  )
  if (b) {
    const ratio = v.messagesPerSecond / b.messagesPerSecond
    verdicts.throughput = ratio >= TARGET.baselineShare && verdicts.stored
    console.log(
      `  ${verdict(verdicts.throughput)}  throughput at least ${pct(TARGET.baselineShare)} of the baseline: ${int(v.messagesPerSecond)} vs ${int(b.messagesPerSecond)} messages/s = ${pct(ratio)}`,
    )
    console.log(
      `        best observed over all steps: Vernetzt ${int(best(vernetzt.results))}, baseline ${int(best(baseline))} messages/s (${pct(best(vernetzt.results) / best(baseline))}; the baseline's is bounded by the offered rate)`,
    )
  }
}
const limits: Record<string, { low: number; high: number; generatorBound: boolean }> = {}
for (const [name, results] of [
  ['Vernetzt', vernetzt.results],
  ['bare socket.io', baseline],
] as const) {
  if (!results.length) continue
  const { low, high } = bounds(results)
  // At the first rate that was not good the generator itself fell behind: the limit may be the generator's.
  const failed = results.find((r) => r.rate === high)
  const generatorBound = !!failed && (failed.sendLag.p99 > 20 || failed.generatorLoopP99 > 20)
  limits[name] = { low, high, generatorBound }
}
if (Object.keys(limits).length) {
  console.log(`\nHighest rate measured with p99 under ${TARGET.p99Ms} ms (nothing lost):`)
  for (const [name, l] of Object.entries(limits))
    console.log(
      `  ${name.padEnd(15)} ${l.low ? `${int(l.low)} messages/s` : 'none of the rates'}${l.high === Infinity ? ' (no higher rate measured)' : `; ${int(l.high)}/s was not`}${l.generatorBound ? ' (the generator fell behind above it: a lower bound)' : ''}`,
    )
  const vl = limits.Vernetzt
  const bl = limits['bare socket.io']
  if (vl && bl && bl.low)
    console.log(
      `  ratio Vernetzt / bare socket.io: ${(vl.low / bl.low).toFixed(2)}×${bl.generatorBound || bl.high === Infinity ? " (at most; the baseline's limit is a lower bound)" : ''}`,
    )
}
console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(0)} s.`)

if (args.json) {
  const strip = ({ messages: _messages, ...rest }: Measured) => rest
  await writeFile(
    args.json,
    JSON.stringify(
      {
        sockets: SOCKETS,
        conversations: CONVERSATIONS,
        size: SIZE,
        step: STEP,
        baseline: baseline.map(strip),
        vernetzt: vernetzt.results.map(strip),
        verdicts,
        limits,
      },
      null,
      2,
    ),
  )
}

// Keep the logs when the server said something, and the CPU profile when one was asked for.
if (!args.keep) await rm(dataDir, { recursive: true, force: true })
const keep =
  args.keep || vernetzt.profileDir || readdirSync(runDir).some((f) => f.endsWith('.log') && f.startsWith('vernetzt') && statSync(path.join(runDir, f)).size > 0)
if (keep) console.log(`Logs${vernetzt.profileDir ? ', the CPU profile' : ''}${args.keep ? ', the database' : ''}: ${runDir}`)
else await rm(runDir, { recursive: true, force: true })
