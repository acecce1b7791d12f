// Child processes of the load tests and benchmarks (a server, a bare baseline) and the CPU time they use.
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../../server/src/db/ferretdb.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * How load tests and benchmarks run the real server: production mode on a fresh embedded
 * database in `dataDir`, with the rate limits out of the way (they are not what is measured).
 */
export function serverEnv(dataDir: string, secret: string): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SESSION_SECRET: secret,
    AUTH_RATE_LIMIT: '100000',
    WRITE_RATE_LIMIT: '1000000',
    CONTENT_RATE_LIMIT: '1000000',
    MESSAGE_RATE_LIMIT: '1000000',
  }
}

/** Children die with the script: on exit, Ctrl-C or SIGTERM. */
export function killOnExit(children: Set<ChildProcess>): void {
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL')
  })
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      for (const child of children) child.kill('SIGTERM')
      process.exit(130)
    })
  }
}

export interface Started {
  child: ChildProcess
  url: string
  logFile: string
  stop(): Promise<number | null>
}

/** Starts `node <script>` with `env` on a free port and waits until `ready` answers (or the child dies). */
export async function startProcess(options: {
  name: string
  script: string
  env: Record<string, string>
  ready: (url: string) => Promise<boolean>
  nodeFlags?: string[]
  runDir: string
  children: Set<ChildProcess>
}): Promise<Started> {
  const { name, runDir, children } = options
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const logFile = path.join(runDir, `${name}.log`)
  // The child writes straight into the file: what it prints while crashing is there even if we exit first.
  const out = openSync(logFile, 'a')
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...options.env, PORT: String(port) }
  delete childEnv.MONGODB_URI // always a fresh embedded database, never the operator's
  delete childEnv.REDIS_URL
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), path.join(root, options.script)], {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', out, out],
  })
  closeSync(out)
  children.add(child)
  let exitCode: number | null | undefined
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code
      children.delete(child)
      resolve(code)
    }),
  )
  const deadline = Date.now() + 180_000
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${name} exited with code ${exitCode} while starting; see ${logFile}:\n${tail(logFile)}`)
    if (await options.ready(url).catch(() => false)) break
    if (Date.now() > deadline) throw new Error(`${name} did not come up within 180 s; see ${logFile}`)
    await new Promise((r) => setTimeout(r, 250))
  }
  return {
    child,
    url,
    logFile,
    async stop() {
      if (exitCode !== undefined) return exitCode
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
      const code = await exited
      clearTimeout(timer)
      return code
    },
  }
}

export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

/** CPU seconds a process has used so far (Linux /proc; NaN elsewhere). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // utime + stime, in USER_HZ (100 on Linux)
  } catch {
    return NaN
  }
}

/** The FerretDB process serving `port` (the server starts it through a small shell watchdog). */
export function ferretdbPid(port: number): number | undefined {
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
      if (argv[0]?.endsWith('ferretdb') && argv.includes(`--listen-addr=127.0.0.1:${port}`)) return Number(entry)
    } catch {
      // gone meanwhile
    }
  }
  return undefined
}

/** Busy CPU seconds of the whole machine so far, over all cores (Linux /proc/stat; NaN elsewhere). */
export function machineBusySeconds(): number {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number)
    const [user, nice, system, , , irq, softirq, steal] = ticks as number[]
    return (user! + nice! + system! + irq! + softirq! + steal!) / 100
  } catch {
    return NaN
  }
}
