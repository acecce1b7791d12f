import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, startTestServer, type TestServer } from '../../server/test/harness.ts'
import { periodOf, previousPeriod } from '@vernetzt/shared/commissions'
import { findRoot } from '../../server/src/modules/accounts/lookup.ts'
import { DEMO_PASSWORD, seedDemo } from './seed.ts'
import { seedShop } from './shop.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

describe('demo network', () => {
  it('seeds a few hundred members over five or more levels that a newcomer can sign in as', async () => {
    const { created, depth } = await seedDemo(server.app.ctx, 320)
    expect(created).toBe(320)
    expect(depth).toBeGreaterThanOrEqual(5)
    const { Member } = server.app.ctx.models
    expect(await Member.countDocuments({ role: 'customer' })).toBeGreaterThan(30)
    expect(await Member.countDocuments({ avatarId: null, isRoot: false })).toBe(0)

    const anna = new Client(server.url)
    const login = await anna.post('/api/v1/auth/login', { email: 'anna@demo.vernetzt.test', password: DEMO_PASSWORD })
    expect(login.status).toBe(200)
    expect(login.body.displayName).toBe('Anna Berger')
    const stats = (await anna.get('/api/v1/me/downline/stats')).body
    expect(stats.levels.length).toBeGreaterThanOrEqual(4)
    const annaDoc = await Member.findOne({ handle: 'anna' }).lean()
    expect(stats.total).toBe(await Member.countDocuments({ upline: annaDoc!._id }))
    const profile = (await anna.get('/api/v1/profiles/anna')).body
    expect(profile.bio.length).toBeGreaterThan(20)
    expect((await fetch(`${server.url}${profile.avatarUrl}`)).headers.get('content-type')).toBe('image/webp')

    // The shop: a year of paid orders through the real ledger, finished months closed.
    const root = await findRoot(server.app.ctx)
    const shop = await seedShop(server.app.ctx, Math.random, { id: root!._id.toString(), handle: root!.handle })
    expect(shop.orders).toBeGreaterThan(300)
    expect((await anna.get('/api/v1/products')).body.items).toHaveLength(6)
    const last = previousPeriod(periodOf(new Date()))
    const statement = (await anna.get(`/api/v1/statements/${last}`)).body
    expect(statement.closed).toBe(true)
    expect(statement.totalCents).toBeGreaterThan(0)
    expect(await server.app.ctx.models.CreditJob.countDocuments()).toBe(0)
  }, 240_000)
})
