/**
 * Messages benchmark (issue 12): the messages list and a chat, as API and as the SSR page, for a
 * member with 200 conversations in the demo network (320 members), against a trivial signed-in
 * route (GET /api/v1/me: session and member reads, nothing of the chat) in the same run.
 *
 * The server runs as in production (its own process, fresh embedded database); the data is
 * written through the chat's own services from this process onto the same database. Times are
 * taken over loopback with one request at a time, so they are the server's time plus well under
 * a millisecond: the first visit (nothing remembered yet), then p50/p95 of warm requests.
 *
 *   npm run build && npm run bench:messages
 *   npm run bench:messages -- --conversations 500 --rounds 100
 */
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
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
import { createModels } from '../../server/src/db/models.ts'
import { SESSION_COOKIE, createSession } from '../../server/src/modules/accounts/sessions.ts'
import { messagingIdle, sendMessage } from '../../server/src/modules/messaging/index.ts'
import { killOnExit, serverEnv, startProcess } from '../load/processes.ts'
import { seedInbox } from './messages-seed.ts'

const args = flags()
const SIZE = Number(args.size ?? 320)
const CONVERSATIONS = Number(args.conversations ?? 200)
const ROUNDS = Number(args.rounds ?? 50)
const CHAT_MESSAGES = 60 // more than a chat page shows (50)
const SECRET = 'bench-secret-bench-secret-bench-secret'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
if (!existsSync(path.join(root, 'web', 'build', 'handler.js'))) {
  console.error('The server runs as in production and needs the built web app: run `npm run build` first.')
  process.exit(2)
}
const log = (line: string) => console.error(`[messages] ${line}`)
const runDir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-messages-'))
const dataDir = path.join(runDir, 'data')
const children = new Set<ChildProcess>()
killOnExit(children)

log('starting the server (its own process, fresh embedded database)…')
const server = await startProcess({
  name: 'vernetzt',
  script: 'server/src/main.ts',
  env: serverEnv(dataDir, SECRET),
  ready: async (url) => (await fetch(`${url}/healthz`)).ok,
  runDir,
  children,
})
const config = loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: SECRET, LOG_LEVEL: 'silent', MESSAGE_RATE_LIMIT: '1000000' })
const db = await openDatabase(config) // borrows the server's embedded FerretDB
const { ctx } = createContext({ config, models: createModels(db.connection), log: pino({ level: 'silent' }) })

log(`seeding the demo network (${SIZE}) and ${CONVERSATIONS} conversations of anna…`)
const t0 = performance.now()
const inbox = await seedInbox(ctx, { size: SIZE, conversations: CONVERSATIONS, messages: 4 })
const chatId = inbox.conversationIds[Math.floor(CONVERSATIONS / 2)]!
for (let i = 0; i < CHAT_MESSAGES; i++) {
  await sendMessage(
    ctx,
    inbox.owner,
    { conversationId: chatId, body: `Eine längere Unterhaltung, Nachricht ${i}`, clientMessageId: `chat-${i}` },
    { automatic: true },
  )
}
await messagingIdle(ctx) // heads and list entries written
log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
const { token } = await createSession(ctx, new Types.ObjectId(inbox.owner.id), { userAgent: 'messages bench' })
const cookie = `${SESSION_COOKIE}=${token}`

async function once(url: string): Promise<number> {
  const at = performance.now()
  const res = await fetch(`${server.url}${url}`, { headers: { cookie }, redirect: 'manual' })
  await res.arrayBuffer()
  const ms = performance.now() - at
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`)
  return ms
}

const targets: Array<[string, string]> = [
  ['baseline: GET /healthz', '/healthz'],
  ['baseline: GET /api/v1/me (signed in)', '/api/v1/me'],
  ['API: messages list (limit 50)', '/api/v1/conversations?limit=50'],
  ['SSR page /messages', '/messages'],
  [`API: a chat's messages (limit 50)`, `/api/v1/conversations/${chatId}/messages?limit=50`],
  ['SSR page /messages/<id>', `/messages/${chatId}`],
]
// First visits in page order, before anything is warm; then each target on its own.
const first = new Map<string, number>()
for (const [, url] of targets) first.set(url, await once(url))
const rows: Array<{ name: string; url: string; p50: number; p95: number }> = []
for (const [name, url] of targets) {
  for (let i = 0; i < 5; i++) await once(url)
  const samples: number[] = []
  for (let i = 0; i < ROUNDS; i++) samples.push(await once(url))
  samples.sort((a, b) => a - b)
  rows.push({ name, url, p50: samples[Math.floor(ROUNDS / 2)]!, p95: samples[Math.min(ROUNDS - 1, Math.floor(ROUNDS * 0.95))]! })
}

const base = rows[1]!.p50
const fmt = (v: number) => (v < 10 ? v.toFixed(1) : Math.round(v).toString())
console.log(`\nMessages for a member with ${CONVERSATIONS} conversations, demo network of ${SIZE}, embedded FerretDB 1.24 / SQLite, server in its own process`)
console.log(`(${ROUNDS} warm requests each, one at a time; target: list and chat pages under 100 ms)`)
console.log('| request | first visit ms | p50 ms | p95 ms | p50 × GET /me | under 100 ms |')
console.log('|---|---|---|---|---|---|')
for (const r of rows) {
  console.log(`| ${r.name} | ${fmt(first.get(r.url)!)} | ${fmt(r.p50)} | ${fmt(r.p95)} | ${(r.p50 / base).toFixed(2)}× | ${r.p95 < 100 ? 'yes' : 'no'} |`)
}

await db.close()
await server.stop()
await rm(runDir, { recursive: true, force: true })
process.exit(0)
