// Building the development servers the project brings (FerretDB, Mailpit) from the Go module
// proxy into the git-ignored .tools/ folder, once, whoever asks first.
import { execFile } from 'node:child_process'
import { chmod, cp, mkdir, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

export const run = promisify(execFile)

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

export const toolsDir = path.join(projectRoot, '.tools')

export type Log = (message: string) => void

/** The longest a build may take; a lock older than this is left from a killed run. */
const BUILD_LIMIT_MS = 15 * 60_000

/**
 * Builds a tool once: concurrent callers (parallel test runs, two terminals) wait for the first,
 * then find it current. `current` says whether the binary in .tools/ is the wanted one.
 */
export async function ensureBuilt(name: string, current: () => Promise<boolean>, build: () => Promise<void>): Promise<void> {
  if (await current()) return
  await mkdir(toolsDir, { recursive: true })
  const lock = path.join(toolsDir, `${name}-build.lock`)
  const deadline = Date.now() + BUILD_LIMIT_MS
  for (;;) {
    try {
      await mkdir(lock)
      break
    } catch {
      const age =
        Date.now() -
        (await stat(lock).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ))
      if (age > BUILD_LIMIT_MS) await rm(lock, { recursive: true, force: true })
      if (Date.now() > deadline) throw new Error(`Timed out waiting for the ${name} build lock ${lock}`)
      await new Promise((r) => setTimeout(r, 1000))
      if (await current()) return
    }
  }
  try {
    if (!(await current())) await build()
  } finally {
    await rm(lock, { recursive: true, force: true })
  }
}

// GOTOOLCHAIN=auto: a Go older than the one a module's go.mod names fetches that toolchain from
// the module proxy; a newer local Go is used as it is. CGO off: both tools are pure Go.
export const goEnv = { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: '0', GOTOOLCHAIN: 'auto' }

/**
 * A writable copy of one exact module version from the Go module proxy, in .tools/src/.
 * (`go install module@version` asks the proxy for the module's version list, which is refused
 * here, and leaves no place to patch or stamp the source.)
 */
export async function moduleSource(tool: string, module: string, version: string, otherwise = ''): Promise<string> {
  try {
    await run('go', ['version'], { env: goEnv })
  } catch {
    throw new Error(`Go is needed to build ${tool}, but \`go\` was not found on PATH. Install Go 1.24+${otherwise}.`)
  }
  const { stdout } = await run('go', ['mod', 'download', '-json', `${module}@${version}`], { env: goEnv, maxBuffer: 1 << 20 })
  const moduleDir = (JSON.parse(stdout) as { Dir?: string }).Dir
  if (!moduleDir) throw new Error(`go mod download did not report a directory for ${module}`)
  const src = path.join(toolsDir, 'src', `${tool.toLowerCase()}-${version}`)
  await rm(src, { recursive: true, force: true })
  await cp(moduleDir, src, { recursive: true })
  // The Go module cache is read-only; the copy must be writable to patch, stamp and delete it.
  await run('chmod', ['-R', 'u+w', src])
  await chmod(src, 0o755)
  return src
}

/**
 * `go build` of `pkg` in `src` into `binary` (through a temporary name, so a half-written binary
 * is never taken for a built one). Some Go releases refuse the linkname tricks of older
 * dependencies; the second attempt allows them.
 */
export async function goBuild(tool: string, src: string, pkg: string, binary: string, ldflags = ''): Promise<void> {
  await mkdir(path.dirname(binary), { recursive: true })
  const tmp = `${binary}.tmp-${process.pid}`
  let lastError: unknown
  for (const extra of ['', '-checklinkname=0']) {
    const flags = [ldflags, extra].filter(Boolean).join(' ')
    try {
      await run('go', ['build', '-trimpath', ...(flags ? [`-ldflags=${flags}`] : []), '-o', tmp, pkg], { cwd: src, env: goEnv, maxBuffer: 16 << 20 })
      await rename(tmp, binary)
      return
    } catch (error) {
      lastError = error
    }
  }
  throw new Error(`Building ${tool} failed: ${(lastError as { stderr?: string }).stderr ?? String(lastError)}`)
}
