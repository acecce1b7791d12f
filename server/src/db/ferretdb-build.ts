// Building the embedded database: FerretDB from the Go module proxy, with the project's patches, into .tools/.
import { existsSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { ensureBuilt, goBuild, moduleSource, run, toolsDir, type Log } from '../tools/build.ts'

export { projectRoot, run, toolsDir, type Log } from '../tools/build.ts'

/**
 * The embedded database: FerretDB v1 with its SQLite backend, built from the Go module proxy
 * into the git-ignored `.tools/` folder the first time something needs it, then started as a
 * child process on a free loopback port.
 */
export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB'

export const FERRETDB_VERSION = 'v1.24.2'

export const ferretdbBinary = path.join(toolsDir, 'bin', 'ferretdb')

const patchMarker = `${ferretdbBinary}.patch-level`

async function builtVersion(): Promise<string | null> {
  if (!existsSync(ferretdbBinary)) return null
  const level = await readFile(patchMarker, 'utf8').catch(() => '')
  if (level.trim() !== PATCH_LEVEL) return null
  try {
    const { stdout } = await run(ferretdbBinary, ['--version'])
    return /version:\s*(\S+)/.exec(stdout)?.[1] ?? null
  } catch {
    return null
  }
}

/** Builds FerretDB once; concurrent callers (parallel test runs, two terminals) wait for the first. */
export async function ensureFerretdb(log: Log = console.error): Promise<string> {
  await ensureBuilt(
    'ferretdb',
    async () => (await builtVersion()) === FERRETDB_VERSION,
    () => build(log),
  )
  return ferretdbBinary
}

async function build(log: Log): Promise<void> {
  log(`Building the embedded database (FerretDB ${FERRETDB_VERSION}) with Go; this happens once and takes a minute or two…`)
  const src = await moduleSource('FerretDB', FERRETDB_MODULE, FERRETDB_VERSION, ' or set MONGODB_URI')
  // Without this stamp the binary panics at start.
  await writeFile(path.join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`)
  await applyPatches(src)
  await goBuild('FerretDB', src, './cmd/ferretdb', ferretdbBinary)
  await writeFile(patchMarker, `${PATCH_LEVEL}\n`)
  await rm(src, { recursive: true, force: true })
  log(`FerretDB ${FERRETDB_VERSION} built: ${ferretdbBinary}`)
}

/**
 * Three patches to FerretDB 1.24, each measured or reproduced before it was written:
 *
 * 1. Index use for _id. Its SQLite backend creates the _id index on `_ferretdb_sjson->"_id"` but
 *    looks documents up by `_ferretdb_sjson->'$._id'`. SQLite reads both as the same JSON path,
 *    yet its planner only uses an index whose expression matches the query's, so every update
 *    and delete by _id scanned the table (70 ms at 20,000 documents, growing linearly). Writing
 *    the lookup the way the index is written makes it about 1 ms at any size.
 *
 * 2. Atomic updates. An update reads the matching documents and writes them back in two steps
 *    with nothing in between to stop a second update of the same document: 50 concurrent
 *    `$inc` by one left the counter at 12. MongoDB guarantees single-document atomicity, and
 *    Vernetzt's counters, list numbers and idempotent writes rely on it, so the read-modify-write
 *    commands (update, findAndModify, delete) run one at a time. SQLite serialises writes anyway,
 *    so this costs little; reads are not affected.
 *
 * 3. Bulk updates that hang. An update command with several statements (a driver's bulkWrite)
 *    kept each statement's query open until the whole command ended; each open query holds one
 *    of the 100 SQLite connections, and each statement's write needs one more. A bulk update of
 *    about a hundred statements, or a smaller one while other commands held connections, waited
 *    for a connection forever while holding the update lock of patch 2, and with it every later
 *    write (seen under the chat load test). Each statement now closes its query when it is done.
 */
const LOCK = '\n\twriteMu.Lock()\n\tdefer writeMu.Unlock()\n'

const handlerSignature = (name: string) => `func (h *Handler) ${name}(connCtx context.Context, msg *wire.OpMsg) (*wire.OpMsg, error) {`
export const FERRETDB_PATCHES = [
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `IDColumn = DefaultColumn + "->'$._id'"`,
    to: `IDColumn = DefaultColumn + "->'_id'"`,
  },
  {
    file: 'internal/handler/handler.go',
    from: 'type Handler struct {',
    to: '// writeMu makes read-modify-write commands atomic (patched in by Vernetzt).\nvar writeMu sync.Mutex\n\ntype Handler struct {',
  },
  ...['MsgUpdate', 'MsgFindAndModify', 'MsgDelete'].map((name) => ({
    file: `internal/handler/msg_${name.slice(3).toLowerCase()}.go`,
    from: handlerSignature(name),
    to: handlerSignature(name) + LOCK,
  })),
  {
    file: 'internal/handler/msg_update.go',
    from: '\t\tcloser := iterator.NewMultiCloser()\n\t\tdefer closer.Close()\n',
    to: '\t\tcloser := iterator.NewMultiCloser()\n',
  },
  {
    file: 'internal/handler/msg_update.go',
    from: '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n',
    to: '\t\tresult, err := common.UpdateDocument(ctx, c, "update", iter, &u)\n\t\tcloser.Close() // patched by Vernetzt: release this statement\'s connection now\n',
  },
]

/** Bumped whenever FERRETDB_PATCHES changes, so an older build is rebuilt. */
const PATCH_LEVEL = 'vernetzt-3'

async function applyPatches(src: string): Promise<void> {
  for (const patch of FERRETDB_PATCHES) {
    const file = path.join(src, patch.file)
    const text = await readFile(file, 'utf8')
    if (!text.includes(patch.from)) throw new Error(`FerretDB patch does not apply to ${patch.file}: "${patch.from}" not found`)
    await writeFile(file, text.replace(patch.from, patch.to))
  }
}
