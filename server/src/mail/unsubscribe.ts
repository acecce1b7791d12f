// Unsubscribe links: "<member>.<kind>.<mac>", an HMAC under a key derived from SESSION_SECRET,
// so a link works without a session (RFC 8058 one-click comes from the mail provider, not the
// member's browser) and nobody can make one for someone else. Nothing is stored.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'
import { MAIL_KINDS, type MailKind } from '@vernetzt/shared/schemas/notifications'

const keyOf = (secret: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'vernetzt unsubscribe', 32))
const macOf = (secret: string, memberId: string, kind: string) =>
  createHmac('sha256', keyOf(secret)).update(`${memberId}:${kind}`).digest().subarray(0, 16).toString('base64url')

export function unsubscribeToken(secret: string, memberId: string, kind: MailKind): string {
  return `${memberId}.${kind}.${macOf(secret, memberId, kind)}`
}

/** The member and kind a token stands for, or null when it is not one of ours. */
export function readUnsubscribeToken(secret: string, token: string): { memberId: string; kind: MailKind } | null {
  const [memberId = '', kind = '', mac = ''] = token.split('.')
  if (!/^[a-f0-9]{24}$/.test(memberId) || !(MAIL_KINDS as readonly string[]).includes(kind)) return null
  const expected = Buffer.from(macOf(secret, memberId, kind))
  const given = Buffer.from(mac)
  return given.length === expected.length && timingSafeEqual(given, expected) ? { memberId, kind: kind as MailKind } : null
}

/** The two addresses a non-essential mail carries: the page with a button, and the one-click POST. */
export function unsubscribeLinks(publicUrl: string, secret: string, memberId: string, kind: MailKind): { page: string; oneClick: string } {
  const token = unsubscribeToken(secret, memberId, kind)
  return { page: `${publicUrl}/unsubscribe?token=${token}`, oneClick: `${publicUrl}/api/v1/mail/unsubscribe?token=${token}` }
}
