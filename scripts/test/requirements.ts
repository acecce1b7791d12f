/**
 * What `npm test` needs from the machine besides npm's packages, and what to do when something
 * is missing. Pure, so the decision is unit-tested; scripts/test/preflight.ts does the looking
 * and the installing.
 */

/** What the preflight found on this machine. */
export interface Found {
  /** Chromium at /usr/bin/chromium (or where CHROMIUM_PATH says): the browser tests drive it. */
  chromium: boolean
  /** `redis-server` on PATH: the scale-out test starts one (server/test/redis.ts). */
  redis: boolean
  /** `go` on PATH: builds the embedded FerretDB and the development mail server (Mailpit) the first time. */
  go: boolean
  /** FerretDB (unless MONGODB_URI is set) and Mailpit are built in .tools/ already. */
  toolsBuilt: boolean
  root: boolean
  aptGet: boolean
}

export interface Missing {
  /** The Debian package that provides it. */
  debianPackage: 'chromium' | 'redis-server' | 'golang-go'
  /** What it is and which tests need it, for the message. */
  what: string
  /** What it is needed for, for the line that says it is being installed. */
  purpose: string
}

export type Decision =
  | { action: 'ok' }
  /** Root with apt-get: install these, then look again. */
  | { action: 'install'; packages: string[]; line: string }
  /** Cannot install: print the line and exit 1. */
  | { action: 'stop'; packages: string[]; line: string }

export function missingOf(found: Found): Missing[] {
  const missing: Missing[] = []
  if (!found.chromium) missing.push({ debianPackage: 'chromium', what: 'Chromium at /usr/bin/chromium (browser tests)', purpose: 'the browser tests' })
  if (!found.redis) missing.push({ debianPackage: 'redis-server', what: 'redis-server (scale-out test)', purpose: 'the scale-out test' })
  // Go only builds FerretDB and Mailpit; once they are built, Go is not needed any more.
  if (!found.toolsBuilt && !found.go)
    missing.push({
      debianPackage: 'golang-go',
      what: 'Go (builds the embedded database and mail server once)',
      purpose: 'building the embedded database and mail server',
    })
  return missing
}

const list = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`)

export function decide(found: Found): Decision {
  const missing = missingOf(found)
  if (missing.length === 0) return { action: 'ok' }
  const packages = missing.map((m) => m.debianPackage)
  if (found.root && found.aptGet) {
    return {
      action: 'install',
      packages,
      line: `npm test: installing ${packages.join(' ')} from Debian's packages, for ${list(missing.map((m) => m.purpose))}.`,
    }
  }
  const command = `${found.root ? '' : 'sudo '}apt-get install ${packages.join(' ')}`
  const where = found.aptGet ? '' : ' (Debian/Ubuntu; elsewhere install the same from your system’s packages)'
  const verb = missing.length === 1 ? 'is' : 'are'
  return {
    action: 'stop',
    packages,
    line: `npm test needs ${list(missing.map((m) => m.what))}, which ${verb} missing: run \`${command}\`${where}, then npm test again.`,
  }
}

/**
 * Whether `go version` output names a Go that can build FerretDB: its go.mod asks for 1.24, and
 * from 1.21 on Go fetches the toolchain a module asks for (ferretdb.ts sets GOTOOLCHAIN=auto).
 * Debian 12's golang-go is 1.19, which cannot.
 */
export function goCanBuild(versionOutput: string): boolean {
  const match = /\bgo(\d+)\.(\d+)/.exec(versionOutput)
  if (!match) return false
  const [major, minor] = [Number(match[1]), Number(match[2])]
  return major > 1 || (major === 1 && minor >= 21)
}
