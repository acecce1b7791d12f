import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { io as connect } from 'socket.io-client'
import type { SendAck } from '@vernetzt/shared/schemas/messages'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../src/db/ferretdb.ts'
import { Client } from './harness.ts'

/** The real `npm start` process: config, embedded database, web handler, signals. */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const dirs: string[] = []
const children: ChildProcess[] = []
afterAll(async () => {
  // A failed assertion must not leave a server (and its database) running.
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

function start(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['server/src/main.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', MONGODB_URI: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let out = ''
  child.stdout!.on('data', (c) => (out += c))
  child.stderr!.on('data', (c) => (out += c))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => out, exited }
}

async function waitForHealth(url: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    try {
      const res = await fetch(`${url}/healthz`)
      if (res.ok) return
    } catch {}
    if (Date.now() > deadline) throw new Error(`no health at ${url}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

function ferretdbsFor(dataDir: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', `ferretdb.*${dataDir}`], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.split(' ')[1]?.endsWith('/ferretdb'))
  } catch {
    return []
  }
}

async function until(check: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (check()) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return check()
}

describe('the server process', () => {
  it('starts with the embedded database, serves pages and API on one port, keeps data and stops cleanly on Ctrl-C', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-proc-'))
    dirs.push(dataDir)
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const first = start({ PORT: String(port), DATA_DIR: dataDir, HOST: '127.0.0.1' })
    await waitForHealth(url)
    expect(ferretdbsFor(dataDir)).toHaveLength(1)
    const page = await fetch(`${url}/`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('Vernetzt')
    const reg = await fetch(`${url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'keep@example.org', password: 'keep me please', handle: 'keeper', displayName: 'Keeper', role: 'partner' }),
    })
    expect(reg.status).toBe(201)
    first.child.kill('SIGINT')
    expect(await first.exited).toBe(0)
    expect(await until(() => ferretdbsFor(dataDir).length === 0)).toBe(true)

    // A restart finds the member again under ./data.
    const second = start({ PORT: String(port), DATA_DIR: dataDir, HOST: '127.0.0.1' })
    await waitForHealth(url)
    expect((await fetch(`${url}/api/v1/profiles/keeper`)).status).toBe(200)
    // A crash (SIGKILL: no handler runs) must not leave the database behind either.
    second.child.kill('SIGKILL')
    await second.exited
    expect(await until(() => ferretdbsFor(dataDir).length === 0)).toBe(true)
  }, 120_000)

  it('says in one line that the database cannot be reached, and exits non-zero without hanging', async () => {
    const dead = await freePort()
    const startedAt = Date.now()
    const proc = start({ MONGODB_URI: `mongodb://127.0.0.1:${dead}/x`, PORT: String(await freePort()) })
    const code = await proc.exited
    expect(code).not.toBe(0)
    expect(Date.now() - startedAt).toBeLessThan(30_000)
    const lines = proc.output().trim().split('\n').filter(Boolean)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`Cannot reach the database at mongodb://127\\.0\\.0\\.1:${dead}`))
  }, 60_000)

  it('refuses to start on a bad configuration value, naming it', async () => {
    const proc = start({ PORT: 'not-a-port' })
    expect(await proc.exited).toBe(2)
    expect(proc.output()).toMatch(/Invalid configuration: PORT must be integer/)
  }, 30_000)
})

describe('the server process under attack and failure', () => {
  it('answers a socket.io handshake with a malformed Origin and keeps serving', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-origin-'))
    dirs.push(dataDir)
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const proc = start({ PORT: String(port), DATA_DIR: dataDir, HOST: '127.0.0.1' })
    await waitForHealth(url)
    // A sandboxed iframe sends "Origin: null"; scripts send anything.
    for (const origin of ['null', 'x', 'http://a.127.0.0.1:3000', 'http://[::1', '%%%']) {
      const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin }, signal: AbortSignal.timeout(5_000) })
      expect(res.status, origin).toBeGreaterThanOrEqual(400)
      expect(res.status, origin).toBeLessThan(500)
      expect((await fetch(`${url}/healthz`)).status, origin).toBe(200)
    }
    expect(proc.child.exitCode).toBeNull()
    proc.child.kill('SIGTERM')
    await proc.exited
  }, 90_000)

  it('restarts its embedded database after kill -9 under chat load, and keeps every acknowledged message exactly once', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-supervise-'))
    dirs.push(dataDir)
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const proc = start({ PORT: String(port), DATA_DIR: dataDir, HOST: '127.0.0.1', MESSAGE_RATE_LIMIT: '100000', AUTH_RATE_LIMIT: '1000' })
    await waitForHealth(url)
    const register = async (handle: string, sponsor?: string) => {
      const client = new Client(url)
      const res = await client.post('/api/v1/auth/register', {
        email: `${handle}@example.org`,
        password: 'supervised pw',
        handle,
        displayName: handle,
        role: 'partner',
        ...(sponsor ? { sponsor } : {}),
      })
      expect(res.status).toBe(201)
      return client
    }
    const anna = await register('sup-anna')
    const ben = await register('sup-ben', 'sup-anna')
    const chat = (await ben.post('/api/v1/conversations', { participants: ['sup-anna'] })).body as { id: string }
    const sockets = [anna, ben].map((c) => connect(url, { transports: ['websocket'], extraHeaders: { cookie: c.cookie } }))
    await Promise.all(sockets.map((s) => new Promise((resolve) => s.once('hello', resolve))))

    const acknowledged: string[] = []
    let refused = 0
    let sending = true
    const sender = async (socket: (typeof sockets)[number], who: string) => {
      for (let i = 0; sending; i++) {
        const clientMessageId = `sup-${who}-${i.toString().padStart(5, '0')}`
        const ack = await Promise.race([
          new Promise<SendAck>((resolve) =>
            socket.emit('message:send', { conversationId: chat.id, body: `Nachricht ${clientMessageId}`, clientMessageId }, resolve),
          ),
          new Promise<null>((resolve) => setTimeout(() => resolve(null), 40_000)),
        ])
        if (ack?.ok) acknowledged.push(clientMessageId)
        else refused += 1
        await new Promise((r) => setTimeout(r, 20))
      }
    }
    const senders = [sender(sockets[0]!, 'a'), sender(sockets[1]!, 'b')]
    await new Promise((r) => setTimeout(r, 1_500))
    const before = acknowledged.length
    const [dbPid] = ferretdbsFor(dataDir).map((line) => Number(line.split(' ')[0]))
    expect(dbPid).toBeGreaterThan(0)
    execFileSync('kill', ['-9', String(dbPid)])
    // Health answers within a second throughout, and comes back up.
    const deadline = Date.now() + 60_000
    let healthy = false
    while (Date.now() < deadline) {
      const startedAt = Date.now()
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) })
      expect(Date.now() - startedAt).toBeLessThan(1_000)
      if (res.ok) {
        healthy = true
        break
      }
      expect(await res.json()).toEqual({ status: 'degraded', db: 'down' })
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(healthy, proc.output().slice(-3000)).toBe(true)
    // Chat recovers too: sending goes on until 20 more messages are acknowledged after the
    // restart (a send caught in the outage may first wait out the driver's socket timeout, 30 s).
    const healthyAt = acknowledged.length
    const recovered = Date.now() + 70_000
    while (acknowledged.length < healthyAt + 20 && Date.now() < recovered) await new Promise((r) => setTimeout(r, 100))
    sending = false
    await Promise.all(senders)
    expect(proc.child.exitCode).toBeNull()
    expect(acknowledged.length).toBeGreaterThanOrEqual(Math.max(before, healthyAt) + 20)

    const stored: string[] = []
    for (let after = 0; ;) {
      const page = (await anna.get(`/api/v1/conversations/${chat.id}/messages?after=${after}&limit=100`)).body as {
        items: Array<{ seq: number; clientMessageId: string }>
      }
      if (page.items.length === 0) break
      stored.push(...page.items.map((m) => m.clientMessageId))
      after = page.items.at(-1)!.seq
    }
    for (const id of acknowledged)
      expect(
        stored.filter((s) => s === id),
        id,
      ).toHaveLength(1)
    expect(new Set(stored).size).toBe(stored.length)
    for (const s of sockets) s.disconnect()
    proc.child.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
    console.log(`supervision: ${acknowledged.length} acknowledged, ${refused} refused during the outage, ${stored.length} stored`)
  }, 240_000)
})
