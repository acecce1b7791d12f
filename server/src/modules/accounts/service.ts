import type { LoginBody, Me } from '@vernetzt/shared/schemas/auth'
import { AppError } from '@vernetzt/shared/errors'
import type { Actor, ServiceContext } from '../../context.ts'
import { effectiveRole, sponsorSummary, toMemberSummary } from './dto.ts'
import { findMemberByEmail } from './lookup.ts'
import type { LoginFailureDoc, MemberDoc } from './model.ts'
import { verifyPassword } from './passwords.ts'

/** After the allowed failures an account waits this long, doubling with each further failure. */
const LOGIN_BACKOFF_MS = 30_000
const LOGIN_BACKOFF_MAX_MS = 60 * 60_000

/** Failures older than this are forgotten. */
const LOGIN_FAILURES_FORGOTTEN_MS = 24 * 60 * 60_000

/**
 * Signs in. Besides the per-IP limit, each account (known or not, so the answer says nothing
 * about which emails exist) allows LOGIN_FAILURES_BEFORE_BACKOFF wrong passwords, then waits
 * 30 s, 60 s, … up to an hour between attempts, from any address: guessing from many IPs
 * gains nothing. A right password ends the wait's count.
 */
export async function login(ctx: ServiceContext, input: LoginBody, now = new Date()): Promise<MemberDoc> {
  const key = `login:${input.email.trim().toLowerCase()}`
  const record = await checkNotLocked(ctx, key, 'Too many wrong passwords for this account.', now)
  const member = await findMemberByEmail(ctx, input.email)
  const ok = await verifyPassword(member?.passwordHash ?? null, input.password)
  if (!member || !ok) {
    await countFailure(ctx, key, record, now)
    throw new AppError('INVALID_CREDENTIALS', 'Email or password is wrong.')
  }
  if (record) await ctx.models.LoginFailure.deleteOne({ _id: key })
  refuseSuspended(member)
  return member
}

/** A suspended member signs in nowhere (the right password says so; a wrong one says nothing). */
export function refuseSuspended(member: Pick<MemberDoc, 'suspension'> | null): void {
  if (member?.suspension) throw new AppError('ACCOUNT_SUSPENDED', 'This account is suspended.')
}

/** Refuses while `key` (an account's password, a member's second factor) waits after failures. */
export async function checkNotLocked(ctx: ServiceContext, key: string, why: string, now = new Date()): Promise<LoginFailureDoc | null> {
  const record = (await ctx.models.LoginFailure.findById(key).lean()) as LoginFailureDoc | null
  if (record?.lockedUntil && record.lockedUntil > now) {
    const retryAfter = Math.ceil((record.lockedUntil.getTime() - now.getTime()) / 1000)
    throw new AppError('RATE_LIMITED', `${why} Try again in ${retryAfter} s.`, { retryAfter })
  }
  return record
}

/** Counts a failure for `key`; after the allowed ones it waits 30 s, 60 s, … up to an hour. */
export async function countFailure(ctx: ServiceContext, key: string, record: LoginFailureDoc | null, now = new Date()): Promise<void> {
  if (record && now.getTime() - record.lastFailureAt.getTime() > LOGIN_FAILURES_FORGOTTEN_MS) await ctx.models.LoginFailure.deleteOne({ _id: key })
  // Counted atomically: wrong guesses sent at the same moment each count.
  const after = (await ctx.models.LoginFailure.findOneAndUpdate(
    { _id: key },
    { $inc: { failures: 1 }, $set: { lastFailureAt: now } },
    { upsert: true, returnDocument: 'after' },
  ).lean()) as LoginFailureDoc | null
  const over = (after?.failures ?? 1) - ctx.config.limits.loginFailures
  if (over >= 0) {
    const lockedUntil = new Date(now.getTime() + Math.min(LOGIN_BACKOFF_MAX_MS, LOGIN_BACKOFF_MS * 2 ** over))
    await ctx.models.LoginFailure.updateOne({ _id: key }, { $set: { lockedUntil } })
  }
}

export async function getMe(ctx: ServiceContext, actor: Actor): Promise<Me> {
  const member = await ctx.models.Member.findById(actor.id).lean()
  if (!member) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  return toMe(ctx, member as MemberDoc)
}

export async function toMe(ctx: ServiceContext, member: MemberDoc): Promise<Me> {
  return {
    ...toMemberSummary(member),
    email: member.email,
    emailVerified: !!member.emailVerifiedAt,
    role: effectiveRole(member),
    pendingEmail: member.pendingEmail ?? null,
    twoFactor: !!member.twoFactor?.enabledAt,
    twoFactorRequired: member.role === 'admin' && !member.twoFactor?.enabledAt,
    moderator: member.moderator === true,
    sponsor: await sponsorSummary(ctx, member),
    depth: member.depth,
    createdAt: member.createdAt.toISOString(),
    unreadNotifications: member.unreadNotifications ?? 0,
  }
}
