// The accounts module's face: members, their lookups and summaries, passwords and sessions.
export { SUMMARY_FIELDS, avatarUrl, memberCards, memberSummaries, sponsorSummary, toMemberSummary, type MemberCard } from './dto.ts'
export { ROOT_KEY, emailKey, findMemberByEmail, findMemberByHandle, findRoot, handleKey, normalizeEmail } from './lookup.ts'
export type { MemberDoc } from './model.ts'
export { hashPassword, verifyPassword } from './passwords.ts'
export { SESSION_COOKIE, SESSION_DAYS, createSession, resolveSession, resolveSessionDetail, revokeSession, sweepExpiredSessions } from './sessions.ts'
export { getMe, login, refuseSuspended, toMe } from './service.ts'
export { formatWhen, langOf, noMailFor } from './notices.ts'
