import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, settle, startTestServer, type TestServer } from '../../server/test/harness.ts'
import { periodOf, previousPeriod } from '@vernetzt/shared/commissions'
import { findRoot } from '../../server/src/modules/accounts/lookup.ts'
import { DEMO_PASSWORD, rng, seedDemo } from './seed.ts'
import { seedShop } from './shop.ts'
import { seedSocial } from './social.ts'

let server: TestServer
beforeAll(async () => {
  // The seed writes as a few hundred members from one address.
  server = await startTestServer({ config: { limits: { writes: 1_000_000, content: 1_000_000, loginFailures: 5 } } })
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

    // A network alive: Anna's feed has posts with pictures, likes and comments; the marketplace
    // has ads; her team group and course are there; her newest recruits wrote to her.
    const social = await seedSocial(server.app, rng(20_261_204))
    expect(social).toMatchObject({ groups: 8, lessons: 20 })
    expect(social.chats).toBeGreaterThanOrEqual(12) // each leader's five newest recruits, or all of them
    expect(social.likes).toBeGreaterThan(social.posts)
    await settle(server, 120_000)
    const feed = (await anna.get('/api/v1/feed?limit=50')).body.items as Array<{ html: string; likeCount: number; commentCount: number; kind: string }>
    expect(feed.length).toBeGreaterThanOrEqual(8)
    expect(feed.every((p) => p.kind === 'pr')).toBe(true)
    expect(feed.some((p) => p.html.includes('<img'))).toBe(true)
    expect(feed.some((p) => p.likeCount > 0 && p.commentCount > 0)).toBe(true)
    expect((await anna.get('/api/v1/marketplace')).body.items.length).toBeGreaterThanOrEqual(social.ads)
    const mine = (await anna.get('/api/v1/groups?mine=true')).body.items.map((g: { slug: string }) => g.slug)
    expect(mine).toEqual(expect.arrayContaining(['team-anna', 'starterkurs-anna']))
    expect((await anna.get('/api/v1/groups/starterkurs-anna/lessons')).body.items).toHaveLength(5)
    const chats = (await anna.get('/api/v1/conversations/unread')).body
    expect(chats.conversations).toBeGreaterThanOrEqual(2)
    expect((await anna.get('/api/v1/notifications')).body.unread).toBeGreaterThan(0)
  }, 400_000)
})
