import { AppError } from '@vernetzt/shared/errors'
import { Types } from 'mongoose'
import type { ServiceContext } from '../../context.ts'
import {
  findMemberByHandle,
  type MemberDoc,
  ROOT_KEY,
  emailKey,
  findMemberByEmail,
  findRoot,
  handleKey,
  hashPassword,
  normalizeEmail,
} from '../accounts/index.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import type { RegisterBody } from '@vernetzt/shared/schemas/auth'
import { checkHandle, normalizeHandle } from '@vernetzt/shared/handles'
import { applyJoinCounters } from './graph.ts'

async function resolveSponsor(ctx: ServiceContext, input: RegisterBody) {
  const requested = input.sponsor ?? input.referral
  const field = input.sponsor ? 'sponsor' : 'referral'
  if (!requested) {
    const root = await findRoot(ctx)
    if (!root) throw new AppError('INTERNAL', 'The company root is missing.')
    return root
  }
  const sponsor = await findMemberByHandle(ctx, requested)
  if (!sponsor) throw new AppError('SPONSOR_NOT_FOUND', `There is no partner with the handle "${requested}".`, { field })
  if (sponsor.role !== 'partner') {
    throw new AppError('SPONSOR_NOT_PARTNER', `"${sponsor.handle}" is not a partner and cannot be a sponsor.`, { field })
  }
  return sponsor
}

/**
 * Inserts a member under a sponsor and updates the join graph; used by registration, seeds and
 * admin tooling. Without transactions, the order makes it safe: (1) a pending-join record names
 * everything that follows, (2) the handle and email keys are claimed (a duplicate means taken),
 * (3) the member is written, (4) every ancestor's counters, (5) the pending record goes. A crash
 * anywhere is finished or undone by repairPendingJoins.
 */
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
    lang?: 'de' | 'en'
    /** Addresses a script vouches for (the demo's): no verification mail. */
    emailVerifiedAt?: Date
  },
): Promise<MemberDoc> {
  const { Key, Member, PendingJoin } = ctx.models
  const _id = new Types.ObjectId()
  const upline = fields.sponsor ? [fields.sponsor._id, ...fields.sponsor.upline] : []
  const keys = [handleKey(fields.handle), emailKey(fields.email), ...(fields.isRoot ? [ROOT_KEY] : [])]
  await PendingJoin.create({ _id, keys, upline })
  const claimed: string[] = []
  // Only keys this call inserted are in `claimed`; each is removed by _id alone, because
  // FerretDB serves nothing but a bare {_id} filter from an index.
  const undo = async () => {
    for (const key of claimed) await Key.deleteOne({ _id: key })
    await PendingJoin.deleteOne({ _id })
  }
  try {
    for (const key of keys) {
      try {
        await Key.create({ _id: key, memberId: _id })
        claimed.push(key)
      } catch (error) {
        if (!isDuplicateKey(error)) throw error
        if (key.startsWith('email:')) throw new AppError('EMAIL_TAKEN', 'This email address is already registered.', { field: 'email' })
        if (key === ROOT_KEY) throw new AppError('INTERNAL', 'The company root exists already.')
        throw new AppError('HANDLE_TAKEN', `The handle "${fields.handle}" is already taken.`, { field: 'handle' })
      }
    }
    const doc = await Member.create({
      _id,
      handle: normalizeHandle(fields.handle),
      email: normalizeEmail(fields.email),
      passwordHash: fields.passwordHash,
      displayName: fields.displayName.trim(),
      role: fields.role,
      isRoot: fields.isRoot ?? false,
      sponsorId: fields.sponsor?._id ?? null,
      upline,
      depth: upline.length,
      audienceListed: true,
      lang: fields.lang ?? 'de',
      emailVerifiedAt: fields.emailVerifiedAt ?? null,
      ...(fields.createdAt ? { createdAt: fields.createdAt } : {}),
    })
    const created = doc.toObject() as MemberDoc
    await applyJoinCounters(ctx, created)
    await PendingJoin.deleteOne({ _id })
    return created
  } catch (error) {
    // Nothing of a refused registration stays behind; a crash here is left to the repair job.
    if (error instanceof AppError || isDuplicateKey(error)) await undo()
    if (isDuplicateKey(error)) {
      // The members collection's own unique indexes caught what the keys did not (data from before keys existed).
      const text = `${Object.keys((error as { keyPattern?: object }).keyPattern ?? {}).join(' ')} ${(error as Error).message}`
      if (text.includes('email')) throw new AppError('EMAIL_TAKEN', 'This email address is already registered.', { field: 'email' })
      throw new AppError('HANDLE_TAKEN', `The handle "${fields.handle}" is already taken.`, { field: 'handle' })
    }
    throw error
  }
}

export async function register(ctx: ServiceContext, input: RegisterBody): Promise<MemberDoc> {
  const handleProblem = checkHandle(input.handle)
  if (handleProblem) {
    throw new AppError(handleProblem.code, `The handle ${handleProblem.reason}.`, { field: 'handle' })
  }
  const sponsor = await resolveSponsor(ctx, input)
  // Friendly pre-checks before the slow password hash; claiming the keys stays the real guard.
  if (await ctx.models.Key.exists({ _id: handleKey(input.handle) })) {
    throw new AppError('HANDLE_TAKEN', `The handle "${normalizeHandle(input.handle)}" is already taken.`, { field: 'handle' })
  }
  if (await ctx.models.Key.exists({ _id: emailKey(input.email) })) {
    throw new AppError('EMAIL_TAKEN', 'This email address is already registered.', { field: 'email' })
  }
  const member = await insertMember(ctx, {
    handle: input.handle,
    email: input.email,
    passwordHash: await hashPassword(input.password),
    displayName: input.displayName,
    role: input.role,
    sponsor,
    lang: input.lang,
  })
  // The one place that says a member joined: course, welcome chat, live notice and checklist follow as subscribers.
  await ctx.events.publish('member.joined', {
    memberId: member._id.toString(),
    handle: member.handle,
    displayName: member.displayName,
    role: member.role,
    sponsorId: member.sponsorId?.toString() ?? null,
    lang: member.lang === 'en' ? 'en' : 'de',
    via: 'register',
  })
  return member
}

/** The top of the join graph: sponsor of everyone who arrives without a referral. Idempotent. */
export async function ensureRoot(ctx: ServiceContext): Promise<MemberDoc> {
  const existing = await findRoot(ctx)
  if (existing) return existing
  try {
    return await insertMember(ctx, {
      handle: ctx.config.root.handle,
      email: ctx.config.root.email,
      passwordHash: null,
      displayName: ctx.config.root.displayName,
      role: 'partner',
      sponsor: null,
      isRoot: true,
    })
  } catch (error) {
    // Two nodes starting at once: the other one won.
    const again = await findRoot(ctx)
    if (again) return again
    throw error
  }
}

/** Creates (or promotes) an administrator; the only ways in are ADMIN_EMAIL at boot and `npm run admin:create`. */
export async function ensureAdmin(ctx: ServiceContext, input: { email: string; password: string; handle?: string; displayName?: string }): Promise<MemberDoc> {
  const existing = await findMemberByEmail(ctx, input.email)
  if (existing) {
    if (existing.role !== 'admin') {
      await ctx.models.Member.updateOne({ _id: existing._id }, { $set: { role: 'admin' } })
      await ctx.events.publish('member.access_changed', { memberId: existing._id.toString() })
    }
    return { ...existing, role: 'admin' }
  }
  const root = await ensureRoot(ctx)
  const handle = normalizeHandle(input.handle ?? `admin-${new Types.ObjectId().toString().slice(-6)}`)
  const problem = checkHandle(handle)
  if (problem && !(problem.code === 'HANDLE_RESERVED' && input.handle === undefined)) {
    throw new AppError(problem.code, `The handle ${problem.reason}.`, { field: 'handle' })
  }
  return insertMember(ctx, {
    handle,
    email: input.email,
    passwordHash: await hashPassword(input.password),
    displayName: input.displayName ?? 'Administrator',
    role: 'admin',
    sponsor: root,
  })
}
