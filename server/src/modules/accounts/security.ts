// Settings → Sicherheit: the password and the member's sessions.
import { AppError } from '@vernetzt/shared/errors'
import type { ServiceContext } from '../../context.ts'
import { setPassword } from './password-reset.ts'
import type { MemberDoc } from './model.ts'
import { verifyPassword } from './passwords.ts'
import { endSession } from './sessions.ts'

export interface SessionView {
  id: string
  current: boolean
  browser: string | null
  os: string | null
  createdAt: string
  lastSeenAt: string
}

/** Browser and system from a User-Agent, as a member recognises them ("Firefox", "Android"). */
export function describeDevice(userAgent: string): { browser: string | null; os: string | null } {
  const ua = userAgent
  const browser = /Edg(e|A|iOS)?\//.test(ua)
    ? 'Edge'
    : /OPR\/|Opera/.test(ua)
      ? 'Opera'
      : /SamsungBrowser\//.test(ua)
        ? 'Samsung Internet'
        : /Firefox\/|FxiOS\//.test(ua)
          ? 'Firefox'
          : /Chrome\/|CriOS\/|Chromium\//.test(ua)
            ? 'Chrome'
            : /Safari\//.test(ua) && /Version\//.test(ua)
              ? 'Safari'
              : null
  const os = /iPhone|iPad|iPod/.test(ua)
    ? 'iOS'
    : /Android/.test(ua)
      ? 'Android'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : null
  return { browser, os }
}

/** The member's live sessions, newest use first; ended ones found on the way are dropped from the index. */
export async function listSessions(ctx: ServiceContext, memberId: string, currentId: string | null): Promise<SessionView[]> {
  const { Member, Session, SessionIndex } = ctx.models
  const [index, member] = await Promise.all([SessionIndex.findById(memberId).lean(), Member.findById(memberId, { sessionsNotBefore: 1 }).lean()])
  const ids = index?.ids ?? []
  const sessions = await Promise.all(ids.map((id) => Session.findById(id).lean()))
  const now = Date.now()
  const cutoff = member?.sessionsNotBefore?.getTime() ?? 0
  const live = sessions.filter((s): s is NonNullable<typeof s> => !!s && s.expiresAt.getTime() > now && s.createdAt.getTime() >= cutoff)
  const gone = ids.filter((id) => !live.some((s) => s._id === id))
  if (gone.length) await SessionIndex.updateOne({ _id: memberId }, { $pullAll: { ids: gone } })
  return live
    .sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime())
    .map((s) => ({
      id: String(s._id),
      current: s._id === currentId,
      ...describeDevice(s.userAgent ?? ''),
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt.toISOString(),
    }))
}

/** Ends one of the member's own sessions (another device); someone else's answers like a missing one. */
export async function endOwnSession(ctx: ServiceContext, memberId: string, id: string): Promise<void> {
  const session = await ctx.models.Session.findById(id, { userId: 1 }).lean()
  if (!session || session.userId.toString() !== memberId) throw new AppError('NOT_FOUND', 'There is no such session.')
  await endSession(ctx, id, memberId)
}

/** A new password, after the current one: every session ends (the caller opens a fresh one here), and a notice goes out. */
export async function changePassword(ctx: ServiceContext, memberId: string, current: string, next: string): Promise<MemberDoc> {
  const member = await ctx.models.Member.findById(memberId).lean()
  if (!member) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  if (!(await verifyPassword(member.passwordHash ?? null, current)))
    throw new AppError('CURRENT_PASSWORD_WRONG', 'The current password is wrong.', { field: 'current' })
  await setPassword(ctx, member as MemberDoc, next)
  return { ...(member as MemberDoc), pendingEmail: null } // setPassword cancels an address change
}
