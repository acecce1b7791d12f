import type { LoginBody, Me, RegisterBody } from '@vernetzt/shared/schemas/auth'
import { AppError } from '@vernetzt/shared/errors'
import { checkHandle, normalizeHandle } from '@vernetzt/shared/handles'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { applyJoinCounters } from '../referrals/service.ts'
import { avatarUrl, toMemberSummary } from './dto.ts'
import type { MemberDoc } from './model.ts'
import { hashPassword, verifyPassword } from './passwords.ts'

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

/** Maps a duplicate-key error (from a race the pre-checks could not see) to our codes. */
function duplicateKeyError(error: unknown): AppError | null {
  const e = error as { code?: number; message?: string; keyPattern?: Record<string, unknown> }
  if (e?.code !== 11000) return null
  const text = `${Object.keys(e.keyPattern ?? {}).join(' ')} ${e.message ?? ''}`
  if (text.includes('email')) return new AppError('EMAIL_TAKEN', 'This email address is already registered.', { field: 'email' })
  return new AppError('HANDLE_TAKEN', 'This handle is already taken.', { field: 'handle' })
}

async function resolveSponsor(ctx: ServiceContext, input: RegisterBody) {
  const requested = input.sponsor ?? input.referral
  const field = input.sponsor ? 'sponsor' : 'referral'
  if (!requested) {
    const root = await ctx.models.Member.findOne({ isRoot: true }).lean()
    if (!root) throw new AppError('INTERNAL', 'The company root is missing.')
    return root
  }
  const sponsor = await ctx.models.Member.findOne({ handle: normalizeHandle(requested) }).lean()
  if (!sponsor) throw new AppError('SPONSOR_NOT_FOUND', `There is no partner with the handle "${requested}".`, { field })
  if (sponsor.role !== 'partner') {
    throw new AppError('SPONSOR_NOT_PARTNER', `"${sponsor.handle}" is not a partner and cannot be a sponsor.`, { field })
  }
  return sponsor
}

/** Inserts a member under a sponsor and updates the join graph; used by registration, seeds and admin tooling. */
export async function insertMember(
  ctx: ServiceContext,
  fields: {
    handle: string
    email: string
    passwordHash: string | null
    displayName: string
    role: MemberDoc['role']
    sponsor: Pick<MemberDoc, '_id' | 'upline'> | null
    isRoot?: boolean
    createdAt?: Date
  },
): Promise<MemberDoc> {
  const upline = fields.sponsor ? [fields.sponsor._id, ...fields.sponsor.upline] : []
  let created: MemberDoc
  try {
    const doc = await ctx.models.Member.create({
      handle: fields.handle,
      email: fields.email,
      passwordHash: fields.passwordHash,
      displayName: fields.displayName.trim(),
      role: fields.role,
      isRoot: fields.isRoot ?? false,
      sponsorId: fields.sponsor?._id ?? null,
      upline,
      depth: upline.length,
      countersPending: upline.length > 0,
      ...(fields.createdAt ? { createdAt: fields.createdAt } : {}),
    })
    created = doc.toObject() as MemberDoc
  } catch (error) {
    throw duplicateKeyError(error) ?? error
  }
  if (upline.length > 0) await applyJoinCounters(ctx, created)
  return created
}

export async function register(ctx: ServiceContext, input: RegisterBody): Promise<MemberDoc> {
  const handleProblem = checkHandle(input.handle)
  if (handleProblem) {
    throw new AppError(handleProblem.code, `The handle ${handleProblem.reason}.`, { field: 'handle' })
  }
  const handle = normalizeHandle(input.handle)
  const email = normalizeEmail(input.email)
  const sponsor = await resolveSponsor(ctx, input)
  // Friendly pre-checks; the unique indexes stay the real guard against races.
  if (await ctx.models.Member.exists({ handle })) {
    throw new AppError('HANDLE_TAKEN', `The handle "${handle}" is already taken.`, { field: 'handle' })
  }
  if (await ctx.models.Member.exists({ email })) {
    throw new AppError('EMAIL_TAKEN', 'This email address is already registered.', { field: 'email' })
  }
  return insertMember(ctx, {
    handle,
    email,
    passwordHash: await hashPassword(input.password),
    displayName: input.displayName,
    role: input.role,
    sponsor,
  })
}

export async function login(ctx: ServiceContext, input: LoginBody): Promise<MemberDoc> {
  const member = await ctx.models.Member.findOne({ email: normalizeEmail(input.email) }).lean()
  const ok = await verifyPassword(member?.passwordHash ?? null, input.password)
  if (!member || !ok) throw new AppError('INVALID_CREDENTIALS', 'Email or password is wrong.')
  return member as MemberDoc
}

export async function getMe(ctx: ServiceContext, actor: Actor): Promise<Me> {
  const member = await ctx.models.Member.findById(actor.id).lean()
  if (!member) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  return toMe(ctx, member as MemberDoc)
}

export async function toMe(ctx: ServiceContext, member: MemberDoc): Promise<Me> {
  const sponsor = member.sponsorId
    ? await ctx.models.Member.findById(member.sponsorId, { handle: 1, displayName: 1, role: 1, avatarId: 1 }).lean()
    : null
  return {
    id: member._id.toString(),
    handle: member.handle,
    email: member.email,
    displayName: member.displayName,
    role: member.role,
    avatarUrl: avatarUrl(member),
    sponsor: sponsor ? toMemberSummary(sponsor) : null,
    depth: member.depth,
    createdAt: member.createdAt.toISOString(),
  }
}

/** The top of the join graph: sponsor of everyone who arrives without a referral. Idempotent. */
export async function ensureRoot(ctx: ServiceContext): Promise<MemberDoc> {
  const existing = await ctx.models.Member.findOne({ isRoot: true }).lean()
  if (existing) return existing as MemberDoc
  try {
    return await insertMember(ctx, {
      handle: ctx.config.root.handle,
      email: normalizeEmail(ctx.config.root.email),
      passwordHash: null,
      displayName: ctx.config.root.displayName,
      role: 'partner',
      sponsor: null,
      isRoot: true,
    })
  } catch (error) {
    // Two nodes starting at once: the other one won.
    const again = await ctx.models.Member.findOne({ isRoot: true }).lean()
    if (again) return again as MemberDoc
    throw error
  }
}

/** Creates (or promotes) an administrator; the only ways in are ADMIN_EMAIL at boot and `npm run admin:create`. */
export async function ensureAdmin(
  ctx: ServiceContext,
  input: { email: string; password: string; handle?: string; displayName?: string },
): Promise<MemberDoc> {
  const email = normalizeEmail(input.email)
  const existing = await ctx.models.Member.findOne({ email }).lean()
  if (existing) {
    if (existing.role !== 'admin') await ctx.models.Member.updateOne({ _id: existing._id }, { $set: { role: 'admin' } })
    return { ...(existing as MemberDoc), role: 'admin' }
  }
  const root = await ensureRoot(ctx)
  const handle = normalizeHandle(input.handle ?? `admin-${new Types.ObjectId().toString().slice(-6)}`)
  const problem = checkHandle(handle)
  if (problem && !(problem.code === 'HANDLE_RESERVED' && input.handle === undefined)) {
    throw new AppError(problem.code, `The handle ${problem.reason}.`, { field: 'handle' })
  }
  return insertMember(ctx, {
    handle,
    email,
    passwordHash: await hashPassword(input.password),
    displayName: input.displayName ?? 'Administrator',
    role: 'admin',
    sponsor: root,
  })
}
