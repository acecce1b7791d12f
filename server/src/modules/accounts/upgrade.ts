// A customer becomes a partner: the same account, sponsor, history and orders; the place in the
// join graph stays (the referrer who brought them in is their sponsor already).
import { AppError } from '@vernetzt/shared/errors'
import type { ServiceContext } from '../../context.ts'
import type { MemberDoc } from './model.ts'

export async function becomePartner(ctx: ServiceContext, memberId: string): Promise<MemberDoc> {
  const now = new Date()
  // Only from customer, in one write: two clicks at once upgrade once.
  const updated = (await ctx.models.Member.findOneAndUpdate(
    { _id: memberId, role: 'customer' },
    { $set: { role: 'partner', partnerSince: now } },
    { returnDocument: 'after' },
  ).lean()) as MemberDoc | null
  if (!updated) {
    const member = await ctx.models.Member.findById(memberId, { role: 1 }).lean()
    if (!member) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
    throw new AppError('NOT_A_CUSTOMER', 'Only a customer account can become a partner; yours is one already.')
  }
  // Sessions carry the role: every node forgets the old one.
  await ctx.events.publish('member.access_changed', { memberId })
  await ctx.events.publish('member.became_partner', {
    memberId,
    handle: updated.handle,
    displayName: updated.displayName,
    sponsorId: updated.sponsorId?.toString() ?? null,
  })
  return updated
}
