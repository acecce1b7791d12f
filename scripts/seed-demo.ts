/**
 * Fills an empty database with a believable German demo network: a few hundred partners and
 * customers over six levels, with bios, places, languages and generated avatars; a shop with a
 * year of orders; and its social life (posts with pictures, ads in the marketplace, likes,
 * comments, follows, team groups and courses with lessons, welcome chats), written through the
 * API as the members.
 *
 *   npm run seed:demo            (refuses if members other than the root/admins exist)
 *   npm run seed:demo -- --size 600
 *
 * Every demo member signs in with <handle>@demo.vernetzt.test and the password "vernetzt-demo".
 */
import { buildApp } from '../server/src/app.ts'
import { flags } from '../server/src/cli.ts'
import { loadConfig } from '../server/src/config.ts'
import { openDatabase } from '../server/src/db/connect.ts'
import { ensureIndexes } from '../server/src/db/models.ts'
import { findRoot } from '../server/src/modules/accounts/lookup.ts'
import { messagingIdle } from '../server/src/modules/messaging/index.ts'
import { ensureRoot } from '../server/src/modules/referrals/index.ts'
import { DEMO_PASSWORD, rng, seedDemo } from './demo/seed.ts'
import { seedShop } from './demo/shop.ts'
import { seedSocial } from './demo/social.ts'

const args = flags()
const size = Math.max(50, Math.min(5000, Number(args.size ?? 320)))
// The seed writes as a few hundred members at once, from one address: no rate limits for it.
const config = loadConfig({ ...process.env, WRITE_RATE_LIMIT: '1000000', CONTENT_RATE_LIMIT: '1000000', MESSAGE_RATE_LIMIT: '1000000' })
const db = await openDatabase(config, { log: (line) => console.error(line) })
const app = await buildApp({ config, db, logger: false })
await app.ready()
const { ctx } = app
try {
  await ensureIndexes(ctx.models)
  await ensureRoot(ctx)
  const existing = await ctx.models.Member.countDocuments({ isRoot: false, role: { $ne: 'admin' } })
  if (existing > 0) {
    console.error(`The database already has ${existing} members; the demo network is only seeded into an empty one.`)
    process.exitCode = 1
  } else {
    const { created, depth } = await seedDemo(ctx, size)
    console.log(`Seeded ${created} demo members over ${depth} levels.`)
    const root = await findRoot(ctx)
    const shop = await seedShop(ctx, Math.random, { id: root!._id.toString(), handle: root!.handle })
    console.log(`Seeded a catalog, the plan 10/5/3/2/1 % and ${shop.orders} paid orders over the last year (${shop.refunded} refunded).`)
    const social = await seedSocial(app, rng(20_261_204))
    // Feed deliveries and mails are queued as jobs: the server runs them when it starts.
    await messagingIdle(ctx)
    console.log(
      `Seeded ${social.posts} posts, ${social.ads} ads, ${social.likes} likes, ${social.comments} comments, ${social.follows} follows, ${social.groups} groups with ${social.lessons} lessons and ${social.chats} welcome chats.`,
    )
    console.log(`Sign in as anna@demo.vernetzt.test (or any <handle>@demo.vernetzt.test) with the password "${DEMO_PASSWORD}".`)
  }
} finally {
  await app.close()
  await db.close()
}
