// The buyer's mails about an order: received (with the order, its VAT and the withdrawal
// information), payment received (with the end of the withdrawal period), refund. Transactional:
// they go to every buyer, without an unsubscribe, each once (its id is the order's).
import { formatCents } from '@vernetzt/shared/commissions'
import { translate, type Lang } from '@vernetzt/shared/i18n'
import type { ServiceContext } from '../../context.ts'
import { queueMail } from '../../mail/outbox.ts'
import { renderMail } from '../../mail/render.ts'
import { formatWhen, langOf } from '../accounts/index.ts'
import type { OrderDoc } from './model.ts'
import { WITHDRAWAL_DAYS, withdrawalEndOf } from './withdrawal.ts'

export type OrderMail = 'placed' | 'paid' | 'refunded'

const percent = (lang: Lang, bp: number) => new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'de-DE', { maximumFractionDigits: 2 }).format(bp / 100)

/** The order as lines of text: each item, the VAT contained per rate, the total. */
function orderLines(lang: Lang, order: OrderDoc): string[] {
  const money = (cents: number) => formatCents(cents, lang, order.currency)
  const lines = order.items.map((i) =>
    translate(lang, 'mail.order.line', { quantity: i.quantity, name: i.name, unit: money(i.unitPriceCents), total: money(i.unitPriceCents * i.quantity) }),
  )
  const byRate = new Map<number, number>()
  for (const i of order.items) {
    const vat = Math.round((i.unitPriceCents * i.quantity * i.vatRateBp) / (10_000 + i.vatRateBp))
    byRate.set(i.vatRateBp, (byRate.get(i.vatRateBp) ?? 0) + vat)
  }
  const vat = [...byRate].map(([rate, cents]) => translate(lang, 'mail.order.vat', { rate: percent(lang, rate), amount: money(cents) }))
  return [...lines, translate(lang, 'mail.order.total', { total: money(order.totalCents) }), ...vat]
}

/** Queues one of an order's mails to its buyer (again: nothing, the id is the same). */
export async function sendOrderMail(ctx: ServiceContext, orderId: string, what: OrderMail, amountCents?: number): Promise<void> {
  const order = (await ctx.models.Order.findById(orderId).lean()) as OrderDoc | null
  if (!order) return
  const buyer = await ctx.models.Member.findById(order.buyerId, { email: 1, displayName: 1, lang: 1 }).lean()
  if (!buyer) return
  const lang = langOf(buyer)
  const site = ctx.config.root.displayName
  const vars = { number: order.number, site, days: WITHDRAWAL_DAYS }
  const withdrawal = translate(lang, 'mail.order.withdrawal', vars)
  const paragraphs =
    what === 'placed'
      ? [translate(lang, 'mail.order.placedIntro', vars), ...orderLines(lang, order), withdrawal, translate(lang, 'mail.order.withdrawalStart', vars)]
      : what === 'paid'
        ? [
            translate(lang, 'mail.order.paidIntro', { ...vars, amount: formatCents(order.totalCents, lang, order.currency) }),
            ...orderLines(lang, order),
            withdrawal,
            translate(lang, 'mail.order.withdrawalEnds', { when: formatWhen(lang, withdrawalEndOf(order.paidAt ?? new Date())) }),
          ]
        : [translate(lang, 'mail.order.refundedIntro', { ...vars, amount: formatCents(amountCents ?? order.totalCents, lang, order.currency) })]
  const mail = renderMail(lang, site, {
    subject: translate(lang, `mail.order.${what}Subject`, vars),
    name: buyer.displayName,
    paragraphs,
    action: { label: translate(lang, 'mail.order.action'), url: `${ctx.config.publicUrl}/orders/${order._id.toString()}` },
  })
  await queueMail(ctx, { id: `order-${what}:${order._id.toString()}`, kind: `order-${what}`, to: buyer.email, ...mail })
}
