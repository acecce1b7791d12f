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
    const results = await Promise.all(
      Array.from({ length: 50 }, () => c.findOneAndUpdate({ _id: 'head' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' })),
    )
    expect(new Set(results.map((r) => r!.seq)).size).toBe(50)
  })
})

describe('bulk writes', () => {
  it('applies a bulk update of 300 statements, as the chat writer sends them, while other commands run', async () => {
    const c = db.connection.db!.collection<{ _id: string; n: number }>('bulk')
    await c.insertMany(Array.from({ length: 300 }, (_, i) => ({ _id: `doc${i}`, n: 0 })))
    const reads = Promise.all(Array.from({ length: 50 }, (_, i) => c.findOne({ _id: `doc${i}` })))
    const result = await c.bulkWrite(
      Array.from({ length: 300 }, (_, i) => ({ updateOne: { filter: { _id: `doc${i}` }, update: { $max: { n: i + 1 } } } })),
      { ordered: false },
    )
    await reads
    expect(result.modifiedCount).toBe(300)
    expect((await c.findOne({ _id: 'doc299' }))!.n).toBe(300)
  })

  it('inserts what it can from a batch and names each duplicate by its place', async () => {
    const c = db.connection.db!.collection<{ _id: string }>('bulk_keys')
    await c.insertOne({ _id: 'b' })
    const error = await c.insertMany([{ _id: 'a' }, { _id: 'b' }, { _id: 'c' }], { ordered: false }).catch((e: unknown) => e)
    expect((error as { writeErrors: Array<{ index: number; code: number }> }).writeErrors.map((e) => [e.index, e.code])).toEqual([[1, 11000]])
    expect((await c.find({}).toArray()).map((d) => d._id).sort()).toEqual(['a', 'b', 'c'])
  })
})
