import mongoose, { type Connection } from 'mongoose'
import type { Config } from '../config.ts'
import { startFerretdb, type EmbeddedDb, type Supervision } from './ferretdb.ts'

export interface Database {
  connection: Connection
  uri: string
  embedded: EmbeddedDb | null
  close(): Promise<void>
}

export class DatabaseUnavailableError extends Error {}

/** Connects to MONGODB_URI, or starts the embedded FerretDB under DATA_DIR and connects to it. */
export async function openDatabase(
  config: Pick<Config, 'mongodbUri' | 'dataDir'> & Partial<Pick<Config, 'embeddedDbSync'>>,
  options: { dbName?: string; log?: (line: string) => void; supervise?: Supervision } = {},
): Promise<Database> {
  const embedded = config.mongodbUri
    ? null
    : await startFerretdb({
        dataDir: config.dataDir,
        log: options.log,
        sync: config.embeddedDbSync,
        ...(options.supervise ? { supervise: options.supervise } : {}),
      })
  const uri = config.mongodbUri ?? embedded!.uri
  const dbName = options.dbName ?? (config.mongodbUri ? undefined : 'vernetzt')
  const connection = mongoose.createConnection(uri, {
    ...(dbName ? { dbName } : {}),
    serverSelectionTimeoutMS: 5_000,
    // While the database is away, operations wait for it in the driver's server selection (which
    // looks again at once) instead of in mongoose's buffer (which waits for the next heartbeat).
    bufferCommands: false,
    ...(embedded
      ? {
          // FerretDB takes the session fields of a retried write but does not deduplicate it, so a
          // write that committed just before the database died would be applied twice.
          retryWrites: false,
          // A restarted embedded database is noticed within a second or two.
          heartbeatFrequencyMS: 1_000,
        }
      : {}),
    // Indexes are created explicitly (ensureIndexes) so startup fails loudly on a bad index.
    autoIndex: false,
    autoCreate: false,
  })
  try {
    await connection.asPromise()
    await connection.db!.admin().command({ ping: 1 })
  } catch (error) {
    await connection.close().catch(() => {})
    await embedded?.stop()
    const where = config.mongodbUri ? redact(config.mongodbUri) : uri
    throw new DatabaseUnavailableError(`Cannot reach the database at ${where}: ${(error as Error).message}`)
  }
  return {
    connection,
    uri,
    embedded,
    async close() {
      await connection.close()
      await embedded?.stop()
    },
  }
}

/** Errors that mean "the database cannot be reached right now", not "this request is wrong". */
export function isDatabaseUnavailable(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name ?? ''
  return /^Mongo(ose)?(ServerSelection|Network|NetworkTimeout|NotConnected|PoolCleared|TopologyClosed)Error$/.test(name)
}

function redact(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, '//***@')
}
