import { createHmac, randomBytes } from 'node:crypto'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'

export const SESSION_COOKIE = 'vz_session'
export const SESSION_DAYS = 30
const DAY = 86_400_000
/** lastSeenAt is refreshed at most this often, so reads do not turn into writes. */
const TOUCH_EVERY = 60 * 60_000

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
  const session = await ctx.models.Session.findById(id).lean()
  if (!session) return null
  const now = Date.now()
  if (session.expiresAt.getTime() <= now) {
    await ctx.models.Session.deleteOne({ _id: id })
    return null
  }
  const member = await ctx.models.Member.findById(session.userId, { handle: 1, role: 1 }).lean()
  if (!member) return null
  let expiresAt = session.expiresAt
  if (now - session.lastSeenAt.getTime() > TOUCH_EVERY) {
    // Sliding expiry: an active member stays signed in.
    expiresAt = new Date(now + SESSION_DAYS * DAY)
    await ctx.models.Session.updateOne({ _id: id }, { $set: { lastSeenAt: new Date(now), expiresAt } })
  }
  return { actor: { id: member._id.toString(), handle: member.handle, role: member.role }, sessionId: id, expiresAt }
}

/** Signs a session out: it is gone from the database, and its open sockets close on every node. */
export async function revokeSession(ctx: ServiceContext, token: string | undefined): Promise<void> {
  if (!token || token.length > 100) return
  const id = sessionId(ctx, token)
  await ctx.models.Session.deleteOne({ _id: id })
  ctx.realtime.endSession(id)
}

/** Expiry without TTL indexes (FerretDB v1 has none): a periodic sweep. Open sockets close at their session's end by themselves (realtime/socket.ts). */
export async function sweepExpiredSessions(ctx: ServiceContext): Promise<number> {
  const result = await ctx.models.Session.deleteMany({ expiresAt: { $lte: new Date() } })
  return result.deletedCount ?? 0
}
