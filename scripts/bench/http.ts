/**
 * HTTP throughput benchmark (issue 12): requests per second and latency of a bare Fastify route
 * (the baseline), the anonymous profile API, the anonymous SSR profile page (the referral
 * landing every QR code points to), the signed-in home feed page spread over many members'
 * sessions, and the same profile page signed in (never cached), each measured with wrk at the
 * same concurrency in one run, each printed as a ratio to bare Fastify.
 *
 * The server runs as in production (its own process, fresh embedded database with the demo
 * network, some PR posts delivered into feeds). wrk comes from Debian (`apt-get install wrk`).
 *
 *   npm run bench:http
 *   npm run bench:http -- --seconds 15 --connections 32 --sessions 200
 *   npm run bench:http -- --only feed --profile   (some targets; the server writes a V8 CPU profile)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pino from 'pino'
import { flags } from '../../server/src/cli.ts'
import { createContext } from '../../server/src/compose.ts'
import { loadConfig } from '../../server/src/config.ts'
import { openDatabase } from '../../server/src/db/connect.ts'
import { createModels } from '../../server/src/db/models.ts'
import { SESSION_COOKIE, createSession } from '../../server/src/modules/accounts/sessions.ts'
import { seedDemo } from '../demo/seed.ts'
import { cpuSeconds, ferretdbPid, killOnExit, serverEnv, startProcess } from '../load/processes.ts'

const args = flags()
const SECONDS = Number(args.seconds ?? 10)
const CONNECTIONS = Number(args.connections ?? 32)
const SESSIONS = Number(args.sessions ?? 200)
const SIZE = Number(args.size ?? 320)
const AUTHORS = 60
const SECRET = 'bench-secret-bench-secret-bench-secret'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
if (!existsSync(path.join(root, 'web', 'build', 'handler.js'))) {
  console.error('The server runs as in production and needs the built web app: run `npm run build` first.')
  process.exit(2)
}
if (spawnSync('wrk', ['--version']).error) {
  console.error('bench:http needs wrk: `apt-get install wrk` (Debian).')
  process.exit(2)
}
const log = (line: string) => console.error(`[http] ${line}`)
const runDir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-http-'))
const dataDir = path.join(runDir, 'data')
const children = new Set<ChildProcess>()
killOnExit(children)

log('starting bare Fastify and the server (its own process, fresh embedded database)…')
const bare = await startProcess({
  name: 'bare-fastify',
  script: 'scripts/bench/bare-fastify.ts',
  env: {},
  ready: async (url) => (await fetch(`${url}/healthz`)).ok,
  runDir,
  children,
})
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

log(`seeding the demo network (${SIZE} members)…`)
await seedDemo(ctx, SIZE)
const members = (await models.Member.find({ isRoot: { $ne: true }, role: { $ne: 'admin' } }, { _id: 1, handle: 1, displayName: 1 }).lean()).slice(0, SESSIONS)
const sessions: Array<{ cookie: string; name: string }> = []
for (const m of members) {
  const { token } = await createSession(ctx, m._id, { userAgent: 'http bench' })
  sessions.push({ cookie: `${SESSION_COOKIE}=${token}`, name: m.displayName })
}
log(`${sessions.length} sessions; ${AUTHORS} members post twice (PR, delivered into their teams' and followers' feeds)…`)
for (const [i, s] of sessions.slice(0, AUTHORS).entries()) {
  for (const n of [1, 2]) {
    const res = await fetch(`${server.url}/api/v1/posts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: s.cookie },
      body: JSON.stringify({
        kind: 'pr',
        area: { type: 'feed' },
        body: `Beitrag ${n} von Mitglied ${i}: **heute** im Team gelernt, wie man gute Fragen stellt.`,
      }),
    })
    if (res.status !== 201) throw new Error(`posting failed: ${res.status} ${await res.text()}`)
  }
}
for (const deadline = Date.now() + 120_000; ;) {
  const open = await models.Job.collection.countDocuments({ state: { $in: ['pending', 'running'] } })
  if (open === 0) break
  if (Date.now() > deadline) throw new Error(`${open} fan-out jobs still open after 120 s`)
  await new Promise((r) => setTimeout(r, 250))
}

// What each target must answer, checked once before it is measured.
const profile = await fetch(`${server.url}/p/anna`, { headers: { 'accept-language': 'de' } })
if (profile.status !== 200 || !(await profile.text()).includes('Anna')) throw new Error(`/p/anna answered ${profile.status}`)
let withPosts = 0
for (const s of sessions) {
  const res = await fetch(`${server.url}/feed`, { headers: { cookie: s.cookie, 'accept-language': 'de' }, redirect: 'manual' })
  const html = await res.text()
  if (res.status !== 200 || !html.includes(s.name)) throw new Error(`/feed for ${s.name} answered ${res.status} without the member's own menu`)
  if (html.includes('Beitrag ')) withPosts += 1
}
log(`checked: every session's /feed is its own member's page; ${withPosts} of ${sessions.length} show posts`)

const luaFile = path.join(runDir, 'sessions.lua')
writeFileSync(
  luaFile,
  [
    `local cookies = { ${sessions.map((s) => `"${s.cookie}"`).join(', ')} }`,
    'local i = 0',
    'request = function()',
    '  i = i % #cookies + 1',
    '  return wrk.format("GET", nil, { ["Cookie"] = cookies[i], ["Accept-Language"] = "de" })',
    'end',
  ].join('\n'),
)

interface Result {
  name: string
  rps: number
  p50: number
  p99: number
  errors: number
  timeouts: number
  serverMs: number
  dbMs: number
}

const ms = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? NaN)

async function wrk(name: string, url: string, extra: string[]): Promise<Result> {
  const run = (seconds: number) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '--timeout', '5s', ...extra, url], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
      child.once('error', reject)
      child.once('exit', () => resolve(out))
    })
  await run(2) // warm-up: caches, JIT, connections
  const before = { server: cpuSeconds(pids.server), db: cpuSeconds(pids.ferretdb) }
  const out = await run(SECONDS)
  const used = { server: cpuSeconds(pids.server) - before.server, db: cpuSeconds(pids.ferretdb) - before.db }
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out)
    return m ? ms(m[1]!, m[2]!) : NaN
  }
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN)
  const result: Result = {
    name,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50: pct('50'),
    p99: pct('99'),
    errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    timeouts: Number(/timeout (\d+)/.exec(out)?.[1] ?? 0),
    serverMs: name.startsWith('bare') ? NaN : (used.server * 1000) / total,
    dbMs: name.startsWith('bare') ? NaN : (used.db * 1000) / total,
  }
  log(`${name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms`)
  return result
}

const anon = ['-H', 'Accept-Language: de']
const only = args.only ? new RegExp(args.only, 'i') : null
const targets: Array<[string, string, string[]]> = [
  ['bare Fastify route', `${bare.url}/api/v1/bare`, anon],
  ['GET /api/v1/profiles/anna (anonymous)', `${server.url}/api/v1/profiles/anna`, anon],
  ['SSR /p/anna (anonymous)', `${server.url}/p/anna`, anon],
  [`SSR /feed (signed in, ${sessions.length} sessions)`, `${server.url}/feed`, ['-s', luaFile]],
  [`SSR /p/anna (signed in, ${sessions.length} sessions, not cached)`, `${server.url}/p/anna`, ['-s', luaFile]],
]
const results: Result[] = []
// The baseline always runs; --only picks the others by name.
for (const [i, [name, url, extra]] of targets.entries()) if (i === 0 || !only || only.test(name)) results.push(await wrk(name, url, extra))
const baseline = results[0]!.rps

console.log(`\nHTTP throughput, wrk -t1 -c${CONNECTIONS}, ${SECONDS} s per target after a 2 s warm-up, demo network of ${SIZE}:`)
console.log('| Target | req/s | × bare Fastify | p50 | p99 | errors | timeouts | CPU per request: server | database |')
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
for (const r of results) {
  const cpu = (v: number) => (Number.isNaN(v) ? '–' : `${v.toFixed(2)} ms`)
  console.log(
    `| ${r.name} | ${r.rps.toFixed(0)} | ${(r.rps / baseline).toFixed(3)}× | ${r.p50} ms | ${r.p99} ms | ${r.errors} | ${r.timeouts} | ${cpu(r.serverMs)} | ${cpu(r.dbMs)} |`,
  )
}

await db.close()
await server.stop()
await bare.stop()
if (args.profile) log(`CPU profile of the server: ${path.join(runDir, 'profile')}`)
else await rm(runDir, { recursive: true, force: true })
