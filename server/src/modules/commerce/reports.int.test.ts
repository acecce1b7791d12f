import { randomBytes } from 'node:crypto'
import { periodOf, previousPeriod } from '@vernetzt/shared/commissions'
import type { Order } from '@vernetzt/shared/schemas/commerce'
import type { IncomeDisclosure } from '@vernetzt/shared/schemas/earnings'
import type { PeriodList } from '@vernetzt/shared/schemas/periods'
import { Types } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, paymentEventBody, startTestServer, type TestServer, adminClient } from '../../../test/harness.ts'
import { incomeBands, MONTH_BANDS, YEAR_BANDS } from './income-disclosure.ts'
import { SIGNATURE_HEADER, signWebhook } from './payments.ts'
import { reportChunks, storedPayees } from './period-reports.ts'
import { distributionOf, finalizeJob, migrateReports, storedTotals } from './report-final.ts'
import { distributionFromScratch, type Distribution } from './report-scratch.ts'
import { sumPeriods } from './statements.ts'

let server: TestServer
let admin: Client
let product: { id: string }
type Member = Awaited<ReturnType<typeof makeMember>>

const current = periodOf(new Date())
const last = previousPeriod(current)
const lastMonth = new Date(new Date(`${current}-01T00:00:00Z`).getTime() - 6 * 3_600_000)

beforeAll(async () => {
  server = await startTestServer()
  admin = await adminClient(server, { email: 'rep-admin@example.org', password: 'reports admin password', handle: 'repadmin' })
  expect((await admin.post('/api/v1/admin/commission-plan', { ratesBp: [1000, 500, 300, 200, 100], maxDepth: 5, note: 'Start' })).status).toBe(201)
  await server.app.ctx.models.Plan.updateOne({ _id: 1 }, { $set: { activeFrom: new Date('2020-01-01T00:00:00Z') } })
  product = (await admin.post('/api/v1/admin/products', { name: 'Aloe', priceCents: 11_900, vatRateBp: 1900, commissionableCents: 10_000 })).body
})
afterAll(async () => {
  await server.close()
})

async function webhook(type: string, reference: string, occurredAt = new Date()) {
  const body = await paymentEventBody(server, { type, reference, occurredAt })
  const headers = { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(server.app.ctx.config.paymentWebhookSecret, body) }
  expect((await fetch(`${server.url}/api/v1/payments/webhook`, { method: 'POST', body, headers })).status).toBe(200)
}

async function buy(member: Member, quantity = 1, paidAt = new Date()): Promise<Order> {
  const key = `k-${randomBytes(6).toString('hex')}`
  const placed = (await member.client.post('/api/v1/orders', { items: [{ productId: product.id, quantity }], idempotencyKey: key })).body as Order
  await webhook('payment.paid', placed.payment.reference, paidAt)
  return placed
}

/** A distribution as comparable data: payee → cents, the count and the extras, order aside. */
const comparable = (d: Distribution) => ({
  partnersJoined: d.partnersJoined,
  cents: Object.fromEntries(d.payeeIds.map((id, i) => [id.toString(), d.payeeCents[i]!])),
  extra: d.extraIds.map(String).sort(),
})
const stored = async (period: string) => comparable(await distributionOf(server.app.ctx, period, await storedPayees(server.app.ctx, period)))
const scratch = async (period: string) => comparable(await distributionFromScratch(server.app.ctx, period))

let top: Member, mid: Member, leaf: Member, buyer: Member

describe('the stored period reports', () => {
  beforeAll(async () => {
    top = await makeMember(server, { handle: 'rep-top' })
    mid = await makeMember(server, { handle: 'rep-mid', sponsor: 'rep-top' })
    leaf = await makeMember(server, { handle: 'rep-leaf', sponsor: 'rep-mid' })
    buyer = await makeMember(server, { handle: 'rep-kunde', role: 'customer', sponsor: 'rep-leaf' })
    await makeMember(server, { handle: 'rep-ruhig', sponsor: 'rep-top' })
  })

  it('equal a from-scratch computation after sales in the open month', async () => {
    await buy(buyer, 3)
    await buy(leaf)
    const refunded = await buy(mid, 2)
    await webhook('payment.refunded', refunded.payment.reference)
    const fresh = await scratch(current)
    expect(Object.keys(fresh.cents)).toHaveLength(3)
    expect(await stored(current)).toEqual(fresh)
    const list = (await admin.get<PeriodList>('/api/v1/admin/periods')).body
    expect(list.items[0]!.totals).toEqual((await sumPeriods(server.app.ctx, [current])).get(current))
    expect(list.items[0]!.totals).toMatchObject({ creditsCents: 10_200, reversalsCents: -3000, totalCents: 7200, entries: 10, payees: 3 })
  })

  it('do not count a line twice when its event is handled again, and make up a lost one', async () => {
    const { ctx } = server.app
    const before = await storedTotals(ctx, current)
    // Every event once more, as a repair after a crash would publish them (the test may scan the ledger).
    const lines = await ctx.models.LedgerEntry.find({ period: current }).lean()
    for (const e of lines) {
      const event = {
        entryId: e._id.toString(),
        beneficiaryId: e.beneficiaryId.toString(),
        period: e.period,
        seq: e.listed!,
        kind: e.kind as 'credit' | 'reversal',
        amountCents: e.amountCents,
      }
      await Promise.all([ctx.events.publish('ledger.entry_listed', event), ctx.events.publish('ledger.entry_listed', event)])
    }
    expect(await storedTotals(ctx, current)).toEqual(before)

    // A crash lost leaf's events (their sums are gone): leaf's next line brings all of them back.
    const leafId = leaf.me.id
    const chunk = (await reportChunks(ctx).findOne({ [`p.m${leafId}`]: { $exists: true } }))!
    await reportChunks(ctx).updateOne({ _id: chunk._id }, { $unset: { [`p.m${leafId}`]: '' } })
    expect((await storedTotals(ctx, current)).payees).toBe(2)
    await buy(leaf)
    expect(await stored(current)).toEqual(await scratch(current))
    expect(await storedTotals(ctx, current)).toEqual((await sumPeriods(ctx, [current])).get(current))
  })

  it('equal a from-scratch computation on the income page after a month closes', async () => {
    const { ctx } = server.app
    for (const m of [top, mid, leaf, buyer]) {
      await ctx.models.Member.collection.updateOne(
        { _id: new Types.ObjectId(m.me.id) },
        { $set: { createdAt: new Date(lastMonth.getTime() - 20 * 86_400_000) } },
      )
    }
    await buy(buyer, 10, lastMonth)
    await buy(mid, 1, lastMonth)
    expect((await admin.post(`/api/v1/admin/periods/${last}/close`)).status).toBe(200)
    // Just closed: from the stored sums, the same as from scratch, and not stored for good yet.
    const month = (await new Client(server.url).get<IncomeDisclosure>(`/api/v1/income-disclosure?period=${last}`)).body
    const fresh = await distributionFromScratch(ctx, last)
    expect(month).toEqual({ scope: 'month', periods: [last], ...incomeBands(fresh.partnersJoined + fresh.extraIds.length, fresh.payeeCents, MONTH_BANDS) })
    expect(await ctx.models.IncomeDisclosure.findById(last).lean()).toBeNull()

    // A minute later the close's job stores the final figures; the page reads them.
    await ctx.models.Period.updateOne({ _id: last }, { $set: { closedAt: new Date(Date.now() - 5 * 60_000) } })
    await finalizeJob(ctx, { payload: { period: last } })
    expect(comparable((await ctx.models.IncomeDisclosure.findById(last).lean())!)).toEqual(comparable(fresh))
    expect((await new Client(server.url).get<IncomeDisclosure>(`/api/v1/income-disclosure?period=${last}`)).body).toEqual(month)
    const year = (await new Client(server.url).get<IncomeDisclosure>('/api/v1/income-disclosure')).body
    expect(year).toEqual({ scope: 'year', periods: [last], ...incomeBands(fresh.partnersJoined + fresh.extraIds.length, fresh.payeeCents, YEAR_BANDS) })
    // top, mid and leaf by last month's end (rep-ruhig joined this month): 100 €, 60 €, 35 €.
    expect(year).toMatchObject({ partners: 3, earners: 3, totalPaidCents: 19_500 })

    const list = (await admin.get<PeriodList>('/api/v1/admin/periods')).body
    expect(list.items[1]).toMatchObject({ period: last, status: 'closed', totals: (await sumPeriods(ctx, [last], new Set([last]))).get(last) })
  })

  it('catches data from before the stored reports up once, at start', async () => {
    const { ctx } = server.app
    await reportChunks(ctx).deleteMany({}) // the marker too
    expect((await storedTotals(ctx, current)).entries).toBe(0)
    await migrateReports(ctx)
    expect(await storedTotals(ctx, current)).toEqual((await sumPeriods(ctx, [current])).get(current))
  })
})
