import { randomBytes } from 'node:crypto'
import { periodOf, previousPeriod } from '@vernetzt/shared/commissions'
import type { LedgerEntry, Order } from '@vernetzt/shared/schemas/commerce'
import { Types } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, paymentEventBody, startTestServer, type TestServer, adminClient } from '../../../test/harness.ts'
import { readMail, waitForMails } from '../../../test/mailpit.ts'
import { repairLedger } from './ledger.ts'
import { entryId, entryKey } from './model.ts'
import { SIGNATURE_HEADER, signWebhook } from './payments.ts'

let server: TestServer
let admin: Client
let product: { id: string }
let starterKit: { id: string }
const DAY = 86_400_000

beforeAll(async () => {
  server = await startTestServer()
  admin = await adminClient(server, { email: 'shop-admin@example.org', password: 'shop admin password', handle: 'shopadmin' })
  expect((await admin.post('/api/v1/admin/commission-plan', { ratesBp: [1000, 500, 300, 200, 100], maxDepth: 5, note: 'Start' })).status).toBe(201)
  // Tests pay some orders in the past (late webhooks, last month): the first plan was in force then too.
  await server.app.ctx.models.Plan.updateOne({ _id: 1 }, { $set: { activeFrom: new Date('2020-01-01T00:00:00Z') } })
  product = (
    await admin.post('/api/v1/admin/products', {
      name: 'Aloe Vera Gel',
      description: 'Pflegt **sanft**.',
      priceCents: 11_900,
      vatRateBp: 1900,
      commissionableCents: 10_000,
    })
  ).body
  starterKit = (await admin.post('/api/v1/admin/products', { name: 'Starterpaket', priceCents: 4_900, vatRateBp: 1900, commissionableCents: 0 })).body
})
afterAll(async () => {
  await server.close()
})

/** The provider's webhook, signed as the provider signs it. */
async function webhook(
  event: { id?: string; type: string; reference: string; occurredAt?: Date; amountCents?: number; currency?: string },
  secret = server.app.ctx.config.paymentWebhookSecret,
) {
  const body = await paymentEventBody(server, event)
  const res = await fetch(`${server.url}/api/v1/payments/webhook`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(secret, body) },
  })
  return { status: res.status, body: (await res.json()) as any }
}

/** A line of partners below the root: chain[0] is the top one. */
async function line(prefix: string, length: number) {
  const chain = []
  for (let i = 0; i < length; i++) chain.push(await makeMember(server, { handle: `${prefix}${i + 1}`, ...(i ? { sponsor: `${prefix}${i}` } : {}) }))
  return chain
}

const order = async (client: Client, items = [{ productId: product.id, quantity: 1 }], idempotencyKey = `k-${randomBytes(6).toString('hex')}`) =>
  client.post('/api/v1/orders', { items, idempotencyKey })
const entriesOf = async (client: Client, period = periodOf(new Date())) => (await client.get(`/api/v1/statements/${period}`)).body.entries as LedgerEntry[]
const total = (entries: LedgerEntry[], orderId: string) => entries.filter((e) => e.orderId === orderId).reduce((s, e) => s + e.amountCents, 0)

describe('orders and payments', () => {
  it("credits a customer's paid order up the referrer's line at the plan's rates, once, however often the webhook comes", async () => {
    const chain = await line('ord-p', 4)
    const customer = await makeMember(server, { handle: 'ord-kundin', role: 'customer', sponsor: 'ord-p4' })
    const key = 'einmal-bestellen-1'
    const first = await order(customer.client, [{ productId: product.id, quantity: 2 }], key)
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({
      status: 'pending',
      totalCents: 23_800,
      vatCents: 3_800,
      commissionBaseCents: 20_000,
      attributedTo: { handle: 'ord-p4' },
    })
    // A double click: the same order, not a second one.
    const again = await order(customer.client, [{ productId: product.id, quantity: 2 }], key)
    expect(again.status).toBe(200)
    expect(again.body.id).toBe(first.body.id)

    const paid = { id: 'evt_paid_once', type: 'payment.paid', reference: first.body.payment.reference }
    expect((await webhook(paid)).body).toMatchObject({ status: 'paid', duplicate: false })
    expect((await webhook(paid)).body).toMatchObject({ status: 'paid', duplicate: true })
    expect((await webhook({ ...paid, id: 'evt_paid_again' })).body).toMatchObject({ status: 'paid' })

    // 10/5/3/2 % of 200 € for the four partners; the root above them earns nothing.
    const amounts = await Promise.all(chain.map(async (p) => total(await entriesOf(p.client), first.body.id)))
    expect(amounts).toEqual([400, 600, 1000, 2000])
    const mine = (await entriesOf(chain[3]!.client)).filter((e) => e.orderId === first.body.id)
    expect(mine).toEqual([
      expect.objectContaining({
        level: 1,
        kind: 'credit',
        rateBp: 1000,
        amountCents: 2000,
        baseCents: 20_000,
        planVersion: expect.any(Number),
        orderNumber: first.body.number,
      }),
    ])
    expect((await customer.client.get(`/api/v1/orders/${first.body.id}`)).body.status).toBe('paid')
  })

  it('says once that an order was paid and once that it was refunded, however often the provider tells (order.paid, order.refunded)', async () => {
    const heard: Array<[string, unknown]> = []
    server.app.events.register({
      module: 'test-orders',
      subscribers: {
        'order.paid': (_ctx, e) => void heard.push(['paid', e]),
        'order.refunded': (_ctx, e) => void heard.push(['refunded', e]),
      },
    })
    const buyer = await makeMember(server, { handle: 'evt-kaeufer' })
    const placed = (await order(buyer.client)).body as Order
    const paid = { type: 'payment.paid', reference: placed.payment!.reference }
    await webhook(paid)
    await webhook(paid)
    await webhook({ type: 'payment.refunded', reference: placed.payment!.reference })
    await webhook({ type: 'payment.refunded', reference: placed.payment!.reference })
    const mine = heard.filter(([, e]) => (e as { orderId: string }).orderId === placed.id)
    expect(mine).toEqual([
      ['paid', expect.objectContaining({ orderId: placed.id, totalCents: placed.totalCents, currency: 'EUR' })],
      ['refunded', expect.objectContaining({ orderId: placed.id, amountCents: placed.totalCents, currency: 'EUR' })],
    ])
  })

  it('mails the buyer the order with its VAT and the right of withdrawal, the payment with the end of the period, and the refund, each once', async () => {
    const buyer = await makeMember(server, { handle: 'mail-kaeuferin' })
    const placed = (await order(buyer.client, [{ productId: product.id, quantity: 2 }], 'mail-order')).body as Order
    const received = (await waitForMails(buyer.email, 2)).find((m) => m.Subject === `Deine Bestellung ${placed.number} ist eingegangen`)!
    const text = (await readMail(received.ID)).Text.replace(/\s+/g, ' ')
    expect(text).toContain('2 × Aloe Vera Gel zu je 119,00 €: 238,00 €')
    expect(text).toContain('Gesamt: 238,00 €')
    expect(text).toContain('Darin enthalten: 19 % Umsatzsteuer, 38,00 €')
    expect(text).toContain('binnen 14 Tagen ohne Angabe von Gründen widerrufen')
    expect(text).toContain(`/orders/${placed.id}`)

    const paidAt = new Date('2026-11-20T10:00:00Z')
    await webhook({ type: 'payment.paid', reference: placed.payment!.reference, occurredAt: paidAt })
    await webhook({ id: 'evt_mail_paid_again', type: 'payment.paid', reference: placed.payment!.reference, occurredAt: paidAt })
    const paid = (await waitForMails(buyer.email, 3)).find((m) => m.Subject === `Zahlung erhalten: Bestellung ${placed.number}`)!
    // 14 days from the payment: 4 December 2026.
    expect((await readMail(paid.ID)).Text.replace(/\s+/g, ' ')).toMatch(/Die Widerrufsfrist endet am 4\. Dezember 2026/)

    await webhook({ type: 'payment.refunded', reference: placed.payment!.reference })
    const all = await waitForMails(buyer.email, 4)
    expect(all.map((m) => m.Subject)).toContain(`Erstattung für deine Bestellung ${placed.number}`)
    await new Promise((r) => setTimeout(r, 500))
    // The verification mail and one of each order mail, however often the provider told.
    expect((await waitForMails(buyer.email, 4)).length).toBe(4)
  })

  it('refuses a webhook with a wrong signature or an unknown reference, and changes nothing', async () => {
    const partner = await makeMember(server, { handle: 'sig-partner' })
    const placed = (await order(partner.client)).body as Order
    expect((await webhook({ type: 'payment.paid', reference: placed.payment.reference }, 'a-secret-someone-guessed-wrongly-000000')).status).toBe(401)
    expect((await webhook({ type: 'payment.paid', reference: 'test_unknown' })).body.error.code).toBe('ORDER_NOT_FOUND')
    expect((await partner.client.get(`/api/v1/orders/${placed.id}`)).body.status).toBe('pending')
    expect(await entriesOf(partner.client)).toEqual([])
  })

  it('ends in the same state when refund and payment arrive out of order, and a refund inside 14 days reverses to zero', async () => {
    const [top, mid] = await line('ooo-p', 2)
    const placed = (await order(mid!.client)).body as Order
    const paidAt = new Date(Date.now() - 2 * DAY)
    expect((await webhook({ type: 'payment.refunded', reference: placed.payment.reference })).body.status).toBe('refunded')
    expect((await webhook({ type: 'payment.paid', reference: placed.payment.reference, occurredAt: paidAt })).body.status).toBe('refunded')
    // The credit lands in the month of the payment, the reversal in the month it was booked:
    // from the 1st to the 2nd of a month those are two statements, so read both.
    const periods = [...new Set([periodOf(paidAt), periodOf(new Date())])]
    const statementsOf = async (client: Client) => (await Promise.all(periods.map((p) => entriesOf(client, p)))).flat()
    const midEntries = (await statementsOf(mid!.client)).filter((e) => e.orderId === placed.id)
    expect(midEntries.map((e) => [e.kind, e.amountCents])).toEqual([
      ['credit', 1000],
      ['reversal', -1000],
    ])
    expect(total(await statementsOf(top!.client), placed.id)).toBe(0)
    expect((await mid!.client.get(`/api/v1/orders/${placed.id}`)).body).toMatchObject({ status: 'refunded', paidAt: paidAt.toISOString() })
  })

  it('keeps the commissions of a refund after the 14-day withdrawal window', async () => {
    const partner = await makeMember(server, { handle: 'late-refund' })
    const placed = (await order(partner.client)).body as Order
    await webhook({ type: 'payment.paid', reference: placed.payment.reference, occurredAt: new Date(Date.now() - 20 * DAY) })
    await webhook({ type: 'payment.refunded', reference: placed.payment.reference })
    const entries = (await server.app.ctx.models.LedgerEntry.find({ orderId: new Types.ObjectId(placed.id) }).lean()).map((e) => e.kind)
    expect(entries).toEqual(['credit'])
    expect((await partner.client.get(`/api/v1/orders/${placed.id}`)).body.status).toBe('refunded')
  })

  it('pays nothing on a starter kit, and stops at the top of a short upline', async () => {
    const solo = await makeMember(server, { handle: 'kurz-oben' })
    const kit = (await order(solo.client, [{ productId: starterKit.id, quantity: 1 }])).body as Order
    expect(kit.commissionBaseCents).toBe(0)
    await webhook({ type: 'payment.paid', reference: kit.payment.reference })
    expect(await entriesOf(solo.client)).toEqual([])
    // Directly below the root: only level 1 pays.
    const own = (await order(solo.client)).body as Order
    await webhook({ type: 'payment.paid', reference: own.payment.reference })
    expect((await entriesOf(solo.client)).map((e) => [e.level, e.amountCents])).toEqual([[1, 1000]])
    const all = await server.app.ctx.models.LedgerEntry.find({ orderId: new Types.ObjectId(own.id) }).lean()
    expect(all).toHaveLength(1)
  })

  it('validates plans: one rate per level, at most 10 levels and 50 % in all, nothing else', async () => {
    expect((await admin.post('/api/v1/admin/commission-plan', { ratesBp: [1000, 500], maxDepth: 3 })).body.error.code).toBe('PLAN_INVALID')
    expect((await admin.post('/api/v1/admin/commission-plan', { ratesBp: Array(11).fill(100), maxDepth: 11 })).body.error.code).toBe('VALIDATION_FAILED')
    expect((await admin.post('/api/v1/admin/commission-plan', { ratesBp: [3000, 2500], maxDepth: 2 })).body.error.code).toBe('PLAN_INVALID')
    // There is no way to pay for recruiting: unknown fields are refused.
    expect((await admin.post('/api/v1/admin/commission-plan', { ratesBp: [1000], maxDepth: 1, signupBonusCents: 5000 })).body.error.code).toBe(
      'VALIDATION_FAILED',
    )
    const partner = await makeMember(server, { handle: 'plan-partner' })
    expect((await partner.client.post('/api/v1/admin/commission-plan', { ratesBp: [1000], maxDepth: 1 })).status).toBe(403)
    expect(
      (await admin.post('/api/v1/admin/products', { name: 'Zu teuer', priceCents: 1000, vatRateBp: 1900, commissionableCents: 2000 })).body.error.code,
    ).toBe('VALIDATION_FAILED')
  })
})

describe('plan versions', () => {
  it('credits a paid order with the plan in force at payment time, even if it changed after the order', async () => {
    const [top, buyer] = await line('ver-p', 2)
    const before = (await order(buyer!.client)).body as Order
    const oldPaidAt = new Date(Date.now() - 1000)
    const placed = (await order(buyer!.client)).body as Order
    const v2 = (await admin.post('/api/v1/admin/commission-plan', { ratesBp: [2000, 1000], maxDepth: 2, note: 'Aktion' })).body
    try {
      await webhook({ type: 'payment.paid', reference: placed.payment.reference })
      await webhook({ type: 'payment.paid', reference: before.payment.reference, occurredAt: oldPaidAt })
      expect((await buyer!.client.get(`/api/v1/orders/${placed.id}`)).body.planVersion).toBe(v2.version)
      expect(total(await entriesOf(buyer!.client), placed.id)).toBe(2000)
      expect(total(await entriesOf(top!.client), placed.id)).toBe(1000)
      // Paid before the change: the old rates.
      expect((await buyer!.client.get(`/api/v1/orders/${before.id}`)).body.planVersion).toBe(v2.version - 1)
      expect(total(await entriesOf(buyer!.client), before.id)).toBe(1000)
    } finally {
      await admin.post('/api/v1/admin/commission-plan', { ratesBp: [1000, 500, 300, 200, 100], maxDepth: 5, note: 'Zurück' })
    }
  })

  it('skips a level whose partner did not buy enough themselves in the period, without moving anyone up', async () => {
    const [top, mid, low] = await line('akt-p', 3)
    await admin.post('/api/v1/admin/commission-plan', { ratesBp: [1000, 500, 300], maxDepth: 3, qualification: { minOwnPurchaseCents: 10_000, fromLevel: 2 } })
    try {
      const first = (await order(low!.client)).body as Order
      await webhook({ type: 'payment.paid', reference: first.payment.reference })
      // Neither mid nor top bought anything: only level 1 (low itself, exempt from the rule) earns.
      expect(total(await entriesOf(low!.client), first.id)).toBe(1000)
      expect(total(await entriesOf(mid!.client), first.id)).toBe(0)
      // Mid buys for 119 €: qualified from now on for this period.
      const own = (await order(mid!.client)).body as Order
      await webhook({ type: 'payment.paid', reference: own.payment.reference })
      const second = (await order(low!.client)).body as Order
      await webhook({ type: 'payment.paid', reference: second.payment.reference })
      expect(total(await entriesOf(mid!.client), second.id)).toBe(500)
      expect(total(await entriesOf(top!.client), second.id)).toBe(0)
    } finally {
      await admin.post('/api/v1/admin/commission-plan', { ratesBp: [1000, 500, 300, 200, 100], maxDepth: 5, note: 'Zurück' })
    }
  })
})

describe('recovery and periods', () => {
  it('finishes an order a crash left half-credited, without paying anything twice', async () => {
    const [top, buyer] = await line('crash-p', 2)
    const placed = (await order(buyer!.client)).body as Order
    const { models } = server.app.ctx
    const id = new Types.ObjectId(placed.id)
    // The process died after journaling the payment and writing the first of two lines.
    await models.CreditJob.create({ _id: id, createdAt: new Date(Date.now() - 60_000) })
    await models.Order.updateOne({ _id: id }, { $min: { paidAt: new Date() } })
    const buyerId = new Types.ObjectId(buyer!.me.id)
    const key = entryKey(id, buyerId, 1, 'credit')
    await models.LedgerEntry.create({
      _id: entryId(key),
      key,
      orderId: id,
      orderNumber: placed.number,
      beneficiaryId: buyerId,
      level: 1,
      kind: 'credit',
      rateBp: 1000,
      amountCents: 1000,
      baseCents: 10_000,
      planVersion: (await models.Plan.find().lean()).length,
      period: periodOf(new Date()),
    })
    expect(total(await entriesOf(top!.client), placed.id)).toBe(0)

    expect(await repairLedger(server.app.ctx, 0)).toBeGreaterThanOrEqual(1)
    expect(total(await entriesOf(buyer!.client), placed.id)).toBe(1000)
    expect(total(await entriesOf(top!.client), placed.id)).toBe(500)
    // Run again, and the webhook comes late as well: still exactly one line per level.
    await repairLedger(server.app.ctx, 0)
    await webhook({ type: 'payment.paid', reference: placed.payment.reference })
    expect(await models.LedgerEntry.countDocuments({ orderId: id })).toBe(2)
    expect((await entriesOf(buyer!.client)).filter((e) => e.orderId === placed.id)).toHaveLength(1)
    expect(await models.CreditJob.countDocuments({ _id: id })).toBe(0)
  })

  it('closes only finished months, and books a refund after the close into the next open month', async () => {
    const current = periodOf(new Date())
    const last = previousPeriod(current)
    expect((await admin.post(`/api/v1/admin/periods/${current}/close`)).body.error.code).toBe('PERIOD_NOT_OVER')
    const partner = await makeMember(server, { handle: 'close-partner' })
    const placed = (await order(partner.client)).body as Order
    // Paid late on the last evening of last month; the refund happened an hour later but its
    // webhook arrives only after the month was closed.
    const monthStart = new Date(`${current}-01T00:00:00Z`)
    const paidAt = new Date(monthStart.getTime() - 6 * 3_600_000)
    expect(periodOf(paidAt)).toBe(last)
    await webhook({ type: 'payment.paid', reference: placed.payment.reference, occurredAt: paidAt })
    expect((await entriesOf(partner.client, last)).map((e) => e.amountCents)).toEqual([1000])
    expect((await admin.post(`/api/v1/admin/periods/${last}/close`)).status).toBe(200)
    expect((await admin.post(`/api/v1/admin/periods/${last}/close`)).body.error.code).toBe('PERIOD_CLOSED')
    await webhook({ type: 'payment.refunded', reference: placed.payment.reference, occurredAt: new Date(paidAt.getTime() + 3_600_000) })
    const closed = (await partner.client.get(`/api/v1/statements/${last}`)).body
    expect(closed).toMatchObject({ closed: true, totalCents: 1000 })
    expect((await entriesOf(partner.client, current)).filter((e) => e.orderId === placed.id).map((e) => [e.kind, e.amountCents])).toEqual([['reversal', -1000]])
  })

  it('shows a statement to its partner and admins only', async () => {
    const partner = await makeMember(server, { handle: 'stmt-owner' })
    const other = await makeMember(server, { handle: 'stmt-other' })
    const period = periodOf(new Date())
    expect((await other.client.get(`/api/v1/statements/${period}?member=${partner.me.id}`)).status).toBe(403)
    expect((await admin.get(`/api/v1/statements/${period}?member=${partner.me.id}`)).body.member.handle).toBe('stmt-owner')
    expect((await partner.client.get('/api/v1/statements/2026-13')).status).toBe(400)
  })
})
