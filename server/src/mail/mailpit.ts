// The development mail server: Mailpit, built from the Go module proxy into .tools/ and started
// like the embedded database when SMTP_URL is not set. Vernetzt's mail goes to its SMTP port and
// stays there (nothing is relayed); its web inbox shows what was sent.
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { ensureBuilt, goBuild, moduleSource, run, toolsDir, type Log } from '../tools/build.ts'
import { claimOwner, freePort, launch, portOr, releaseOwner, runningInstance } from '../tools/child.ts'

export const MAILPIT_MODULE = 'github.com/axllent/mailpit'
export const MAILPIT_VERSION = 'v1.33.1'
export const mailpitBinary = path.join(toolsDir, 'bin', 'mailpit')
const versionMarker = `${mailpitBinary}.version`

/** Whether .tools/ holds the wanted Mailpit (scripts/test/preflight.ts asks too). */
export async function mailpitBuilt(): Promise<boolean> {
  if (!existsSync(mailpitBinary)) return false
  return (await readFile(versionMarker, 'utf8').catch(() => '')).trim() === MAILPIT_VERSION
}

/** Builds Mailpit once; concurrent callers wait for the first. */
export async function ensureMailpit(log: Log = console.error): Promise<string> {
  await ensureBuilt('mailpit', mailpitBuilt, () => build(log))
  return mailpitBinary
}

/**
 * The module holds the web inbox's sources but not its bundle, so that is built first, with the
 * npm registry and Mailpit's own esbuild script. Its lockfile pins versions the registry here
 * does not serve, so the build resolves from package.json instead, without the linters and test
 * tools, and with the API-docs viewer at the newest major version served (9; the docs page is
 * the only user of it).
 */
async function build(log: Log): Promise<void> {
  log(`Building the development mail server (Mailpit ${MAILPIT_VERSION}); this happens once and takes a minute or two…`)
  const src = await moduleSource('Mailpit', MAILPIT_MODULE, MAILPIT_VERSION, ' or set SMTP_URL')
  const manifestPath = path.join(src, 'package.json')
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as {
    dependencies: Record<string, string>
    devDependencies: Record<string, string>
  }
  const bundler = ['esbuild', 'esbuild-plugin-vue-next', 'esbuild-sass-plugin', '@vue/compiler-sfc']
  manifest.devDependencies = Object.fromEntries(Object.entries(manifest.devDependencies).filter(([name]) => bundler.includes(name)))
  manifest.dependencies.rapidoc = '^9.3.8'
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2))
  await rm(path.join(src, 'package-lock.json'), { force: true })
  await run('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: src, maxBuffer: 16 << 20 })
  await run(process.execPath, ['esbuild.config.mjs'], { cwd: src, env: { ...process.env, MINIFY: 'true' }, maxBuffer: 16 << 20 })
  if (!existsSync(path.join(src, 'server', 'ui', 'dist', 'app.js'))) throw new Error('Building Mailpit: its web inbox bundle was not written')
  await goBuild('Mailpit', src, '.', mailpitBinary, `-s -w -X ${MAILPIT_MODULE}/config.Version=${MAILPIT_VERSION}`)
  await writeFile(versionMarker, `${MAILPIT_VERSION}\n`)
  await rm(src, { recursive: true, force: true })
  log(`Mailpit ${MAILPIT_VERSION} built: ${mailpitBinary}`)
}

export interface DevMailServer {
  /** Where the app sends: smtp://127.0.0.1:<port>. */
  smtpUrl: string
  /** The web inbox and its API (/api/v1/...). */
  webUrl: string
  stop(): Promise<void>
}

/**
 * Starts Mailpit on loopback for `dataDir` (its mail in <dataDir>/mailpit/, kept across starts),
 * or borrows the one another process already runs there. Ports: 1025 and 8025 when free (a stable
 * inbox address for the developer), else free ones; `freePorts` always takes free ones (tests).
 * `extraArgs` are for tests that arrange what the SMTP server answers.
 */
export async function startMailpit(options: { dataDir: string; log?: Log; freePorts?: boolean; extraArgs?: string[] }): Promise<DevMailServer> {
  const log = options.log ?? (() => {})
  const dir = path.join(options.dataDir, 'mailpit')
  await mkdir(dir, { recursive: true })
  const urls = (smtp: number, http: number) => ({ smtpUrl: `smtp://127.0.0.1:${smtp}`, webUrl: `http://127.0.0.1:${http}` })
  const borrowed = options.extraArgs?.length ? null : await runningInstance(dir, ['smtp', 'http'])
  if (borrowed) return { ...urls(borrowed.smtp, borrowed.http), stop: async () => {} }
  const binary = await ensureMailpit(log)
  const smtp = options.freePorts ? await freePort() : await portOr(1025)
  const http = options.freePorts ? await freePort() : await portOr(8025)
  const args = [
    `--database=${path.join(dir, 'mailpit.db')}`,
    `--smtp=127.0.0.1:${smtp}`,
    `--listen=127.0.0.1:${http}`,
    '--smtp-auth-accept-any',
    '--smtp-auth-allow-insecure',
    '--smtp-disable-rdns',
    '--disable-version-check',
    '--max=5000',
    '--quiet',
    ...(options.extraArgs ?? []),
  ]
  const running = await launch('Mailpit', binary, args, [smtp, http], log)
  const owned = !options.extraArgs?.length
  if (owned) await claimOwner(dir, { smtp, http })
  let stopping = false
  void running.exit.then((code) => {
    if (!stopping)
      log(`The development mail server (Mailpit) exited with code ${code}; mail stays in the outbox and is retried; restart Vernetzt to start it again.`)
  })
  return {
    ...urls(smtp, http),
    async stop() {
      stopping = true
      if (owned) await releaseOwner(dir)
      await running.stop()
    },
  }
}
