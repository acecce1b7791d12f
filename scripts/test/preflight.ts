/**
 * Runs before `npm test`: checks that the machine has what the tests need (Chromium, Redis, and
 * Go while the embedded FerretDB or the development mail server is not built yet). As root with apt-get (CI, containers) it
 * installs what is missing from Debian's packages; otherwise it stops at once with one line
 * saying what is missing and how to install it, instead of letting the tests fail one by one.
 *
 *   node scripts/test/preflight.ts
 */
import { spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync } from 'node:fs'
import path from 'node:path'
import { FERRETDB_VERSION, ferretdbBinary } from '../../server/src/db/ferretdb.ts'
import { mailpitBuilt } from '../../server/src/mail/mailpit.ts'
import { decide, goCanBuild, missingOf, type Found } from './requirements.ts'

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    if (!dir) return false
    try {
      accessSync(path.join(dir, command), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

function ferretdbBuilt(): boolean {
  if (process.env.MONGODB_URI) return true
  if (!existsSync(ferretdbBinary)) return false
  // An older version in .tools/ is rebuilt, which needs Go again.
  const version = spawnSync(ferretdbBinary, ['--version'], { encoding: 'utf8' })
  return /version:\s*(\S+)/.exec(version.stdout ?? '')?.[1] === FERRETDB_VERSION
}

// Read once: building Mailpit later does not change what this run must install.
const mailpitReady = await mailpitBuilt()

function look(): Found {
  return {
    chromium: existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'),
    redis: onPath('redis-server'),
    go: onPath('go'),
    toolsBuilt: ferretdbBuilt() && mailpitReady,
    root: process.getuid?.() === 0,
    aptGet: onPath('apt-get'),
  }
}

/** Runs apt-get quietly; on failure shows its output, since that is where the reason is. */
function aptGet(args: string[]): void {
  const result = spawnSync('apt-get', args, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 << 20 })
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`)
    console.error(`npm test: \`apt-get ${args.join(' ')}\` failed${result.error ? ` (${result.error.message})` : ''}.`)
    process.exit(1)
  }
}

// A Chromium chosen by the developer is theirs to fix: installing Debian's would not help.
const chosen = process.env.CHROMIUM_PATH
if (chosen && !existsSync(chosen)) {
  console.error(`npm test: CHROMIUM_PATH is ${chosen}, which does not exist; correct it, or unset it to use Debian's /usr/bin/chromium.`)
  process.exit(1)
}

/** Stops when the Go on PATH is too old to build FerretDB: no package of this release may help. */
function checkGoVersion(found: Found): void {
  if (found.toolsBuilt || !found.go) return
  const version = spawnSync('go', ['version'], { encoding: 'utf8' }).stdout?.trim() ?? ''
  if (goCanBuild(version)) return
  console.error(
    `npm test: building the embedded database needs Go 1.21 or newer (it fetches Go 1.24 itself), but \`go version\` says "${version}": install a newer one (https://go.dev/dl/; Debian 12's golang-go is 1.19) or set MONGODB_URI.`,
  )
  process.exit(1)
}

const found = look()
checkGoVersion(found)
const decision = decide(found)
if (decision.action === 'stop') {
  console.error(decision.line)
  process.exit(1)
}
if (decision.action === 'install') {
  console.log(decision.line)
  aptGet(['update', '-qq'])
  aptGet(['install', '-y', '-qq', '--no-install-recommends', ...decision.packages])
  const after = look()
  checkGoVersion(after)
  const still = missingOf(after)
  if (still.length > 0) {
    console.error(`npm test: still missing after apt-get install: ${still.map((m) => m.what).join(', ')}.`)
    process.exit(1)
  }
}
