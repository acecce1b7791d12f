import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { claimOwner, freePort, launch, releaseOwner, runningInstance, type Launched } from '../tools/child.ts'
import { ensureFerretdb, type Log } from './ferretdb-build.ts'

// Running the embedded database: FerretDB as a supervised child process on a free loopback port.
// The build lives in ferretdb-build.ts; scripts and tests import these from here.
export { FERRETDB_VERSION, ensureFerretdb, ferretdbBinary } from './ferretdb-build.ts'
export { freePort } from '../tools/child.ts'

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
  const borrowed = (await runningInstance(dir, ['port']))?.port
  if (borrowed !== undefined) {
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
  let current = await launch('FerretDB', binary, args, [port], log)
  await claimOwner(dir, { port })
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
            current = await launch('FerretDB', binary, args, [port], log)
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
      await releaseOwner(dir)
      await current.stop()
    },
  }
}
