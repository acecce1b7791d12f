// Security notices: mail to the member's address when something about the account's access
// changed, so a stranger's change does not go unnoticed. Essential mail (no unsubscribe).
import { translate, type Lang } from '@vernetzt/shared/i18n'
import type { ServiceContext } from '../../context.ts'
import { queueMail } from '../../mail/outbox.ts'
import { renderMail } from '../../mail/render.ts'
import type { MemberDoc } from './model.ts'

export type SecurityNotice = 'passwordChanged' | 'twoFactorOn' | 'twoFactorOff'

export const langOf = (member: Pick<MemberDoc, 'lang'>): Lang => (member.lang === 'en' ? 'en' : 'de')

/**
 * Why mail that others cause (a missed message, a digest) may not go to this member: it waits
 * until the address is confirmed, and a suspended member cannot sign in to read what it is about.
 */
export function noMailFor(member: Pick<MemberDoc, 'emailVerifiedAt' | 'suspension'>): 'unverified' | 'suspended' | null {
  if (!member.emailVerifiedAt) return 'unverified'
  return member.suspension ? 'suspended' : null
}

export function formatWhen(lang: Lang, at: Date): string {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'de-DE', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
    timeZone: 'Europe/Berlin',
  }).format(at)
}

/** Queues the notice `what` to `to` (the member's address unless given), with a way back in if it was not them. */
export async function securityNotice(
  ctx: ServiceContext,
  member: Pick<MemberDoc, '_id' | 'email' | 'displayName' | 'lang'>,
  what: SecurityNotice,
  now = new Date(),
): Promise<void> {
  const lang = langOf(member)
  const site = ctx.config.root.displayName
  const mail = renderMail(lang, site, {
    subject: translate(lang, `mail.${what}.subject`),
    name: member.displayName,
    paragraphs: [translate(lang, `mail.${what}.body`, { site, when: formatWhen(lang, now) })],
    action: { label: translate(lang, 'mail.notice.action'), url: `${ctx.config.publicUrl}/forgot-password` },
    after: [translate(lang, 'mail.notice.notYou')],
  })
  const kind = what.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
  await queueMail(ctx, { id: `${kind}:${member._id.toString()}:${now.getTime()}`, kind, to: member.email, ...mail })
}
