/**
 * Feed benchmark: 200,000 posts by 2,000 authors; one member follows 200 of them.
 * Times the first and a deep page of that member's home feed through the API service and over
 * HTTP, each against the equivalent raw driver reads in the same run (the same stream entries,
 * posts and authors by _id, in parallel). Target: the API adds less than 50 % to the raw reads.
 * For contrast it also times the fan-out-on-read query the stream replaces.
 *
 *   npm run bench:feed               BENCH_POSTS=50000 npm run bench:feed
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { Types } from 'mongoose'
import pino from 'pino'
import { time } from './timing.ts'
import { buildApp } from '../../server/src/app.ts'
import { loadConfig } from '../../server/src/config.ts'
import { createContext } from '../../server/src/compose.ts'
import { openDatabase } from '../../server/src/db/connect.ts'
import { createModels, ensureIndexes } from '../../server/src/db/models.ts'
import { ensureRoot, insertMember } from '../../server/src/modules/referrals/index.ts'
import { createSession } from '../../server/src/modules/accounts/sessions.ts'
import { followId } from '../../server/src/modules/follows/model.ts'
import { streams } from '../../server/src/modules/posts/service.ts'
import { homeFeed } from '../../server/src/modules/posts/feeds.ts'
import { hintPartition } from '../../server/src/modules/posts/feed-writer.ts'

const POSTS = Number(process.env.BENCH_POSTS ?? 200_000)
const AUTHORS = 2_000
const FOLLOWED = 200
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30)
const PAGE = 20

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-feed-bench-'))
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret' })
const db = await openDatabase(config, { dbName: `feedbench_${Date.now()}` })
const models = createModels(db.connection)
const { ctx } = createContext({ config, models, log: pino({ level: 'silent' }) })
await ensureIndexes(models)
const root = await ensureRoot(ctx)
console.log(
  `Feed benchmark on ${config.mongodbUri ? 'MongoDB (MONGODB_URI)' : 'embedded FerretDB 1.24 / SQLite'}: ${POSTS.toLocaleString('en')} posts by ${AUTHORS.toLocaleString('en')} authors…`,
)
const t0 = performance.now()

// Authors and the reader, as real members (keys, counters, lists), all directly below the root.
const authors: Types.ObjectId[] = []
for (let i = 0; i < AUTHORS; i++) {
  const m = await insertMember(ctx, {
    handle: `author-${i}`,
    email: `a${i}@bench.invalid`,
    passwordHash: null,
    displayName: `Author ${i}`,
    role: 'partner',
    sponsor: root,
  })
  authors.push(m._id)
}
const reader = await insertMember(ctx, {
  handle: 'reader',
  email: 'reader@bench.invalid',
  passwordHash: null,
  displayName: 'Reader',
  role: 'partner',
  sponsor: root,
})
const followed = new Set(authors.slice(0, FOLLOWED).map(String))
await models.Follow.collection.insertMany(
  authors.slice(0, FOLLOWED).map((a) => ({ _id: followId(reader._id.toString(), a.toString()), createdAt: new Date() })) as never[],
)

// Posts in time order; each PR post by a followed author lands in the reader's feed stream,
// as the fan-out on write would have put it there.
const feedKey = streams.feed(reader._id)
let feedSeq = 0
const start = Date.now() - POSTS * 1000
for (let i = 0; i < POSTS; i += 5000) {
  const posts = []
  const entries = []
  for (let j = i; j < Math.min(POSTS, i + 5000); j++) {
    const authorId = authors[(j * 7919) % AUTHORS]!
    const _id = new Types.ObjectId()
    const body = `Beitrag ${j}: Heute im Team gelernt, wie man Kunden ehrlich berät.`
    posts.push({
      _id,
      authorId,
      kind: 'pr',
      area: { type: 'feed' },
      body,
      html: `<p>${body}</p>`,
      adScore: 0,
      adSignals: [],
      status: 'visible',
      history: [],
      editedAt: null,
      likeCount: 0,
      commentCount: 0,
      createdAt: new Date(start + j * 1000),
      updatedAt: new Date(start + j * 1000),
    })
    if (followed.has(authorId.toString())) entries.push({ _id: `${feedKey}#${++feedSeq}`, ref: _id })
  }
  await models.Post.collection.insertMany(posts as never[], { ordered: false })
  if (entries.length) await models.StreamEntry.collection.insertMany(entries as never[], { ordered: false })
}
// The feed's end is a hint in the reader's partition document (posts/feed-writer.ts).
const hintId = hintPartition(reader._id.toString())
await models.FeedHint.collection.updateOne({ _id: hintId as never }, { $set: { [`h.${reader._id.toString()}`]: feedSeq } }, { upsert: true })
console.log(`Built in ${((performance.now() - t0) / 1000).toFixed(1)} s; the reader's feed holds ${feedSeq.toLocaleString('en')} posts.`)

const actor = { id: reader._id.toString(), handle: 'reader', role: 'partner' as const }
const deepSeq = Math.max(PAGE + 1, feedSeq - 10_000)
// The home feed's cursor holds a position per stream it merges (here only the feed stream).
const deepCursor = Buffer.from(JSON.stringify({ [feedKey]: deepSeq })).toString('base64url')

/** The reads that answer a feed page, straight through the driver, in parallel where they can be. */
async function raw(cursor: number | null) {
  if (cursor === null) {
    // The first page starts at the stream's end, whose hint the service reads too.
    const hint = (await db.connection.db!.collection('feed_hints').findOne({ _id: hintId as never })) as { h: Record<string, number> } | null
    cursor = hint!.h[reader._id.toString()]! + 1
  }
  const numbers = Array.from({ length: PAGE }, (_, i) => cursor - 1 - i).filter((n) => n >= 1)
  const entries = await Promise.all(numbers.map((n) => db.connection.db!.collection('stream_entries').findOne({ _id: `${feedKey}#${n}` as never })))
  const posts = await Promise.all(entries.map((e) => db.connection.db!.collection('posts').findOne({ _id: e!.ref })))
  const authorIds = [...new Set(posts.map((p) => String(p!.authorId)))]
  // Each distinct author, and whether the reader still follows them (unfollows apply at once).
  await Promise.all(
    authorIds.flatMap((id) => [
      db.connection.db!.collection('members').findOne({ _id: new Types.ObjectId(id) }),
      db.connection.db!.collection('follows').findOne({ _id: followId(reader._id.toString(), id) as never }),
    ]),
  )
  return posts
}

const serviceFirst = await time(ROUNDS, () => homeFeed(ctx, actor, { limit: PAGE }))
const rawFirst = await time(ROUNDS, () => raw(null))
const serviceDeep = await time(ROUNDS, () => homeFeed(ctx, actor, { limit: PAGE, cursor: deepCursor }))
const rawDeep = await time(ROUNDS, () => raw(deepSeq))

const app = await buildApp({ config, db, logger: false })
await app.listen({ port: 0, host: '127.0.0.1' })
const port = (app.server.address() as { port: number }).port
const session = await createSession(ctx, reader._id, {})
const http = (cursor?: string) => async () => {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/feed?limit=${PAGE}${cursor ? `&cursor=${cursor}` : ''}`, {
    headers: { cookie: `vz_session=${session.token}` },
  })
  const body = (await res.json()) as { items: unknown[] }
  if (body.items.length !== PAGE) throw new Error(`expected ${PAGE} items, got ${body.items.length}`)
}
const httpFirst = await time(ROUNDS, http())
const httpDeep = await time(ROUNDS, http(deepCursor))
const scan = await time(
  1,
  () =>
    models.Post.collection
      .find({ authorId: { $in: authors.slice(0, FOLLOWED) }, kind: 'pr' })
      .sort({ createdAt: -1 })
      .limit(PAGE)
      .toArray(),
  0,
)

const rows: Array<[string, number, number]> = [
  ['raw driver reads, first page (baseline)', rawFirst, rawFirst],
  ['feed service, first page', serviceFirst, rawFirst],
  ['feed over HTTP, first page (session, route, JSON)', httpFirst, rawFirst],
  [`raw driver reads, deep page (${(feedSeq - deepSeq).toLocaleString('en')} posts down)`, rawDeep, rawDeep],
  ['feed service, deep page', serviceDeep, rawDeep],
  ['feed over HTTP, deep page', httpDeep, rawDeep],
  ['for contrast: fan-out on read, find authorId $in 200 sorted', scan, rawFirst],
]
console.log(`\nmedians of ${ROUNDS} rounds (the contrast query: one run), ${PAGE} posts per page\n`)
console.log('what'.padEnd(64) + 'ms'.padStart(10) + '   vs raw')
for (const [what, ms, base] of rows) console.log(what.padEnd(64) + ms.toFixed(2).padStart(10) + `   ${(ms / base).toFixed(2)}×`)
await app.close()
await db.close()
await rm(dataDir, { recursive: true, force: true })
