import type { ModuleSubscription } from '../../context.ts'
import { sendOrderMail } from './mails.ts'
import { applyListed } from './period-reports.ts'
import { finalizeAt } from './report-final.ts'

/**
 * The period reports follow the ledger: each listed line updates its payee's stored sums
 * (idempotently, see period-reports.ts), and a close schedules the period's finalisation. A
 * failure here loses nothing for good: the payee's next line or the finalisation catches up,
 * and a view of a final period without its stored figures finalises it itself.
 */
export const commerceSubscription: ModuleSubscription = {
  module: 'commerce',
  subscribers: {
    'ledger.entry_listed': async (ctx, e) => {
      await applyListed(ctx, e)
    },
    // The buyer's mails: the order as received, the payment, a refund.
    'order.placed': async (ctx, e) => sendOrderMail(ctx, e.orderId, 'placed'),
    'order.paid': async (ctx, e) => sendOrderMail(ctx, e.orderId, 'paid'),
    'order.refunded': async (ctx, e) => sendOrderMail(ctx, e.orderId, 'refunded', e.amountCents),
    'period.closed': async (ctx, e) => {
      await ctx.jobs.enqueue('reports.finalize', e.period, { period: e.period }, { runAt: finalizeAt(new Date(e.closedAt)) })
    },
  },
}
