// Single-use links by mail, and the first of them: confirming the address a member signed up with.
import { createHash, randomBytes } from 'node:crypto'
import { translate } from '@vernetzt/shared/i18n'
import { AppError } from '@vernetzt/shared/errors'
import type { ServiceContext } from '../../context.ts'
import { queueMail, unsuppress } from '../../mail/outbox.ts'
import { renderMail } from '../../mail/render.ts'
import type { EmailTokenDoc, MemberDoc } from './model.ts'
import { langOf } from './notices.ts'

/** How long a verification link works. */
export const VERIFY_TTL_MS = 3 * 24 * 60 * 60_000
/** A new verification mail at most this often per member. */
export const VERIFY_RESEND_MS = 60_000

function tokenId(purpose: EmailTokenDoc['purpose'], token: string): string {
  return createHash('sha256').update(`${purpose}:${token}`).digest('hex')
}

/** A new single-use link token for `member` (its hash is stored, the token goes into the mail). */
export async function issueToken(
  ctx: ServiceContext,
  purpose: EmailTokenDoc['purpose'],
  member: Pick<MemberDoc, '_id' | 'email'>,
  ttlMs: number,
): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  const now = new Date()
  await ctx.models.EmailToken.create({
    _id: tokenId(purpose, token),
    purpose,
    memberId: member._id,
    email: member.email,
    expiresAt: new Date(now.getTime() + ttlMs),
    uses: 0,
    createdAt: now,
  })
  return token
}

/**
 * Redeems a token once: the first call gets its record, every later one TOKEN_USED; unknown,
 * malformed or other-purpose tokens are TOKEN_INVALID, late ones TOKEN_EXPIRED. The count goes up
 * atomically, so two redemptions at the same moment cannot both win.
 */
export async function redeemToken(ctx: ServiceContext, purpose: EmailTokenDoc['purpose'], token: string, now = new Date()): Promise<EmailTokenDoc> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw new AppError('TOKEN_INVALID', 'This link is not valid.')
  const before = await ctx.models.EmailToken.findOneAndUpdate({ _id: tokenId(purpose, token) }, { $inc: { uses: 1 } }, { returnDocument: 'before' }).lean()
  if (!before) throw new AppError('TOKEN_INVALID', 'This link is not valid.')
  if (before.uses > 0) throw new AppError('TOKEN_USED', 'This link has been used already.')
  if (before.expiresAt.getTime() <= now.getTime()) throw new AppError('TOKEN_EXPIRED', 'This link has expired.')
  return before as EmailTokenDoc
}

/** Queues the mail with a new verification link to the member's current address. */
export async function sendVerification(ctx: ServiceContext, member: Pick<MemberDoc, '_id' | 'email' | 'displayName' | 'lang'>): Promise<void> {
  const token = await issueToken(ctx, 'verify', member, VERIFY_TTL_MS)
  await ctx.models.Member.updateOne({ _id: member._id }, { $set: { verificationSentAt: new Date() } })
  const lang = langOf(member)
  const site = ctx.config.root.displayName
  const url = `${ctx.config.publicUrl}/verify-email?token=${token}`
  const mail = renderMail(lang, site, {
    subject: translate(lang, 'mail.verify.subject'),
    name: member.displayName,
    paragraphs: [translate(lang, 'mail.verify.intro', { site })],
    action: { label: translate(lang, 'mail.verify.action'), url },
    after: [translate(lang, 'mail.verify.expiry'), translate(lang, 'mail.verify.notYou')],
  })
  await queueMail(ctx, { id: `verify:${member._id.toString()}:${tokenId('verify', token).slice(0, 16)}`, kind: 'verify', to: member.email, ...mail })
}

/** A member asks for the verification mail again (the first got lost, or the link expired). */
export async function resendVerification(ctx: ServiceContext, memberId: string, now = new Date()): Promise<void> {
  const member = await ctx.models.Member.findById(memberId).lean()
  if (!member) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  if (member.emailVerifiedAt) throw new AppError('EMAIL_ALREADY_VERIFIED', 'Your email address is confirmed already.')
  const last = member.verificationSentAt?.getTime() ?? 0
  if (now.getTime() - last < VERIFY_RESEND_MS) {
    const retryAfter = Math.ceil((VERIFY_RESEND_MS - (now.getTime() - last)) / 1000)
    throw new AppError('RATE_LIMITED', `A verification mail was sent a moment ago. Try again in ${retryAfter} s.`, { retryAfter })
  }
  // An address that refused mail before gets another chance when its owner asks.
  await unsuppress(ctx, member.email)
  await sendVerification(ctx, member as MemberDoc)
}

/** Opens a verification link: the address it was sent to is confirmed, if it is still the member's. */
export async function verifyEmail(ctx: ServiceContext, token: string): Promise<{ memberId: string; email: string }> {
  const record = await redeemToken(ctx, 'verify', token)
  const member = await ctx.models.Member.findById(record.memberId, { email: 1, emailVerifiedAt: 1 }).lean()
  // The member changed the address since: this link confirms nothing any more.
  if (!member || member.email !== record.email) throw new AppError('TOKEN_INVALID', 'This link is for an address the account no longer uses.')
  if (!member.emailVerifiedAt) {
    await ctx.models.Member.updateOne({ _id: record.memberId }, { $set: { emailVerifiedAt: new Date() } })
    await unsuppress(ctx, record.email)
    // Sessions remember the member; every node forgets them, so the banner goes at once.
    await ctx.events.publish('member.access_changed', { memberId: record.memberId.toString() })
  }
  return { memberId: record.memberId.toString(), email: record.email }
}
