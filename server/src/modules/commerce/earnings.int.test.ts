import { randomBytes } from 'node:crypto'
import { periodOf, previousPeriod } from '@vernetzt/shared/commissions'
import type { Order } from '@vernetzt/shared/schemas/commerce'
import type { DownlineSearchResult, EarningsDashboard, IncomeDisclosure, TreePage } from '@vernetzt/shared/schemas/earnings'
import { Types } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, paymentEventBody, startTestServer, type TestServer, adminClient } from '../../../test/harness.ts'
import { SIGNATURE_HEADER, signWebhook } from './payments.ts'

let server: TestServer
let admin: Client
let product: { id: string }
type Member = Awaited<ReturnType<typeof makeMember>>

const current = periodOf(new Date())
const last = previousPeriod(current)
/** Late on the last evening of last month (Berlin time), as in the period test of commerce.int.test.ts. */
const lastMonth = new Date(new Date(`${current}-01T00:00:00Z`).getTime() - 6 * 3_600_000)

beforeAll(async () => {
  server = await startTestServer()
  admin = await adminClient(server, { email: 'earn-admin@example.org', password: 'earnings admin password', handle: 'earnadmin' })
  expect((await admin.post('/api/v1/admin/commission-plan', { ratesBp: [1000, 500, 300, 200, 100], maxDepth: 5, note: 'Start' })).status).toBe(201)
  // Some orders are paid last month: the plan was in force then too.
  await server.app.ctx.models.Plan.updateOne({ _id: 1 }, { $set: { activeFrom: new Date('2020-01-01T00:00:00Z') } })
  // 119 € gross, 100 € commissionable.
  product = (await admin.post('/api/v1/admin/products', { name: 'Aloe Vera Gel', priceCents: 11_900, vatRateBp: 1900, commissionableCents: 10_000 })).body
})
afterAll(async () => {
  await server.close()
})

async function webhook(type: string, reference: string, occurredAt = new Date()) {
  const body = await paymentEventBody(server, { type, reference, occurredAt })
  const res = await fetch(`${server.url}/api/v1/payments/webhook`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(server.app.ctx.config.paymentWebhookSecret, body) },
  })
  expect(res.status).toBe(200)
}

/** Orders `quantity` × 100 € commissionable and has the provider report it paid (at `paidAt`). */
async function buy(member: Member, quantity = 1, paidAt = new Date()): Promise<Order> {
  const placed = (
    await member.client.post('/api/v1/orders', { items: [{ productId: product.id, quantity }], idempotencyKey: `k-${randomBytes(6).toString('hex')}` })
  ).body as Order
  await webhook('payment.paid', placed.payment.reference, paidAt)
  return placed
}

/** Backdates a join (createdAt is immutable through mongoose, so through the driver). */
const setJoined = async (m: Member, at: Date) =>
  server.app.ctx.models.Member.collection.updateOne({ _id: new Types.ObjectId(m.me.id) }, { $set: { createdAt: at } })
const dashboard = async (m: Member) => (await m.client.get<EarningsDashboard>('/api/v1/me/earnings')).body
const tree = async (m: Member, query = '') => m.client.get<TreePage>(`/api/v1/me/downline/tree${query}`)
const search = async (m: Member, q: string) => (await m.client.get<DownlineSearchResult>(`/api/v1/me/downline/search?q=${encodeURIComponent(q)}`)).body

// top → mid → leaf1 (→ customer), leaf2
let top: Member, mid: Member, leaf1: Member, leaf2: Member, customer: Member, stranger: Member

describe('the partner dashboard', () => {
  beforeAll(async () => {
    top = await makeMember(server, { handle: 'ein-top', displayName: 'Tamara Oben' })
    mid = await makeMember(server, { handle: 'ein-mid', displayName: 'Mia Mitte', sponsor: 'ein-top' })
    leaf1 = await makeMember(server, { handle: 'ein-leaf1', displayName: 'Jürgen Blättler', sponsor: 'ein-mid' })
    leaf2 = await makeMember(server, { handle: 'ein-leaf2', displayName: 'Lea Zweig', sponsor: 'ein-mid' })
    customer = await makeMember(server, { handle: 'ein-kunde', displayName: 'Karl Kunde', role: 'customer', sponsor: 'ein-leaf1' })
    stranger = await makeMember(server, { handle: 'ein-fremd', displayName: 'Fred Fremd' })

    await buy(customer, 2) // 200 €: leaf1 20 €, mid 10 €, top 6 €
    await buy(leaf2) // 100 €: leaf2 10 €, mid 5 €, top 3 €
    const refunded = await buy(leaf2) // refunded inside the window: everything reversed
    await webhook('payment.refunded', refunded.payment.reference)
    await buy(mid) // 100 €: mid 10 €, top 5 €
    await buy(mid, 1, lastMonth) // last month: mid 10 €, top 5 €
  })

  it("shows this month's commission per level, matching the statement", async () => {
    const d = await dashboard(mid)
    expect(d.period).toBe(current)
    expect(d.current).toMatchObject({ period: current, closed: false, totalCents: 2500, creditsCents: 3000, reversalsCents: -500 })
    expect(d.current.perLevel).toEqual([
      { level: 1, amountCents: 1000, salesCents: 10_000, orders: 1 },
      // 200 € + 100 € + (100 € − 100 € refunded), over three orders.
      { level: 2, amountCents: 1500, salesCents: 30_000, orders: 3 },
    ])
    const statement = (await mid.client.get(`/api/v1/statements/${current}`)).body
    expect(d.current.perLevel).toEqual(statement.perLevel)
    expect(d.current.totalCents).toBe(statement.totalCents)
    expect((await dashboard(top)).current.perLevel.map((l) => [l.level, l.amountCents])).toEqual([
      [2, 500],
      [3, 900],
    ])
  })

  it('charts the last 12 months, oldest first, ending with this one', async () => {
    const d = await dashboard(mid)
    expect(d.history).toHaveLength(12)
    expect(d.history.at(-1)).toEqual({ period: current, totalCents: 2500, closed: false })
    expect(d.history.at(-2)).toEqual({ period: last, totalCents: 1000, closed: false })
    expect(d.history.slice(0, 10).every((h) => h.totalCents === 0)).toBe(true)
    expect(d.history.map((h) => h.period)).toEqual([...d.history.map((h) => h.period)].sort())
  })

  it('counts the team per level and lists this month’s direct recruits, newest first', async () => {
    const d = await dashboard(mid)
    expect(d.downline).toEqual({
      total: 3,
      levels: [
        { level: 1, count: 2 },
        { level: 2, count: 1 },
      ],
    })
    expect(d.recruits.count).toBe(2)
    expect(d.recruits.more).toBe(false)
    expect(d.recruits.items.map((r) => r.handle)).toEqual(['ein-leaf2', 'ein-leaf1'])
    // Recruits who joined before this month are not new.
    await setJoined(leaf1, lastMonth)
    try {
      expect((await dashboard(mid)).recruits).toMatchObject({ count: 1, items: [{ handle: 'ein-leaf2' }] })
    } finally {
      await setJoined(leaf1, new Date())
    }
  })

  it('gives a customer an empty dashboard and a signed-out visitor none', async () => {
    expect(await dashboard(customer)).toMatchObject({ current: { totalCents: 0, perLevel: [] }, recruits: { count: 0 } })
    expect((await new Client(server.url).get('/api/v1/me/earnings')).status).toBe(401)
  })
})

describe('the downline explorer', () => {
  it("opens on the viewer's direct recruits with their team size and own sales this month", async () => {
    const page = (await tree(mid)).body
    expect(page.parent).toMatchObject({ handle: 'ein-mid', level: 0, directCount: 2, periodVolumeCents: 10_000 })
    expect(page.items.map((n) => [n.handle, n.level, n.directCount, n.periodVolumeCents])).toEqual([
      ['ein-leaf1', 1, 1, 20_000],
      // The refunded order does not count.
      ['ein-leaf2', 1, 0, 10_000],
    ])
    expect(page.items[0]).toMatchObject({ displayName: 'Jürgen Blättler', joinedAt: expect.any(String) })
    expect(page.nextCursor).toBeNull()
  })

  it('expands any node of the own downline, with levels counted from the viewer', async () => {
    const page = (await tree(top, `?parent=${leaf1.me.id}`)).body
    expect(page.parent).toMatchObject({ handle: 'ein-leaf1', level: 2 })
    expect(page.items).toEqual([expect.objectContaining({ handle: 'ein-kunde', role: 'customer', level: 3, directCount: 0, periodVolumeCents: 0 })])
  })

  it("answers 404 for someone outside the viewer's downline, above them, or unknown", async () => {
    expect((await tree(stranger, `?parent=${leaf1.me.id}`)).status).toBe(404)
    expect((await tree(leaf1, `?parent=${mid.me.id}`)).status).toBe(404)
    expect(((await tree(mid, `?parent=${new Types.ObjectId().toString()}`)).body as unknown as { error: { code: string } }).error.code).toBe(
      'PROFILE_NOT_FOUND',
    )
    expect((await tree(mid, '?parent=nope')).status).toBe(400)
  })

  it('pages through a large level 25 at a time, never repeating anyone', async () => {
    const boss = await makeMember(server, { handle: 'ein-boss' })
    const handles: string[] = []
    for (let i = 0; i < 27; i++) handles.push((await makeMember(server, { handle: `ein-r${i}`, sponsor: 'ein-boss' })).handle)
    const first = (await tree(boss)).body
    expect(first.items).toHaveLength(25)
    expect(first.nextCursor).not.toBeNull()
    const second = (await tree(boss, `?cursor=${first.nextCursor}`)).body
    expect(second.items).toHaveLength(2)
    expect(second.nextCursor).toBeNull()
    expect([...first.items, ...second.items].map((n) => n.handle)).toEqual(handles)
  })

  it('finds an exact handle anywhere below, and names by any part, case and accents ignored', async () => {
    expect((await search(top, 'ein-kunde')).items).toEqual([expect.objectContaining({ handle: 'ein-kunde', level: 3 })])
    expect((await search(top, '@EIN-KUNDE')).items.map((n) => n.handle)).toEqual(['ein-kunde'])
    const byName = await search(mid, 'blatt')
    expect(byName.items.map((n) => [n.handle, n.level, n.periodVolumeCents])).toEqual([['ein-leaf1', 1, 20_000]])
    expect(byName).toMatchObject({ complete: true, scanned: 3, scanLimit: 2000 })
    expect((await search(top, 'zwei')).items.map((n) => n.handle)).toEqual(['ein-leaf2'])
  })

  it("finds nobody outside the viewer's downline", async () => {
    expect((await search(stranger, 'ein-leaf1')).items).toEqual([])
    expect((await search(leaf1, 'ein-mid')).items).toEqual([])
    expect((await search(leaf1, 'Mia')).items).toEqual([])
  })
})

describe('the income disclosure', () => {
  it('shows nothing but closed months, and refuses an open one', async () => {
    const year = (await new Client(server.url).get<IncomeDisclosure>('/api/v1/income-disclosure')).body
    expect(year).toMatchObject({ scope: 'year', periods: [], partners: 0 })
    expect((await new Client(server.url).get(`/api/v1/income-disclosure?period=${last}`)).body.error.code).toBe('NOT_FOUND')
  })

  it('spreads all partners over earnings bands once a month is closed', async () => {
    // A structure that was there all of last month: two partners without any sales.
    const dTop = await makeMember(server, { handle: 'dis-top' })
    const dMid = await makeMember(server, { handle: 'dis-mid', sponsor: 'dis-top' })
    const dLeaf = await makeMember(server, { handle: 'dis-leaf', sponsor: 'dis-mid' })
    const dKunde = await makeMember(server, { handle: 'dis-kunde', role: 'customer', sponsor: 'dis-leaf' })
    const quiet = [
      await makeMember(server, { handle: 'dis-ruhig1', sponsor: 'dis-top' }),
      await makeMember(server, { handle: 'dis-ruhig2', sponsor: 'dis-top' }),
    ]
    for (const m of [dTop, dMid, dLeaf, dKunde, ...quiet]) await setJoined(m, new Date(lastMonth.getTime() - 20 * 86_400_000))
    await buy(dKunde, 10, lastMonth) // 1,000 €: dis-leaf 100 €, dis-mid 50 €, dis-top 30 €
    await buy(dMid, 1, lastMonth) // 100 €: dis-mid 10 €, dis-top 5 €

    expect((await admin.post(`/api/v1/admin/periods/${last}/close`)).status).toBe(200)
    const month = (await new Client(server.url).get<IncomeDisclosure>(`/api/v1/income-disclosure?period=${last}`)).body
    // Partners by last month's end: the five above; plus ein-mid and ein-top, who joined this
    // month (in this test) but earned last month, so they count too. Earnings last month:
    // dis-leaf 100 €, dis-mid 60 €, dis-top 35 €, ein-mid 10 €, ein-top 5 €.
    expect(month).toMatchObject({
      scope: 'month',
      periods: [last],
      partners: 7,
      earners: 5,
      totalPaidCents: 21_000,
      medianCents: 1000,
      earnersMedianCents: 3500,
      earnersMeanCents: 4200,
    })
    expect(month.bands.map((b) => [b.minCents, b.maxCents, b.partners, b.shareBp])).toEqual([
      [null, 0, 2, 2857],
      [0, 5_000, 3, 4286],
      [5_000, 25_000, 2, 2857],
      [25_000, 100_000, 0, 0],
      [100_000, 500_000, 0, 0],
      [500_000, null, 0, 0],
    ])
    const year = (await new Client(server.url).get<IncomeDisclosure>('/api/v1/income-disclosure')).body
    expect(year).toMatchObject({ scope: 'year', periods: [last], partners: 7, earners: 5 })
    expect(year.bands.slice(0, 2).map((b) => [b.maxCents, b.partners])).toEqual([
      [0, 2],
      [50_000, 5],
    ])
  })

  it('keeps the sums of a closed month once it has settled, and shows them on the dashboard', async () => {
    const { Period, PeriodTotal, IncomeDisclosure: Disclosures } = server.app.ctx.models
    // Just closed: still computed fresh each time (a payment of the closing second may land).
    expect(await Disclosures.findById(last).lean()).toBeNull()
    await Period.updateOne({ _id: last }, { $set: { closedAt: new Date(Date.now() - 5 * 60_000) } })
    const before = (await new Client(server.url).get<IncomeDisclosure>(`/api/v1/income-disclosure?period=${last}`)).body
    expect(await Disclosures.findById(last).lean()).toMatchObject({ partnersJoined: 5 })
    expect((await new Client(server.url).get<IncomeDisclosure>(`/api/v1/income-disclosure?period=${last}`)).body).toEqual(before)
    const d = await dashboard(mid)
    // The dashboard stores a partner's sums of a final month (the disclosure has its own reports now).
    expect(await PeriodTotal.findById(`${mid.me.id}:${last}`).lean()).toMatchObject({ totalCents: 1000 })
    expect(d.history.at(-2)).toEqual({ period: last, totalCents: 1000, closed: true })
    // A payment of last month whose webhook comes after the close is booked into this month.
    const before2 = await dashboard(top)
    await buy(top, 1, new Date(lastMonth.getTime() - 3_600_000))
    const after = await dashboard(top)
    expect(after.history.at(-2)).toEqual({ period: last, totalCents: 500, closed: true })
    expect(after.current.totalCents).toBe(before2.current.totalCents + 1000)
  })
})
