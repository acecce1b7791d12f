// /admin/members: an administrator finds a member, sees their standing, and suspends, restores,
// promotes or demotes them, or sends the verification mail again. Every change is audited with
// its reason and takes effect on every node at once (member.access_changed).
import { AppError } from '@vernetzt/shared/errors'
import type { AdminMember, Standing, StandingBody, SuspendBody } from '@vernetzt/shared/schemas/members-admin'
import { requireAdmin, type Actor, type ServiceContext } from '../../context.ts'
import { sponsorSummary } from './dto.ts'
import { resendVerification } from './email.ts'
import { findMemberByEmail, findMemberByHandle } from './lookup.ts'
import type { MemberDoc } from './model.ts'
import { profileTag } from '../../cache/policy.ts'
import { endAllSessions } from './sessions.ts'

const HISTORY = ['member.suspended', 'member.unsuspended', 'member.role_changed', 'member.verification_resent'] as const

const standingOf = (m: Pick<MemberDoc, 'role' | 'moderator'>): Standing => (m.role === 'admin' ? 'admin' : m.moderator ? 'moderator' : 'member')

async function target(ctx: ServiceContext, handle: string): Promise<MemberDoc> {
  const member = await findMemberByHandle(ctx, handle)
  if (!member) throw new AppError('MEMBER_NOT_FOUND', `There is no member "${handle}".`)
  return member
}

/** The company root holds the join graph together and never signs in: nothing here changes it. */
function refuseRoot(member: MemberDoc): void {
  if (member.isRoot) throw new AppError('ROOT_ACCOUNT', 'The company account cannot be changed.')
}

async function toAdminMember(ctx: ServiceContext, member: MemberDoc): Promise<AdminMember> {
  const index = await ctx.models.SessionIndex.findById(member._id).lean()
  const sessions = await Promise.all((index?.ids ?? []).map((id) => ctx.models.Session.findById(id, { lastSeenAt: 1, expiresAt: 1 }).lean()))
  const open = sessions.filter((s) => s && s.expiresAt > new Date() && (!member.sessionsNotBefore || s.lastSeenAt >= member.sessionsNotBefore))
  const lastSeen = open.reduce<Date | null>((latest, s) => (s && (!latest || s.lastSeenAt > latest) ? s.lastSeenAt : latest), null)
  // The audit log by subject: an index on MongoDB, a scan of the (small, admin-only) log on the embedded database.
  const history = await ctx.models.Audit.find({ subjectId: member._id, action: { $in: [...HISTORY] } })
    .sort({ createdAt: -1 })
    .limit(20)
    .lean()
  const actors = await Promise.all(history.map((h) => (h.actorId ? ctx.models.Member.findById(h.actorId, { handle: 1 }).lean() : null)))
  return {
    id: member._id.toString(),
    handle: member.handle,
    displayName: member.displayName,
    email: member.email,
    role: member.role,
    moderator: member.moderator === true,
    sponsor: await sponsorSummary(ctx, member),
    status: member.suspension ? 'suspended' : 'active',
    suspension: member.suspension
      ? { at: new Date(member.suspension.at ?? member.updatedAt).toISOString(), reason: member.suspension.reason ?? '', by: member.suspension.by ?? null }
      : null,
    emailVerified: !!member.emailVerifiedAt,
    twoFactor: !!member.twoFactor?.enabledAt,
    joinedAt: member.createdAt.toISOString(),
    lastSeenAt: lastSeen?.toISOString() ?? null,
    sessions: open.length,
    history: history.map((h, i) => ({
      action: h.action as (typeof HISTORY)[number],
      by: actors[i]?.handle ?? null,
      reason: h.reason,
      ...(typeof h.data?.to === 'string' ? { to: h.data.to } : {}),
      at: h.createdAt.toISOString(),
    })),
  }
}

/** By handle ("anna", "@anna") or exact email address: both are _id lookups. */
export async function findMembers(ctx: ServiceContext, actor: Actor, q: string): Promise<{ items: AdminMember[] }> {
  requireAdmin(actor)
  const query = q.trim()
  const member = query.includes('@') && !query.startsWith('@') ? await findMemberByEmail(ctx, query) : await findMemberByHandle(ctx, query.replace(/^@/, ''))
  return { items: member && !member.isRoot ? [await toAdminMember(ctx, member)] : [] }
}

export async function getAdminMember(ctx: ServiceContext, actor: Actor, handle: string): Promise<AdminMember> {
  requireAdmin(actor)
  return toAdminMember(ctx, await target(ctx, handle))
}

async function audit(
  ctx: ServiceContext,
  actor: Actor,
  member: MemberDoc,
  action: (typeof HISTORY)[number],
  reason: string,
  data: Record<string, unknown> = {},
) {
  await ctx.models.Audit.create({ actorId: actor.id, action, subjectId: member._id, reason, data })
}

/**
 * Suspends a member: no sign-in (every session ends now, on every node), the profile is
 * unavailable. Admins are demoted first, so the site always keeps one who can undo this.
 */
export async function suspendMember(ctx: ServiceContext, actor: Actor, handle: string, body: SuspendBody): Promise<AdminMember> {
  requireAdmin(actor)
  const member = await target(ctx, handle)
  refuseRoot(member)
  if (member.role === 'admin') throw new AppError('CANNOT_SUSPEND_ADMIN', 'Administrators cannot be suspended; demote them first.')
  const reason = body.reason.trim()
  // Written by _id alone (any other filter reads the whole members collection on the embedded
  // database); two admins suspending at the same moment both succeed, which is harmless.
  if (member.suspension) throw new AppError('ALREADY_SUSPENDED', `"${member.handle}" is suspended already.`)
  await ctx.models.Member.updateOne({ _id: member._id }, { $set: { suspension: { at: new Date(), reason, by: actor.handle } } })
  await audit(ctx, actor, member, 'member.suspended', reason)
  await endAllSessions(ctx, member._id)
  await ctx.events.publish('cache.invalidated', { tags: [profileTag(member.handle)] })
  return getAdminMember(ctx, actor, member.handle)
}

export async function unsuspendMember(ctx: ServiceContext, actor: Actor, handle: string, body: SuspendBody): Promise<AdminMember> {
  requireAdmin(actor)
  const member = await target(ctx, handle)
  if (!member.suspension) throw new AppError('NOT_SUSPENDED', `"${member.handle}" is not suspended.`)
  await ctx.models.Member.updateOne({ _id: member._id }, { $set: { suspension: null } })
  await audit(ctx, actor, member, 'member.unsuspended', body.reason.trim())
  await ctx.events.publish('member.access_changed', { memberId: member._id.toString() })
  await ctx.events.publish('cache.invalidated', { tags: [profileTag(member.handle)] })
  return getAdminMember(ctx, actor, member.handle)
}

/** Counting admins reads the members collection (a scan on the embedded database): rare, admin-only. */
const adminCount = (ctx: ServiceContext) => ctx.models.Member.countDocuments({ role: 'admin' })

/**
 * Makes a member an admin, a site-wide moderator, or neither. An admin's former role comes back
 * when they are demoted. The last admin cannot be demoted: after the write the admins are
 * counted, and if none is left the change is undone (two admins demoting each other at once
 * both find none left and both stay).
 */
export async function setStanding(ctx: ServiceContext, actor: Actor, handle: string, body: StandingBody): Promise<AdminMember> {
  requireAdmin(actor)
  const member = await target(ctx, handle)
  refuseRoot(member)
  const from = standingOf(member)
  if (from === body.standing) throw new AppError('ROLE_UNCHANGED', `"${member.handle}" is ${body.standing} already.`)
  const formerRole = member.role === 'admin' ? ((member.formerRole as 'partner' | 'customer' | null) ?? 'partner') : member.role
  if (body.standing === 'admin') {
    await ctx.models.Member.updateOne({ _id: member._id }, { $set: { role: 'admin', formerRole, moderator: false } })
  } else {
    await ctx.models.Member.updateOne({ _id: member._id }, { $set: { role: formerRole, formerRole: null, moderator: body.standing === 'moderator' } })
    if (from === 'admin' && (await adminCount(ctx)) === 0) {
      await ctx.models.Member.updateOne({ _id: member._id }, { $set: { role: 'admin', formerRole, moderator: false } })
      throw new AppError('LAST_ADMIN', 'This is the last administrator; make someone else one first.')
    }
  }
  await audit(ctx, actor, member, 'member.role_changed', body.reason.trim(), { from, to: body.standing })
  // Every node forgets the sessions it remembers: the new rights (or their end) apply to the next request.
  await ctx.events.publish('member.access_changed', { memberId: member._id.toString() })
  return getAdminMember(ctx, actor, member.handle)
}

export async function resendVerificationFor(ctx: ServiceContext, actor: Actor, handle: string): Promise<AdminMember> {
  requireAdmin(actor)
  const member = await target(ctx, handle)
  refuseRoot(member)
  await resendVerification(ctx, member._id.toString())
  await audit(ctx, actor, member, 'member.verification_resent', '')
  return getAdminMember(ctx, actor, member.handle)
}
