import { spawn } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Types } from 'mongoose'
import pino from 'pino'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { createContext } from '../src/compose.ts'
import { loadConfig } from '../src/config.ts'
import { openDatabase } from '../src/db/connect.ts'
import { addAllToList } from '../src/db/lists.ts'
import { createModels, ensureIndexes } from '../src/db/models.ts'
import { follow } from '../src/modules/follows/service.ts'
import { followersList, followersStream } from '../src/modules/follows/service.ts'
import { createPost } from '../src/modules/posts/service.ts'
import { ensureRoot, insertMember } from '../src/modules/referrals/index.ts'
import { uniqueDbName } from './harness.ts'

const here = path.dirname(fileURLToPath(import.meta.url))
const AUDIENCE = 12_000

describe('a feed fan-out killed half-way', () => {
  const dbName = uniqueDbName('fanoutcrash')
  const config = loadConfig({ LOG_LEVEL: 'silent', SESSION_SECRET: 'test-secret-test-secret-test-secret!!' })
  let close = async () => {}
  afterAll(async () => close())

  it('completes after the restart with every follower getting the post exactly once', async () => {
    const db = await openDatabase({ mongodbUri: inject('mongoUri'), dataDir: config.dataDir }, { dbName })
    close = async () => {
      await db.connection.dropDatabase().catch(() => {})
      await db.close()
    }
    const models = createModels(db.connection)
    const { ctx, jobs } = createContext({ config, models, log: pino({ level: 'silent' }) })
    await ensureIndexes(models)
    const root = await ensureRoot(ctx)
    const member = (handle: string) =>
      insertMember(ctx, { handle, email: `${handle}@crash.invalid`, passwordHash: null, displayName: handle, role: 'partner', sponsor: root })
    const author = await member('crash-author')
    const fans = [await member('crash-fan-1'), await member('crash-fan-2')]
    for (const fan of fans) await follow(ctx, { id: fan._id.toString(), handle: fan.handle, role: 'partner' }, 'crash-author')
    // Twelve thousand more followers, written straight into the list (the follow path is tested elsewhere).
    const more = Array.from({ length: AUDIENCE - 2 }, (_, i) => ({ id: new Types.ObjectId(), n: i + 3 }))
    await addAllToList(ctx, followersList(author._id), more)
    await models.StreamHead.updateOne({ _id: followersStream(author._id) }, { $set: { seq: AUDIENCE } })
    const post = await createPost(
      ctx,
      { id: author._id.toString(), handle: author.handle, role: 'partner' },
      { kind: 'pr', area: { type: 'feed' }, body: 'An alle' },
    )

    // A worker node takes the job; it is killed once a few of the 13 units are done.
    const worker = spawn(process.execPath, [path.join(here, 'job-worker.ts')], {
      env: { ...process.env, MONGODB_URI: inject('mongoUri'), WORKER_DB: dbName },
      stdio: 'ignore',
    })
    const exited = new Promise((resolve) => worker.once('exit', resolve))
    let doneAtKill = 0
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      const progress = await models.DeliveryProgress.collection.findOne({ _id: `fanout:${post.id}` as never })
      if ((progress?.done ?? 0) >= 2) {
        worker.kill('SIGKILL')
        doneAtKill = progress!.done!
        break
      }
      await new Promise((r) => setTimeout(r, 5))
    }
    await exited
    expect(doneAtKill).toBeGreaterThanOrEqual(2)
    expect(doneAtKill).toBeLessThan(13)

    // This node takes over once the dead worker's lease ran out.
    jobs.start()
    const until = Date.now() + 60_000
    while ((await jobs.get('feed.fanout', post.id))?.state !== 'done' && Date.now() < until) await new Promise((r) => setTimeout(r, 200))
    await jobs.stop()
    const job = await jobs.get('feed.fanout', post.id)
    expect(job?.state).toBe('done')
    expect(job!.attempts).toBeGreaterThanOrEqual(2)

    // Every follower (and the sponsor) has the post as entry 1 of their feed, and nothing after it.
    const recipients = [...fans.map((f) => f._id), ...more.map((m) => m.id), root._id]
    const entry = (id: Types.ObjectId, n: number) => models.StreamEntry.collection.findOne({ _id: `feed:${id.toString()}#${n}` as never })
    let missing = 0
    let doubled = 0
    for (let i = 0; i < recipients.length; i += 500) {
      const slice = recipients.slice(i, i + 500)
      const [first, second] = await Promise.all([Promise.all(slice.map((id) => entry(id, 1))), Promise.all(slice.map((id) => entry(id, 2)))])
      missing += first.filter((e) => e?.ref.toString() !== post.id).length
      doubled += second.filter((e) => e !== null).length
    }
    expect({ missing, doubled }).toEqual({ missing: 0, doubled: 0 })
  }, 180_000)
})
