import pino from 'pino'
import { loadConfig, type Config } from './config.ts'
import { type ServiceContext } from './context.ts'
import { createContext } from './compose.ts'
import { openDatabase, type Database } from './db/connect.ts'
import { createModels, ensureIndexes } from './db/models.ts'
import { ensureRoot } from './modules/referrals/index.ts'

/** For scripts: the same config, database and models the server uses, without HTTP. */
export async function openContext(
  overrides: Partial<Config> = {},
  options: { dbName?: string } = {},
): Promise<{ ctx: ServiceContext; db: Database; close(): Promise<void> }> {
  const config = loadConfig(process.env, overrides)
  const db = await openDatabase(config, { ...options, log: (line) => console.error(line) })
  const models = createModels(db.connection)
  const { ctx } = createContext({ config, models, log: pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }) })
  await ensureIndexes(models)
  await ensureRoot(ctx)
  return { ctx, db, close: () => db.close() }
}

/** Parses `--name value` pairs; enough for our few scripts. */
export function flags(argv = process.argv.slice(2)): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (!arg.startsWith('--')) continue
    const [key, inline] = arg.slice(2).split('=', 2)
    if (inline !== undefined) out[key!] = inline
    else if (argv[i + 1] && !argv[i + 1]!.startsWith('--')) out[key!] = argv[++i]!
    else out[key!] = 'true'
  }
  return out
}
