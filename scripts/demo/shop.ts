/**
 * The demo network's shop: a small catalog, the plan 10/5/3/2/1 %, and a year of paid orders
 * (some refunded) put through the real order, webhook and ledger code, so dashboards, statements
 * and the income disclosure have something to show.
 */
import { randomBytes } from 'node:crypto'
import { periodOf } from '@vernetzt/shared/commissions'
import type { ServiceContext } from '../../server/src/context.ts'
import type { MemberDoc } from '../../server/src/modules/accounts/model.ts'
import { TestPaymentProvider } from '../../server/src/modules/commerce/payments.ts'
import { applyPaymentEvent, createOrder, createProduct } from '../../server/src/modules/commerce/service.ts'

const PRODUCTS = [
  {
    name: 'Aloe Vera Gel 200 ml',
    description: 'Kühlt und pflegt nach dem Sonnenbad. **Vegan**, ohne Parfum.',
    priceCents: 2490,
    vatRateBp: 1900,
    commissionableCents: 2000,
  },
  { name: 'Bio-Grüntee, 100 g', description: 'Japanischer Sencha aus biologischem Anbau.', priceCents: 1290, vatRateBp: 700, commissionableCents: 1000 },
  { name: 'Vitamin-D3-Tropfen', description: '1000 I.E. pro Tropfen, 50 ml.', priceCents: 1990, vatRateBp: 700, commissionableCents: 1500 },
  { name: 'Gesichtsserum Hyaluron', description: 'Für trockene Haut, 30 ml.', priceCents: 3990, vatRateBp: 1900, commissionableCents: 3200 },
  { name: 'Proteinshake Vanille, 750 g', description: '20 g Eiweiß pro Portion.', priceCents: 3490, vatRateBp: 700, commissionableCents: 2800 },
  // Never commissionable: nobody earns on someone joining.
  { name: 'Starterpaket für neue Partner', description: 'Muster, Kataloge und Bestellblock.', priceCents: 4900, vatRateBp: 1900, commissionableCents: 0 },
]

export async function seedShop(
  ctx: ServiceContext,
  random: () => number,
  admin: { id: string; handle: string },
): Promise<{ orders: number; refunded: number }> {
  const actor = { ...admin, role: 'admin' as const }
  await ctx.models.Plan.create({
    _id: 1,
    ratesBp: [1000, 500, 300, 200, 100],
    maxDepth: 5,
    qualification: null,
    note: 'Demo-Plan',
    activeFrom: new Date(Date.now() - 400 * 86_400_000),
    createdBy: null,
  })
  const products = []
  for (const p of PRODUCTS)
    products.push(await createProduct(ctx, actor, { ...p, vatRateBp: p.vatRateBp as 700 | 1900, currency: 'EUR', active: true, imageIds: [] }))
  const provider = new TestPaymentProvider(ctx.config.paymentWebhookSecret, ctx.config.publicUrl)
  const buyers = (await ctx.models.Member.find(
    { isRoot: false, role: { $in: ['partner', 'customer'] } },
    { handle: 1, role: 1, createdAt: 1 },
  ).lean()) as MemberDoc[]
  let orders = 0
  let refunded = 0
  const now = Date.now()
  for (const buyer of buyers) {
    const count = buyer.role === 'customer' ? 1 + Math.floor(random() * 4) : Math.floor(random() * 3)
    for (let i = 0; i < count; i++) {
      const since = Math.max(buyer.createdAt.getTime(), now - 360 * 86_400_000)
      const paidAt = new Date(since + random() * (now - since))
      const items = [{ productId: products[Math.floor(random() * (products.length - 1))]!.id, quantity: 1 + Math.floor(random() * 3) }]
      const { order } = await createOrder(
        ctx,
        provider,
        { id: buyer._id.toString(), handle: buyer.handle, role: buyer.role },
        { items, idempotencyKey: `demo-${randomBytes(8).toString('hex')}` },
      )
      await applyPaymentEvent(ctx, {
        id: `demo_${randomBytes(8).toString('hex')}`,
        type: 'payment.paid',
        reference: order.payment.reference,
        occurredAt: paidAt.toISOString(),
        amountCents: order.totalCents,
        currency: order.currency,
      })
      orders++
      if (random() < 0.04) {
        await applyPaymentEvent(ctx, {
          id: `demo_${randomBytes(8).toString('hex')}`,
          type: 'payment.refunded',
          reference: order.payment.reference,
          occurredAt: new Date(paidAt.getTime() + 3 * 86_400_000).toISOString(),
        })
        refunded++
      }
    }
  }
  // Every finished month is closed, as the back office would have done.
  const current = periodOf(new Date())
  for (let d = 360; d >= 0; d -= 20) {
    const period = periodOf(new Date(now - d * 86_400_000))
    if (period >= current) continue
    await ctx.models.Period.updateOne({ _id: period }, { $setOnInsert: { closedAt: new Date(), closedBy: buyers[0]!._id } }, { upsert: true })
  }
  return { orders, refunded }
}
