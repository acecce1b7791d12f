// Changing the address: the new one is confirmed by a link sent to it, the old one is told at
// once and again when the change is done (so a stranger's change does not go unnoticed).
import { translate } from '@vernetzt/shared/i18n'
import { AppError } from '@vernetzt/shared/errors'
import type { ServiceContext } from '../../context.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { queueMail, unsuppress } from '../../mail/outbox.ts'
import { renderMail } from '../../mail/render.ts'
import { issueToken, redeemToken, VERIFY_TTL_MS } from './email.ts'
import { emailKey, findMemberByEmail, normalizeEmail } from './lookup.ts'
import type { MemberDoc } from './model.ts'
import { formatWhen, langOf } from './notices.ts'
import { verifyPassword } from './passwords.ts'

/** Masks an address for a mail to someone else's inbox: "n***@example.org". */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@')
  return `${local.slice(0, 1)}***@${domain}`
}

/**
 * Asks to change the address (with the password): a confirmation link goes to the new address,
 * a notice to the current one. Nothing changes until the link is opened.
 */
export async function requestEmailChange(ctx: ServiceContext, memberId: string, input: { email: string; password: string }): Promise<{ pendingEmail: string }> {
  const member = (await ctx.models.Member.findById(memberId).lean()) as MemberDoc | null
  if (!member) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  if (!(await verifyPassword(member.passwordHash ?? null, input.password))) {
    throw new AppError('CURRENT_PASSWORD_WRONG', 'The password is wrong.', { field: 'password' })
  }
  const email = normalizeEmail(input.email)
  if (email === normalizeEmail(member.email)) throw new AppError('EMAIL_UNCHANGED', 'This is your address already.', { field: 'email' })
  if (await findMemberByEmail(ctx, email, { _id: 1 })) throw new AppError('EMAIL_TAKEN', 'This email address is already registered.', { field: 'email' })
  const token = await issueToken(ctx, 'email-change', { _id: member._id, email }, VERIFY_TTL_MS)
  await ctx.models.Member.updateOne({ _id: member._id }, { $set: { pendingEmail: email } })
  // A new address that refused mail before gets the chance its owner asks for.
  await unsuppress(ctx, email)
  const lang = langOf(member)
  const site = ctx.config.root.displayName
  const confirm = renderMail(lang, site, {
    subject: translate(lang, 'mail.emailChange.subject'),
    name: member.displayName,
    paragraphs: [translate(lang, 'mail.emailChange.intro', { site, email })],
    action: { label: translate(lang, 'mail.emailChange.action'), url: `${ctx.config.publicUrl}/verify-email?token=${token}&change=1` },
    after: [translate(lang, 'mail.verify.expiry'), translate(lang, 'mail.emailChange.notYou')],
  })
  const id = `${member._id.toString()}:${token.slice(0, 16)}`
  await queueMail(ctx, { id: `email-change:${id}`, kind: 'email-change', to: email, ...confirm })
  const heads = renderMail(lang, site, {
    subject: translate(lang, 'mail.emailChangeAsked.subject'),
    name: member.displayName,
    paragraphs: [translate(lang, 'mail.emailChangeAsked.body', { site, email: maskEmail(email), when: formatWhen(lang, new Date()) })],
    // A new password (by a reset to this address) also cancels the change.
    action: { label: translate(lang, 'mail.notice.action'), url: `${ctx.config.publicUrl}/forgot-password` },
    after: [translate(lang, 'mail.emailChangeAsked.notYou')],
  })
  await queueMail(ctx, { id: `email-change-asked:${id}`, kind: 'email-change-asked', to: member.email, ...heads })
  return { pendingEmail: email }
}

/**
 * Opens the link from the new address: the account moves to it (confirmed), the old address is
 * free again and hears that the change is done. A link for an address someone else took since
 * answers EMAIL_TAKEN and changes nothing.
 */
export async function confirmEmailChange(ctx: ServiceContext, token: string): Promise<{ memberId: string; email: string }> {
  const record = await redeemToken(ctx, 'email-change', token)
  const member = (await ctx.models.Member.findById(record.memberId).lean()) as MemberDoc | null
  // A later request replaced this one: only the newest link counts.
  if (!member || member.pendingEmail !== record.email) throw new AppError('TOKEN_INVALID', 'This link is for a change that was replaced or done.')
  const { Key, Member } = ctx.models
  try {
    await Key.create({ _id: emailKey(record.email), memberId: member._id })
  } catch (error) {
    if (isDuplicateKey(error)) throw new AppError('EMAIL_TAKEN', 'This email address is already registered.', { field: 'email' })
    throw error
  }
  const now = new Date()
  await Member.updateOne({ _id: member._id }, { $set: { email: record.email, emailVerifiedAt: now, pendingEmail: null } })
  await Key.deleteOne({ _id: emailKey(member.email), memberId: member._id })
  // Sign-in failures counted for the old address are the old address's; the account moved.
  await ctx.models.LoginFailure.deleteOne({ _id: `login:${normalizeEmail(member.email)}` })
  await ctx.events.publish('member.access_changed', { memberId: member._id.toString() })
  const lang = langOf(member)
  const site = ctx.config.root.displayName
  const done = renderMail(lang, site, {
    subject: translate(lang, 'mail.emailChanged.subject'),
    name: member.displayName,
    paragraphs: [translate(lang, 'mail.emailChanged.body', { site, email: maskEmail(record.email), when: formatWhen(lang, now) })],
    // The account no longer answers to this address: the way back is the site's team.
    after: [translate(lang, 'mail.emailChanged.notYou', { site })],
  })
  await queueMail(ctx, { id: `email-changed:${member._id.toString()}:${now.getTime()}`, kind: 'email-changed', to: member.email, ...done })
  return { memberId: member._id.toString(), email: record.email }
}
