// A node that only runs background jobs, on the database of WORKER_DB at MONGODB_URI (SMTP_URL and the rest from its environment): the victim of the crash tests.
import pino from 'pino'
import { createContext } from '../src/compose.ts'
import { loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/connect.ts'
import { createModels } from '../src/db/models.ts'

const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', SESSION_SECRET: 'test-secret-test-secret-test-secret!!' })
const db = await openDatabase(config, { dbName: process.env.WORKER_DB! })
const { jobs } = createContext({ config, models: createModels(db.connection), log: pino({ level: 'silent' }) })
jobs.start()
console.log('ready')
