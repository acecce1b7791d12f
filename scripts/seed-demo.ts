/**
 * Fills an empty database with a believable German demo network: a few hundred partners and
 * customers over six levels, with bios, places, languages and generated avatars.
 *
 *   npm run seed:demo            (refuses if members other than the root/admins exist)
 *   npm run seed:demo -- --size 600
 *
 * Every demo member signs in with <handle>@demo.vernetzt.test and the password "vernetzt-demo".
 */
import { flags, openContext } from '../server/src/cli.ts'
import { DEMO_PASSWORD, seedDemo } from './demo/seed.ts'
import { seedShop } from './demo/shop.ts'
import { findRoot } from '../server/src/modules/accounts/lookup.ts'

const args = flags()
const size = Math.max(50, Math.min(5000, Number(args.size ?? 320)))
const { ctx, close } = await openContext()
try {
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
    console.log(`Sign in as anna@demo.vernetzt.test (or any <handle>@demo.vernetzt.test) with the password "${DEMO_PASSWORD}".`)
  }
} finally {
  await close()
}
