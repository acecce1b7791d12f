// Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and one-time recovery codes.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'
import QRCode from 'qrcode'
import { AppError } from '@vernetzt/shared/errors'
import type { ServiceContext } from '../../context.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { seal, unseal } from '../../security/seal.ts'
import type { MemberDoc } from './model.ts'
import { securityNotice } from './notices.ts'
import { verifyPassword } from './passwords.ts'
import { checkNotLocked, countFailure } from './service.ts'

const PURPOSE = 'two-factor key'
/** A code from the step before or after is accepted too (clocks drift; typing takes a moment). */
const WINDOW = 1
const PERIOD = 30
const RECOVERY_CODES = 10
/** How long a sign-in waits for its second factor, and how many wrong codes it takes. */
export const CHALLENGE_TTL_MS = 5 * 60_000
export const CHALLENGE_ATTEMPTS = 5

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

function totp(ctx: ServiceContext, member: Pick<MemberDoc, 'email'>, secret: Secret): TOTP {
  return new TOTP({ issuer: ctx.config.root.displayName, label: member.email, secret, algorithm: 'SHA1', digits: 6, period: PERIOD })
}

/** Recovery codes as people can type them: two groups of five letters and digits. */
function recoveryCode(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789'
  const bytes = randomBytes(10)
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length])
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`
}

const normalizeRecovery = (code: string) => code.trim().toLowerCase().replace(/\s+/g, '')

export async function twoFactorStatus(ctx: ServiceContext, memberId: string): Promise<{ enabled: boolean; recoveryLeft: number; required: boolean }> {
  const member = await ctx.models.Member.findById(memberId, { twoFactor: 1, role: 1 }).lean()
  return { enabled: !!member?.twoFactor?.enabledAt, recoveryLeft: member?.twoFactor?.recovery?.length ?? 0, required: member?.role === 'admin' }
}

const memberFields = { email: 1, displayName: 1, lang: 1, role: 1, twoFactor: 1, twoFactorPending: 1, passwordHash: 1 } as const

/** How long a begun setup keeps its key: asking again within it shows the same QR code (a wrong code, a reload). */
const SETUP_REUSE_MS = 10 * 60_000
/** How long a begun setup can be confirmed at all. */
const SETUP_TTL_MS = 60 * 60_000

/** Begins the setup: a new key, shown as a QR code and as text; on only after a code from it. */
export async function beginSetup(ctx: ServiceContext, memberId: string): Promise<{ secret: string; uri: string; qrSvg: string }> {
  const member = await ctx.models.Member.findById(memberId, { email: 1, twoFactor: 1, twoFactorPending: 1 }).lean()
  if (!member) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  if (member.twoFactor?.enabledAt) throw new AppError('TWO_FACTOR_ALREADY_ON', 'Two-factor sign-in is on already.')
  const pending = member.twoFactorPending
  let secret: Secret
  if (pending?.secret && Date.now() - (pending.createdAt?.getTime() ?? 0) < SETUP_REUSE_MS) {
    secret = Secret.fromBase32(unseal(ctx.config.sessionSecret, PURPOSE, pending.secret))
  } else {
    secret = new Secret({ size: 20 })
    await ctx.models.Member.updateOne(
      { _id: memberId },
      { $set: { twoFactorPending: { secret: seal(ctx.config.sessionSecret, PURPOSE, secret.base32), createdAt: new Date() } } },
    )
  }
  const uri = totp(ctx, member, secret).toString()
  return { secret: secret.base32, uri, qrSvg: await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' }) }
}

/** The TOTP step a code belongs to, or null when it is not valid now. */
function stepOf(ctx: ServiceContext, member: Pick<MemberDoc, 'email'>, sealedSecret: string, code: string): number | null {
  if (!/^\d{6}$/.test(code.trim())) return null
  const secret = Secret.fromBase32(unseal(ctx.config.sessionSecret, PURPOSE, sealedSecret))
  const delta = totp(ctx, member, secret).validate({ token: code.trim(), window: WINDOW })
  return delta === null ? null : Math.floor(Date.now() / 1000 / PERIOD) + delta
}

/** Confirms the setup with a code from the app: two-factor sign-in is on; the recovery codes are shown once. */
export async function enable(ctx: ServiceContext, memberId: string, code: string): Promise<string[]> {
  const member = await ctx.models.Member.findById(memberId, memberFields).lean()
  if (!member) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  if (member.twoFactor?.enabledAt) throw new AppError('TWO_FACTOR_ALREADY_ON', 'Two-factor sign-in is on already.')
  const pending = member.twoFactorPending
  if (!pending?.secret || Date.now() - (pending.createdAt?.getTime() ?? 0) > SETUP_TTL_MS) {
    throw new AppError('TWO_FACTOR_NOT_STARTED', 'Start the setup again.')
  }
  const step = stepOf(ctx, member, pending.secret, code)
  if (step === null) throw new AppError('TWO_FACTOR_CODE_WRONG', 'The code is wrong.', { field: 'code' })
  const codes = newRecoveryCodes()
  await ctx.models.Member.updateOne(
    { _id: memberId },
    { $set: { twoFactor: { secret: pending.secret, enabledAt: new Date(), recovery: codes.map(hashRecovery) }, twoFactorPending: null } },
  )
  // The code that confirmed the setup does not sign in a second time.
  await use(ctx, `${memberId}:step:${step}`)
  // An administrator's rights start now, on every node (sessions carry the role).
  await ctx.events.publish('member.access_changed', { memberId })
  await securityNotice(ctx, member as MemberDoc, 'twoFactorOn')
  return codes
}

const newRecoveryCodes = () => Array.from({ length: RECOVERY_CODES }, recoveryCode)
const hashRecovery = (code: string) => sha256(normalizeRecovery(code))

/** New recovery codes (the old ones stop working), with a current code as proof. */
export async function renewRecoveryCodes(ctx: ServiceContext, memberId: string, code: string): Promise<string[]> {
  const member = await ctx.models.Member.findById(memberId, { twoFactor: 1 }).lean()
  if (!member?.twoFactor?.enabledAt) throw new AppError('TWO_FACTOR_OFF', 'Two-factor sign-in is not on.')
  await checkCode(ctx, memberId, code)
  const codes = newRecoveryCodes()
  await ctx.models.Member.updateOne({ _id: memberId }, { $set: { 'twoFactor.recovery': codes.map(hashRecovery) } })
  return codes
}

/**
 * A code the member typed (to turn it off, to renew codes, at sign-in): wrong ones count per
 * member like wrong passwords do, so neither many challenges nor many IPs help a guesser.
 */
async function checkCode(ctx: ServiceContext, memberId: string, code: string, details: Record<string, unknown> = {}): Promise<void> {
  const key = `2fa:${memberId}`
  const record = await checkNotLocked(ctx, key, 'Too many wrong codes for this account.')
  if (await checkSecondFactor(ctx, memberId, code)) {
    if (record) await ctx.models.LoginFailure.deleteOne({ _id: key })
    return
  }
  await countFailure(ctx, key, record)
  throw new AppError('TWO_FACTOR_CODE_WRONG', 'The code is wrong.', { field: 'code', ...details })
}

/**
 * Checks a second factor: a current TOTP code whose time step was not used before, or an unused
 * recovery code, which is then gone. A code sent twice at once works once (TwoFactorUse).
 */
export async function checkSecondFactor(ctx: ServiceContext, memberId: string, code: string): Promise<boolean> {
  const member = await ctx.models.Member.findById(memberId, { email: 1, twoFactor: 1 }).lean()
  const tf = member?.twoFactor
  if (!member || !tf?.enabledAt || !tf.secret) return false
  const step = stepOf(ctx, member, tf.secret, code)
  if (step !== null) return use(ctx, `${memberId}:step:${step}`)
  const hash = hashRecovery(code)
  const known = (tf.recovery ?? []).some((h) => h.length === hash.length && timingSafeEqual(Buffer.from(h), Buffer.from(hash)))
  if (!known || !(await use(ctx, `${memberId}:recovery:${hash}`))) return false
  await ctx.models.Member.updateOne({ _id: memberId }, { $pull: { 'twoFactor.recovery': hash } })
  return true
}

/** Marks a code used; false when it was used before. */
async function use(ctx: ServiceContext, key: string): Promise<boolean> {
  try {
    await ctx.models.TwoFactorUse.create({ _id: key, at: new Date() })
    return true
  } catch (error) {
    if (isDuplicateKey(error)) return false
    throw error
  }
}

/** Turns two-factor sign-in off, with the password and a code (or a recovery code). */
export async function disable(ctx: ServiceContext, memberId: string, password: string, code: string): Promise<void> {
  const member = await ctx.models.Member.findById(memberId, memberFields).lean()
  if (!member) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  if (!member.twoFactor?.enabledAt) throw new AppError('TWO_FACTOR_OFF', 'Two-factor sign-in is not on.')
  if (member.role === 'admin') throw new AppError('TWO_FACTOR_REQUIRED_FOR_ROLE', 'Administrators must keep two-factor sign-in on.')
  if (!(await verifyPassword(member.passwordHash ?? null, password)))
    throw new AppError('CURRENT_PASSWORD_WRONG', 'The password is wrong.', { field: 'password' })
  await checkCode(ctx, memberId, code)
  await ctx.models.Member.updateOne({ _id: memberId }, { $set: { twoFactor: null, twoFactorPending: null } })
  await securityNotice(ctx, member as MemberDoc, 'twoFactorOff')
}

/** After the right password of a member with two-factor sign-in: the token that carries the sign-in to the code step. */
export async function openChallenge(ctx: ServiceContext, memberId: MemberDoc['_id']): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await ctx.models.LoginChallenge.create({ _id: sha256(token), memberId, expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS), attempts: 0 })
  return token
}

/** The code step of a sign-in: the member, once; a wrong code counts, five end the challenge. */
export async function answerChallenge(ctx: ServiceContext, token: string, code: string): Promise<string> {
  const { LoginChallenge } = ctx.models
  const _id = sha256(token)
  const challenge = await LoginChallenge.findOneAndUpdate({ _id }, { $inc: { attempts: 1 } }, { returnDocument: 'after' }).lean()
  if (!challenge) throw new AppError('TOKEN_INVALID', 'This sign-in is not valid any more: sign in again.')
  if (challenge.expiresAt.getTime() <= Date.now()) {
    await LoginChallenge.deleteOne({ _id })
    throw new AppError('TOKEN_EXPIRED', 'This sign-in took too long: sign in again.')
  }
  if (challenge.attempts > CHALLENGE_ATTEMPTS) {
    await LoginChallenge.deleteOne({ _id })
    throw new AppError('TOKEN_INVALID', 'Too many wrong codes: sign in again.')
  }
  await checkCode(ctx, challenge.memberId.toString(), code, { attemptsLeft: CHALLENGE_ATTEMPTS - challenge.attempts })
  await LoginChallenge.deleteOne({ _id })
  return challenge.memberId.toString()
}
