// A node that only runs background jobs, on the database of FANOUT_DB at MONGODB_URI: the victim of the fan-out crash test.
import pino from 'pino'
import { createContext } from '../src/compose.ts'
import { loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/connect.ts'
import { createModels } from '../src/db/models.ts'

const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', SESSION_SECRET: 'test-secret-test-secret-test-secret!!' })
const db = await openDatabase(config, { dbName: process.env.FANOUT_DB! })
const { jobs } = createContext({ config, models: createModels(db.connection), log: pino({ level: 'silent' }) })
jobs.start()
console.log('ready')
