// Running the development servers the project brings (FerretDB, Mailpit) as child processes on
// loopback ports that die with the app.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import type { Log } from './build.ts'

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/** `preferred` when nothing listens there (a stable address for a developer's bookmark), else a free port. */
export async function portOr(preferred: number): Promise<number> {
  const taken = await canConnect(preferred)
  if (taken) return freePort()
  return new Promise((resolve) => {
    const server = net.createServer()
    server.unref()
    server.once('error', () => void freePort().then(resolve))
    server.listen(preferred, '127.0.0.1', () => server.close(() => resolve(preferred)))
  })
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}

/**
 * The child is started through a tiny shell watchdog that holds our end of a pipe on stdin:
 * if this Node process dies in any way (even SIGKILL), the pipe closes, the watchdog wakes
 * and terminates the child, so no orphan keeps the port and the files.
 */
const WATCHDOG = `

exec 3<&0
"$0" "$@" </dev/null &
child=$!
( read -r _ <&3; kill -TERM "$child" 2>/dev/null ) &
watch=$!
wait "$child"; code=$?
kill "$watch" 2>/dev/null
exit "$code"
`

export interface Launched {
  child: ChildProcess
  /** Resolves with the exit code when the process ends. */
  exit: Promise<number>
  exited(): number | null
  /** Ends the process (through its watchdog), SIGKILL after 10 s. */
  stop(): Promise<void>
}

/** Starts one tool process and waits until every one of `ports` accepts connections (30 s at most). */
export async function launch(name: string, binary: string, args: string[], ports: number[], log: Log): Promise<Launched> {
  const child: ChildProcess = spawn('sh', ['-c', WATCHDOG, binary, ...args], {
    stdio: ['pipe', 'ignore', 'pipe'],
  })
  const recent: string[] = []
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      recent.push(line)
      if (recent.length > 20) recent.shift()
      log(`[${name.toLowerCase()}] ${line}`)
    }
  })
  let code: number | null = null
  const exit = new Promise<number>((resolve) =>
    child.once('exit', (c, signal) => {
      code = c ?? (signal ? 128 : -1)
      resolve(code)
    }),
  )
  // Our side of the watchdog pipe must not keep the event loop alive.
  ;(child.stdin as unknown as { unref?: () => void })?.unref?.()
  child.unref()

  const deadline = Date.now() + 30_000
  const ready = async () => (await Promise.all(ports.map(canConnect))).every(Boolean)
  while (!(await ready())) {
    if (code !== null) {
      throw new Error(`${name} exited with code ${code} before accepting connections:\n${recent.join('\n')}`)
    }
    if (Date.now() > deadline) {
      child.stdin?.end()
      throw new Error(`${name} did not accept connections on 127.0.0.1:${ports.join(', ')} within 30 s:\n${recent.join('\n')}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    child,
    exit,
    exited: () => code,
    async stop() {
      if (code !== null) return
      child.stdin?.end()
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exit
      clearTimeout(timer)
    },
  }
}

/**
 * A second process on the same DATA_DIR (say `npm run seed:demo` while `npm start` runs) must not
 * start a second server on the same files: it borrows the running one instead, found through
 * this file in the tool's folder, and leaves stopping it to its owner.
 */
export function ownerFile(dir: string): string {
  return path.join(dir, 'running.json')
}

export async function claimOwner(dir: string, ports: Record<string, number>): Promise<void> {
  await writeFile(ownerFile(dir), JSON.stringify({ pid: process.pid, ...ports }))
}

export async function releaseOwner(dir: string): Promise<void> {
  await rm(ownerFile(dir), { force: true })
}

/** The ports of the instance another live process runs for `dir`, when all of them answer. */
export async function runningInstance<K extends string>(dir: string, names: readonly K[]): Promise<Record<K, number> | null> {
  try {
    const owner = JSON.parse(await readFile(ownerFile(dir), 'utf8')) as { pid: number } & Record<K, number>
    process.kill(owner.pid, 0)
    const ports = names.map((n) => owner[n])
    if (!ports.every((p) => typeof p === 'number')) return null
    return (await Promise.all(ports.map(canConnect))).every(Boolean) ? owner : null
  } catch {
    return null
  }
}
