// Reading what the run's Mailpit received, through its API (tests never use a fake transport).
import { inject } from 'vitest'

export interface MailSummary {
  ID: string
  MessageID: string
  Subject: string
  To: Array<{ Address: string }>
}

export interface MailDetail extends MailSummary {
  Text: string
  HTML: string
}

/** Every mail to `address` that has arrived, newest first. */
export async function mailsTo(address: string, base = inject('mailpitUrl')): Promise<MailSummary[]> {
  const res = await fetch(`${base}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=200`)
  if (!res.ok) throw new Error(`Mailpit search answered ${res.status}`)
  return ((await res.json()) as { messages: MailSummary[] }).messages
}

/** Waits until at least `count` mails to `address` arrived (they go through the outbox job). */
export async function waitForMails(address: string, count = 1, options: { ms?: number; base?: string } = {}): Promise<MailSummary[]> {
  const deadline = Date.now() + (options.ms ?? 20_000)
  for (;;) {
    const found = await mailsTo(address, options.base)
    if (found.length >= count) return found
    if (Date.now() > deadline) throw new Error(`${found.length} of ${count} mails to ${address} arrived in time`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export async function readMail(id: string, base = inject('mailpitUrl')): Promise<MailDetail> {
  const res = await fetch(`${base}/api/v1/message/${id}`)
  if (!res.ok) throw new Error(`Mailpit message answered ${res.status}`)
  return (await res.json()) as MailDetail
}

export async function mailHeaders(id: string, base = inject('mailpitUrl')): Promise<Record<string, string[]>> {
  const res = await fetch(`${base}/api/v1/message/${id}/headers`)
  if (!res.ok) throw new Error(`Mailpit headers answered ${res.status}`)
  return (await res.json()) as Record<string, string[]>
}

/** The first link in a mail's text that starts with `prefix`. */
export function linkIn(text: string, prefix: string): string {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const found = new RegExp(`${escaped}\\S+`).exec(text)
  if (!found) throw new Error(`no link starting with ${prefix} in:\n${text}`)
  return found[0]
}

/** Confirms `email` the way its owner does: the link from the verification mail, opened (its token posted). */
export async function confirmAddress(server: { url: string; config: { publicUrl: string } }, email: string): Promise<void> {
  const verify = (await waitForMails(email))[0]!
  const token = new URL(linkIn((await readMail(verify.ID)).Text, `${server.config.publicUrl}/verify-email?token=`)).searchParams.get('token')
  const res = await fetch(`${server.url}/api/v1/auth/verify-email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  })
  if (res.status !== 200) throw new Error(`verifying ${email} answered ${res.status}`)
}
