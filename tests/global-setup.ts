import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { startFerretdb, type EmbeddedDb } from '../server/src/db/ferretdb.ts'
import { startMailpit, type DevMailServer } from '../server/src/mail/mailpit.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string
    /** The run's Mailpit: where the servers send, and its API for reading what arrived. */
    smtpUrl: string
    mailpitUrl: string
  }
}

let db: EmbeddedDb | undefined
let mail: DevMailServer | undefined
let dir: string | undefined

/** One embedded FerretDB and one Mailpit per test run, on a temporary directory and free ports. */
export async function setup(project: TestProject) {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-test-'))
  mail = await startMailpit({ dataDir: dir, freePorts: true, log: (line) => console.error(line) })
  project.provide('smtpUrl', mail.smtpUrl)
  project.provide('mailpitUrl', mail.webUrl)
  if (process.env.MONGODB_URI) {
    project.provide('mongoUri', process.env.MONGODB_URI)
    return
  }
  db = await startFerretdb({ dataDir: dir, log: (line) => console.error(line) })
  project.provide('mongoUri', db.uri)
}

export async function teardown() {
  await db?.stop()
  await mail?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
}
