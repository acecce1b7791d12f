import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { startFerretdb, type EmbeddedDb } from '../server/src/db/ferretdb.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string
  }
}

let db: EmbeddedDb | undefined
let dir: string | undefined

/** One embedded FerretDB per test run, on a temporary directory and a free port. */
export async function setup(project: TestProject) {
  if (process.env.MONGODB_URI) {
    project.provide('mongoUri', process.env.MONGODB_URI)
    return
  }
  dir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-test-'))
  db = await startFerretdb({ dataDir: dir, log: (line) => console.error(line) })
  project.provide('mongoUri', db.uri)
}

export async function teardown() {
  await db?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
}
