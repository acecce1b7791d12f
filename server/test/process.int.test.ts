import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../src/db/ferretdb.ts'

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
    return execFileSync('pgrep', ['-af', `ferretdb.*${dataDir}`], { encoding: 'utf8' }).split('\n').filter((l) => l.split(' ')[1]?.endsWith('/ferretdb'))
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
