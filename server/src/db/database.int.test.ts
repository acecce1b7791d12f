import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { openDatabase, type Database } from './connect.ts'

/** What the app relies on from the database, checked against the embedded FerretDB (patched) or MONGODB_URI. */
let db: Database
beforeAll(async () => {
  db = await openDatabase({ mongodbUri: inject('mongoUri'), dataDir: '/nonexistent' }, { dbName: `dbcheck_${Date.now()}` })
})
afterAll(async () => {
  await db.connection.dropDatabase().catch(() => {})
  await db.close()
})

describe('single-document atomicity', () => {
  it('counts every one of 50 concurrent $inc on one document', async () => {
    const c = db.connection.db!.collection<{ _id: string; n: number }>('atomic')
    await c.insertOne({ _id: 'counter', n: 0 })
    await Promise.all(Array.from({ length: 50 }, () => c.updateOne({ _id: 'counter' }, { $inc: { n: 1 } })))
    expect((await c.findOne({ _id: 'counter' }))!.n).toBe(50)
  })

  it('hands out 50 distinct numbers from 50 concurrent upserting findOneAndUpdate', async () => {
    const c = db.connection.db!.collection<{ _id: string; seq: number }>('atomic')
    const results = await Promise.all(Array.from({ length: 50 }, () => c.findOneAndUpdate({ _id: 'head' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' })))
    expect(new Set(results.map((r) => r!.seq)).size).toBe(50)
  })
})
