/**
 * Team-group benchmark: a partner with a 50,000-member downline (TEAM_DOWNLINE) opens a team
 * group of depth 10. Times, in the same run and on the same database:
 *   - opening the group, against the raw driver writes it implies (9 small writes: two keys,
 *     the group, and three stream entries with their heads), for the big partner and for a
 *     partner with no downline: membership follows the join graph, so size does not matter;
 *   - one new join at level 10 of that downline, before and after the group exists: the group
 *     adds no write to a join;
 *   - the membership check, the member count and the first page of the member list.
 *
 *   npm run bench:team-groups        TEAM_DOWNLINE=10000 npm run bench:team-groups
 */
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import pino from 'pino'
import { loadConfig } from '../../server/src/config.ts'
import { createContext } from '../../server/src/compose.ts'
import { openDatabase } from '../../server/src/db/connect.ts'
import { createModels, ensureIndexes } from '../../server/src/db/models.ts'
import { ensureRoot, insertMember } from '../../server/src/modules/referrals/index.ts'
import { createGroup, getGroup } from '../../server/src/modules/groups/service.ts'
import { listMembers, roleIn } from '../../server/src/modules/groups/index.ts'
import type { GroupDoc } from '../../server/src/modules/groups/model.ts'
import { time } from './timing.ts'
import { buildTree, type TreeNode } from './tree.ts'

const DOWNLINE = Number(process.env.TEAM_DOWNLINE ?? 50_000)
const DEPTH = 10
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30)

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'vernetzt-team-bench-'))
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret' })
const db = await openDatabase(config, { dbName: `teambench_${Date.now()}` })
const models = createModels(db.connection)
const { ctx } = createContext({ config, models, log: pino({ level: 'silent' }) })
await ensureIndexes(models)
const root = await ensureRoot(ctx)
console.log(
  `Team-group benchmark on ${config.mongodbUri ? 'MongoDB (MONGODB_URI)' : 'embedded FerretDB 1.24 / SQLite'}: a downline of ${DOWNLINE.toLocaleString('en')}…`,
)

const leader = await insertMember(ctx, {
  handle: 'leader',
  email: 'leader@bench.invalid',
  passwordHash: null,
  displayName: 'Leader',
  role: 'partner',
  sponsor: root,
})
const loner = await insertMember(ctx, {
  handle: 'loner',
  email: 'loner@bench.invalid',
  passwordHash: null,
  displayName: 'Loner',
  role: 'partner',
  sponsor: root,
})
const t0 = performance.now()
const { nodes } = await buildTree(
  ctx,
  leader,
  DOWNLINE,
  (i, all, random) => {
    if (i <= DEPTH) return all[i - 1]! // a spine, so the downline reaches level 10
    let parent: TreeNode
    do parent = all[Math.floor(random() * all.length)]!
    while (parent.depth - leader.depth >= DEPTH)
    return parent
  },
  't',
)
console.log(`Built in ${((performance.now() - t0) / 1000).toFixed(1)} s.`)
const deepSponsor = nodes.find((n) => n.depth - leader.depth === DEPTH - 1)!
const sponsorDoc = (await models.Member.findById(deepSponsor._id).lean())!

// Baselines: plain driver writes and reads on the same database.
const raw = db.connection.db!.collection('bench_raw')
await raw.insertOne({ warm: true })
let n = 0
const baseInsert = await time(ROUNDS, () => raw.insertOne({ i: ++n, at: new Date() }))
const ids = (
  await raw
    .find({}, { projection: { _id: 1 } })
    .limit(20)
    .toArray()
).map((d) => d._id)
const baseFind = await time(ROUNDS, () => raw.findOne({ _id: ids[n++ % ids.length] }))
const impliedWrites = 9

let j = 0
const join = () =>
  insertMember(ctx, {
    handle: `join-${++j}`,
    email: `join-${j}@bench.invalid`,
    passwordHash: null,
    displayName: `Join ${j}`,
    role: 'partner',
    sponsor: sponsorDoc,
  })
const joinBefore = await time(ROUNDS, join)

const actor = (id: string, handle: string) => ({ id, handle, role: 'partner' as const })
const open = async (owner: { _id: { toString(): string } }, handle: string, slug: string) => {
  const t = performance.now()
  await createGroup(ctx, actor(owner._id.toString(), handle), {
    name: `Team ${handle}`,
    slug,
    kind: 'team',
    visibility: 'private',
    teamDepth: DEPTH,
    adsAllowed: false,
  })
  return performance.now() - t
}
const openBig = await open(leader, 'leader', 'team-leader')
const openSmall = await open(loner, 'loner', 'team-loner')
const joinAfter = await time(ROUNDS, join)

const group = (await models.Group.findOne({ slug: 'team-leader' }).lean()) as GroupDoc
const newcomer = (await models.Member.findOne({ handle: `join-${j}` }).lean())!
const membership = await time(ROUNDS, () => roleIn(ctx, group, newcomer._id.toString()))
if ((await roleIn(ctx, group, newcomer._id.toString())) !== 'member') throw new Error('the newcomer should be a member')
const leaderActor = actor(leader._id.toString(), 'leader')
const count = await time(ROUNDS, () => getGroup(ctx, leaderActor, 'team-leader'))
const members = await time(ROUNDS, () => listMembers(ctx, leaderActor, 'team-leader', { limit: 25 }))
const reported = (await getGroup(ctx, leaderActor, 'team-leader')).memberCount

const rows: Array<[string, number, number, string]> = [
  ['baseline: driver insertOne', baseInsert, baseInsert, 'insertOne'],
  ['baseline: driver findOne by _id', baseFind, baseFind, 'findOne'],
  [`open a team group over ${reported.toLocaleString('en')} members (one run)`, openBig, impliedWrites * baseInsert, `${impliedWrites} insertOne`],
  ['open a team group over 1 member (one run)', openSmall, impliedWrites * baseInsert, `${impliedWrites} insertOne`],
  ['a join at level 10, before the group existed', joinBefore, joinBefore, 'itself'],
  ['the same join with the team group in place', joinAfter, joinBefore, 'before'],
  ['is the newcomer a member? (membership check)', membership, baseFind, 'findOne'],
  ['group with its member count', count, baseFind, 'findOne'],
  ['first page of the member list (25)', members, baseFind, 'findOne'],
]
console.log(`\nmedians of ${ROUNDS} rounds (opening a group: one run each)\n`)
console.log('what'.padEnd(56) + 'ms'.padStart(10) + '   ratio')
for (const [what, ms, base, name] of rows) console.log(what.padEnd(56) + ms.toFixed(2).padStart(10) + `   ${(ms / base).toFixed(2)}× ${name}`)
await db.close()
await rm(dataDir, { recursive: true, force: true })
