import { createHmac, randomBytes } from 'node:crypto'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { Memo } from '../../db/memo.ts'
import { effectiveRole } from './dto.ts'

export const SESSION_COOKIE = 'vz_session'
export const SESSION_DAYS = 30
const DAY = 86_400_000
/** lastSeenAt is refreshed at most this often, so reads do not turn into writes. */
const TOUCH_EVERY = 60 * 60_000

/**
 * Resolved sessions, per context: every request (and every API read a page makes) resolves its
 * session, and most of them within seconds of the last. Sign-out forgets a session on every
 * node (session.ended); a change of a member's access (member.access_changed) forgets all.
 * Expiry and the sliding refresh are checked against the remembered times.
 */
const resolved = new WeakMap<object, Memo<{ actor: Actor; sessionId: string; expiresAt: Date; lastSeenAt: number }>>()
export function sessionMemo(ctx: ServiceContext) {
  let memo = resolved.get(ctx.models)
  if (!memo) {
    memo = new Memo(20_000, 30_000)
    resolved.set(ctx.models, memo)
  }
  return memo
}

function sessionId(ctx: ServiceContext, token: string): string {
  return createHmac('sha256', ctx.config.sessionSecret).update(token).digest('base64url')
}

export async function createSession(
  ctx: ServiceContext,
  userId: Types.ObjectId,
  meta: { userAgent?: string; ip?: string },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url')
  const now = new Date()
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * DAY)
  await ctx.models.Session.create({
    _id: sessionId(ctx, token),
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    userAgent: (meta.userAgent ?? '').slice(0, 300),
    ip: meta.ip ?? '',
  })
  await ctx.models.SessionIndex.updateOne({ _id: userId }, { $addToSet: { ids: sessionId(ctx, token) } }, { upsert: true })
  return { token, expiresAt }
}

export async function resolveSession(ctx: ServiceContext, token: string | undefined): Promise<Actor | null> {
  return (await resolveSessionDetail(ctx, token))?.actor ?? null
}

/** The actor of a session token with the session's id and end, for sockets that must close with it. */
export async function resolveSessionDetail(
  ctx: ServiceContext,
  token: string | undefined,
): Promise<{ actor: Actor; sessionId: string; expiresAt: Date } | null> {
  if (!token || token.length > 100) return null
  const id = sessionId(ctx, token)
  const memo = sessionMemo(ctx)
  const held = memo.get(id)
  if (held && held.expiresAt.getTime() > Date.now() && Date.now() - held.lastSeenAt <= TOUCH_EVERY) {
    return { actor: held.actor, sessionId: id, expiresAt: held.expiresAt }
  }
  const startedAt = Date.now()
  const session = await ctx.models.Session.findById(id).lean()
  if (!session) return null
  const now = Date.now()
  if (session.expiresAt.getTime() <= now) {
    await ctx.models.Session.deleteOne({ _id: id })
    return null
  }
  const member = await ctx.models.Member.findById(session.userId, {
    handle: 1,
    role: 1,
    sessionsNotBefore: 1,
    twoFactor: 1,
    moderator: 1,
    suspension: 1,
  }).lean()
  // A suspended member's sessions were ended; one that shows up anyway (a node that had not heard) is refused.
  if (!member || member.suspension) return null
  // Signed out everywhere (a password reset or change) after this session began.
  if (member.sessionsNotBefore && session.createdAt.getTime() < member.sessionsNotBefore.getTime()) {
    await ctx.models.Session.deleteOne({ _id: id })
    return null
  }
  let expiresAt = session.expiresAt
  let lastSeenAt = session.lastSeenAt.getTime()
  if (now - lastSeenAt > TOUCH_EVERY) {
    // Sliding expiry: an active member stays signed in.
    expiresAt = new Date(now + SESSION_DAYS * DAY)
    lastSeenAt = now
    await ctx.models.Session.updateOne({ _id: id }, { $set: { lastSeenAt: new Date(now), expiresAt } })
  }
  const actor: Actor = { id: member._id.toString(), handle: member.handle, role: effectiveRole(member), moderator: member.moderator === true }
  memo.remember(id, { actor, sessionId: id, expiresAt, lastSeenAt }, startedAt)
  return { actor, sessionId: id, expiresAt }
}

/** Signs a session out: it is gone from the database, and its open sockets close on every node. */
export async function revokeSession(ctx: ServiceContext, token: string | undefined): Promise<void> {
  if (!token || token.length > 100) return
  await endSession(ctx, sessionId(ctx, token))
}

/** Ends one session by its id (sign-out, or the member ending it from the security settings). */
export async function endSession(ctx: ServiceContext, id: string, userId?: Types.ObjectId | string): Promise<void> {
  const owner = userId ?? (await ctx.models.Session.findById(id, { userId: 1 }).lean())?.userId
  await ctx.models.Session.deleteOne({ _id: id })
  if (owner) await ctx.models.SessionIndex.updateOne({ _id: owner }, { $pull: { ids: id } })
  await ctx.events.publish('session.ended', { sessionId: id })
  ctx.realtime.endSession(id)
}

/** The id of a session token (what the security settings call "this device"). */
export function sessionIdOf(ctx: ServiceContext, token: string | undefined): string | null {
  return token && token.length <= 100 ? sessionId(ctx, token) : null
}

/**
 * Ends every session of a member begun before now (the one created next stays): the sessions
 * collection cannot be searched by member on FerretDB without a scan, so the member's document
 * says where validity starts, and each old session is deleted when it next shows up. Every node
 * forgets the sessions it remembers, and the member's sockets close.
 */
export async function endSessionsBefore(ctx: ServiceContext, memberId: Types.ObjectId | string, now = new Date()): Promise<void> {
  await ctx.models.Member.updateOne({ _id: memberId }, { $set: { sessionsNotBefore: now } })
  await ctx.events.publish('member.access_changed', { memberId: memberId.toString() })
  ctx.realtime.endMember(memberId.toString())
}

/** Ends every session of a member (a password reset or change, "sign out everywhere"); a session created afterwards stays. */
export async function endAllSessions(ctx: ServiceContext, memberId: Types.ObjectId | string, now = new Date()): Promise<void> {
  await endSessionsBefore(ctx, memberId, now)
  const index = await ctx.models.SessionIndex.findById(memberId).lean()
  for (const id of index?.ids ?? []) await ctx.models.Session.deleteOne({ _id: id })
  if (index?.ids.length) await ctx.models.SessionIndex.updateOne({ _id: memberId }, { $pullAll: { ids: index.ids } })
}

/** Expiry without TTL indexes (FerretDB v1 has none): a periodic sweep. Open sockets close at their session's end by themselves (realtime/socket.ts). */
export async function sweepExpiredSessions(ctx: ServiceContext): Promise<number> {
  const result = await ctx.models.Session.deleteMany({ expiresAt: { $lte: new Date() } })
  return result.deletedCount ?? 0
}
