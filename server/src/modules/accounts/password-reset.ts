// "Passwort vergessen?": a single-use link by mail, then a new password that signs the member out
// everywhere else, and a notice to the address.
import { translate } from '@vernetzt/shared/i18n'
import { AppError } from '@vernetzt/shared/errors'
import type { ServiceContext } from '../../context.ts'
import { queueMail } from '../../mail/outbox.ts'
import { renderMail } from '../../mail/render.ts'
import { issueToken, redeemToken } from './email.ts'
import { findMemberByEmail, normalizeEmail } from './lookup.ts'
import type { MemberDoc } from './model.ts'
import { hashPassword } from './passwords.ts'
import { langOf, securityNotice } from './notices.ts'
import { endAllSessions } from './sessions.ts'

/** How long a reset link works. */
export const RESET_TTL_MS = 30 * 60_000
/** Reset mails one address may ask for per window, whether or not it belongs to anyone. */
export const RESETS_PER_WINDOW = 3
export const RESET_WINDOW_MS = 60 * 60_000

/**
 * Asks for a reset link. The answer is the same for every address: known or not, the request
 * counts against the address's limit, and only a known one with a password gets a mail.
 */
export async function requestReset(ctx: ServiceContext, email: string, now = new Date()): Promise<void> {
  const address = normalizeEmail(email)
  const key = `reset:${address}`
  const { AddressLimit } = ctx.models
  const record = await AddressLimit.findById(key).lean()
  if (record && now.getTime() - record.windowStart.getTime() >= RESET_WINDOW_MS) await AddressLimit.deleteOne({ _id: key })
  const after = await AddressLimit.findOneAndUpdate(
    { _id: key },
    { $inc: { count: 1 }, $setOnInsert: { windowStart: now } },
    { upsert: true, returnDocument: 'after' },
  ).lean()
  if ((after?.count ?? 1) > RESETS_PER_WINDOW) {
    const retryAfter = Math.max(1, Math.ceil((after!.windowStart.getTime() + RESET_WINDOW_MS - now.getTime()) / 1000))
    throw new AppError('RATE_LIMITED', `Too many reset requests for this address. Try again in ${retryAfter} s.`, { retryAfter })
  }
  const member = await findMemberByEmail(ctx, address)
  // The company root cannot sign in; nobody resets it into an account.
  if (!member || member.isRoot || !member.passwordHash) return
  const token = await issueToken(ctx, 'reset', member, RESET_TTL_MS)
  const lang = langOf(member)
  const site = ctx.config.root.displayName
  const mail = renderMail(lang, site, {
    subject: translate(lang, 'mail.reset.subject'),
    name: member.displayName,
    paragraphs: [translate(lang, 'mail.reset.intro', { site })],
    action: { label: translate(lang, 'mail.reset.action'), url: `${ctx.config.publicUrl}/reset-password?token=${token}` },
    after: [translate(lang, 'mail.reset.expiry'), translate(lang, 'mail.reset.notYou')],
  })
  await queueMail(ctx, { id: `reset:${member._id.toString()}:${token.slice(0, 16)}`, kind: 'reset', to: member.email, ...mail })
}

/** Sets a new password from a reset link: every other session ends, the address is told. */
export async function completeReset(ctx: ServiceContext, token: string, password: string): Promise<MemberDoc> {
  const record = await redeemToken(ctx, 'reset', token)
  const member = await ctx.models.Member.findById(record.memberId).lean()
  if (!member || member.email !== record.email) throw new AppError('TOKEN_INVALID', 'This link is for an address the account no longer uses.')
  await setPassword(ctx, member as MemberDoc, password)
  // The link came to this address and was opened: it is confirmed, too.
  if (!member.emailVerifiedAt) await ctx.models.Member.updateOne({ _id: member._id }, { $set: { emailVerifiedAt: new Date() } })
  return { ...(member as MemberDoc), emailVerifiedAt: member.emailVerifiedAt ?? new Date(), pendingEmail: null }
}

/** A new password: other sessions end, waiting sign-in failures are forgotten, and a notice goes out. */
export async function setPassword(ctx: ServiceContext, member: MemberDoc, password: string): Promise<void> {
  const now = new Date()
  // A new password also cancels an address change in flight (it may have been a stranger's).
  await ctx.models.Member.updateOne({ _id: member._id }, { $set: { passwordHash: await hashPassword(password), pendingEmail: null } })
  await endAllSessions(ctx, member._id, now)
  await ctx.models.LoginFailure.deleteOne({ _id: `login:${member.email}` })
  await securityNotice(ctx, member, 'passwordChanged', now)
}
