import type { Actor, ServiceContext } from '../../context.ts'
import type { DomainEvents } from '../../events/index.ts'
import type { MemberDoc } from '../accounts/index.ts'
import { translate } from '@vernetzt/shared/i18n'
import { createConversation } from './conversations.ts'
import { sendMessage } from './send.ts'

/** The sponsor's welcome until they write their own; in German, the network's first language. */
export const DEFAULT_WELCOME: string = translate('de', 'chat.welcomeDefault')

/**
 * On the day a recruit joins: a direct conversation with the sponsor, opened by the sponsor's
 * welcome text (a customer gets the customer welcome in their language). Below the company root
 * it is the company's team inbox (answered at /admin/inbox), in the recruit's language. The recruit is as the event tells (just written).
 */
export async function openOnboardingConversation(ctx: ServiceContext, recruit: DomainEvents['member.joined']): Promise<void> {
  if (!recruit.sponsorId) return
  const sponsor = (await ctx.models.Member.findById(recruit.sponsorId).lean()) as MemberDoc | null
  if (!sponsor) return
  const sponsorActor = { id: sponsor._id.toString(), handle: sponsor.handle, role: sponsor.role }
  const conversation = await createConversation(ctx, sponsorActor, { participants: [recruit.handle] })
  const companyText = translate(recruit.lang, 'chat.welcomeCompany', { name: '{name}', site: ctx.config.root.displayName })
  // A customer is no recruit: a partner's welcome text speaks of the team, theirs of products and orders.
  const customerText = translate(recruit.lang, 'chat.welcomeCustomer', { name: '{name}', sponsor: sponsor.displayName })
  const text = (
    sponsor.isRoot ? (sponsor.welcomeText ?? companyText) : recruit.role === 'customer' ? customerText : (sponsor.welcomeText ?? DEFAULT_WELCOME)
  ).replaceAll('{name}', recruit.displayName)
  await sendMessage(ctx, sponsorActor, { conversationId: conversation.id, body: text, clientMessageId: `welcome-${recruit.memberId}` }, { automatic: true })
  await ctx.events.publish('conversation.welcomed', {
    sponsorId: sponsor._id.toString(),
    recruitId: recruit.memberId,
    recruitHandle: recruit.handle,
    recruitName: recruit.displayName,
    conversationId: conversation.id,
  })
}

export async function getWelcome(ctx: ServiceContext, actor: Actor) {
  const me = await ctx.models.Member.findById(actor.id, { welcomeText: 1 }).lean()
  return { text: (me as { welcomeText?: string | null } | null)?.welcomeText ?? null, defaultText: DEFAULT_WELCOME }
}

export async function setWelcome(ctx: ServiceContext, actor: Actor, text: string | null) {
  await ctx.models.Member.updateOne({ _id: actor.id }, { $set: { welcomeText: text } })
  return { text, defaultText: DEFAULT_WELCOME }
}
