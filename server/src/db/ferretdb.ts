import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import path from 'node:path'
import { ensureFerretdb, type Log } from './ferretdb-build.ts'

// Running the embedded database: FerretDB as a supervised child process on a free loopback port.
// The build lives in ferretdb-build.ts; scripts and tests import these from here.
export { FERRETDB_VERSION, ensureFerretdb, ferretdbBinary } from './ferretdb-build.ts'

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

export interface EmbeddedDb {
  uri: string
  port: number
  stop(): Promise<void>
}

/** What a supervised embedded database reports; see `supervise` in startFerretdb. */
export interface Supervision {
  /** The database process died; it is being restarted. */
  down?(reason: string): void
  /** It accepts connections again after a restart. */
  up?(restarts: number): void
  /** It could not be brought back: the caller should exit so an outer supervisor takes over. */
  gaveUp(reason: string): void
}

/** Restarts in a row (each dying within STABLE_MS of the last) before giving up. */
export const MAX_RESTARTS = 5

const STABLE_MS = 60_000

const backoffMs = (attempt: number) => Math.min(8_000, 250 * 2 ** attempt)

/**
 * The child is started through a tiny shell watchdog that holds our end of a pipe on stdin:
 * if this Node process dies in any way (even SIGKILL), the pipe closes, the watchdog wakes
 * and terminates FerretDB, so no orphan keeps the port and the SQLite files.
 */
const WATCHDOG = `

exec 3<&0
"$0" "$@" </dev/null &
db=$!
( read -r _ <&3; kill -TERM "$db" 2>/dev/null ) &
watch=$!
wait "$db"; code=$?
kill "$watch" 2>/dev/null
exit "$code"
`

/**
 * A second process on the same DATA_DIR (say `npm run seed:demo` while `npm start` runs) must not
 * start a second FerretDB on the same SQLite files: it borrows the running one instead, found
 * through this file, and leaves stopping it to its owner.
 */
function ownerFile(dir: string): string {
  return path.join(dir, 'running.json')
}

async function runningInstance(dir: string): Promise<number | null> {
  try {
    const { pid, port } = JSON.parse(await readFile(ownerFile(dir), 'utf8')) as { pid: number; port: number }
    process.kill(pid, 0)
    return (await canConnect(port)) ? port : null
  } catch {
    return null
  }
}

interface Launched {
  child: ChildProcess
  /** Resolves with the exit code when the process ends. */
  exit: Promise<number>
  exited(): number | null
}

/** Starts one FerretDB process and waits until it accepts connections. */
async function launch(binary: string, args: string[], port: number, log: Log): Promise<Launched> {
  const child: ChildProcess = spawn('sh', ['-c', WATCHDOG, binary, ...args], {
    stdio: ['pipe', 'ignore', 'pipe'],
  })
  const recent: string[] = []
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      recent.push(line)
      if (recent.length > 20) recent.shift()
      log(`[ferretdb] ${line}`)
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
  while (!(await canConnect(port))) {
    if (code !== null) {
      throw new Error(`FerretDB exited with code ${code} before accepting connections:\n${recent.join('\n')}`)
    }
    if (Date.now() > deadline) {
      child.stdin?.end()
      throw new Error(`FerretDB did not accept connections on 127.0.0.1:${port} within 30 s:\n${recent.join('\n')}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return { child, exit, exited: () => code }
}

/**
 * `sync` is SQLite's synchronous setting. 'normal' (the default): a commit is durable once it is in
 * the write-ahead log, which survives a crash of Vernetzt or FerretDB; after a power loss or an
 * operating-system crash the last moments of commits can be gone, as with a standalone MongoDB,
 * which flushes its journal every 100 ms. 'full' syncs the log to disk on every commit, which
 * survives that too and costs about a millisecond per write (the chat's p99 doubles under load).
 *
 * With `supervise`, a database process that dies is started again on the same port and files,
 * with backoff (0.25 s doubling to 8 s); the driver reconnects by itself. After MAX_RESTARTS
 * restarts in a row that did not stay up, `gaveUp` is called.
 */
export async function startFerretdb(options: {
  dataDir: string
  log?: Log
  port?: number
  sync?: 'normal' | 'full'
  supervise?: Supervision
}): Promise<EmbeddedDb> {
  const log = options.log ?? (() => {})
  const dir = path.join(options.dataDir, 'ferretdb')
  await mkdir(dir, { recursive: true })
  const borrowed = await runningInstance(dir)
  if (borrowed !== null) {
    log(`Using the embedded database already running for ${options.dataDir} (port ${borrowed}).`)
    return { uri: `mongodb://127.0.0.1:${borrowed}/`, port: borrowed, stop: async () => {} }
  }
  const binary = await ensureFerretdb(log)
  const port = options.port ?? (await freePort())
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${dir}/?_pragma=synchronous(${(options.sync ?? 'normal').toUpperCase()})`,
    `--state-dir=${dir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--telemetry=disable',
    '--debug-addr=-',
    '--log-level=error',
    '--log-format=text',
  ]
  let current = await launch(binary, args, port, log)
  await writeFile(ownerFile(dir), JSON.stringify({ pid: process.pid, port }))
  let stopping = false

  const supervision = options.supervise
  if (supervision) {
    let streak = 0
    let startedAt = Date.now()
    const watch = (running: Launched) => {
      void running.exit.then(async (code) => {
        if (stopping) return
        if (Date.now() - startedAt > STABLE_MS) streak = 0
        supervision.down?.(`exited with code ${code}`)
        for (;;) {
          if (streak >= MAX_RESTARTS) {
            supervision.gaveUp(`the embedded database (FerretDB) died and did not stay up after ${MAX_RESTARTS} restarts (last exit code ${code})`)
            return
          }
          await new Promise((r) => setTimeout(r, backoffMs(streak)))
          if (stopping) return
          streak += 1
          try {
            current = await launch(binary, args, port, log)
            if (stopping) {
              current.child.stdin?.end() // stop() came while it was starting
              return
            }
            startedAt = Date.now()
            supervision.up?.(streak)
            watch(current)
            return
          } catch (error) {
            log(`Restarting the embedded database failed: ${(error as Error).message}`)
          }
        }
      })
    }
    watch(current)
  }

  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    port,
    async stop() {
      stopping = true
      await rm(ownerFile(dir), { force: true })
      if (current.exited() !== null) return
      current.child.stdin?.end()
      const timer = setTimeout(() => current.child.kill('SIGKILL'), 10_000)
      await current.exit
      clearTimeout(timer)
    },
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => (socket.destroy(), resolve(true)))
    socket.once('error', () => resolve(false))
  })
}
