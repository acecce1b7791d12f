// Outgoing mail: queued as a durable job (the outbox), sent by whichever node's job runner takes
// it, with retries and backoff, at most once per mail id.
import { createHash } from 'node:crypto'
import nodemailer, { type Transporter } from 'nodemailer'
import type { ServiceContext } from '../context.ts'
import type { RunningJob } from '../jobs/index.ts'
import { seal, unseal } from '../security/seal.ts'
import type { MailJob } from './job.ts'

export type { MailJob } from './job.ts'

/** A mail ready to go: rendered, in the recipient's language. */
export interface MailMessage {
  /** The same id is sent once, however often it is queued: say what the mail is for ("verify:<member>:<token>"). */
  id: string
  /** What kind of mail (README, "Mail"): logged with every delivery. */
  kind: string
  to: string
  subject: string
  text: string
  html: string
  /** Non-essential mail: the one-click unsubscribe address (RFC 8058) for its List-Unsubscribe header. */
  unsubscribeUrl?: string
}

type Sealed = Pick<MailMessage, 'subject' | 'text' | 'html' | 'unsubscribeUrl'>

export function sealMail(secret: string, content: Sealed): string {
  return seal(secret, 'mail outbox', JSON.stringify(content))
}

export function unsealMail(secret: string, sealed: string): Sealed {
  return JSON.parse(unseal(secret, 'mail outbox', sealed)) as Sealed
}

export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase()
}

/**
 * Queues a mail and resolves once it is stored: a crash after this loses nothing. Returns false
 * when this id was queued before (nothing new is stored) or the address refuses mail.
 */
export async function queueMail(ctx: ServiceContext, mail: MailMessage): Promise<boolean> {
  if (await isSuppressed(ctx, mail.to)) return false
  const payload: MailJob = {
    id: mail.id,
    kind: mail.kind,
    to: normalizeAddress(mail.to),
    sealed: sealMail(ctx.config.sessionSecret, { subject: mail.subject, text: mail.text, html: mail.html, unsubscribeUrl: mail.unsubscribeUrl }),
  }
  const { created } = await ctx.jobs.enqueue('mail.send', mail.id, payload)
  return created
}

/** Whether an address refused mail for good (see MailSuppressionDoc). */
export async function isSuppressed(ctx: ServiceContext, address: string): Promise<boolean> {
  return (await ctx.models.MailSuppression.exists({ _id: normalizeAddress(address) })) !== null
}

/** Mail may go to the address again (its owner re-verified it, or changed it and back). */
export async function unsuppress(ctx: ServiceContext, address: string): Promise<void> {
  await ctx.models.MailSuppression.deleteOne({ _id: normalizeAddress(address) })
}

const transports = new Map<string, Transporter>()

// One connection per mail, not a pool: a pooled connection the server closed while idle fails the
// next mail, which then waits for its retry (mail volume is low; each transaction stands alone).
function transport(url: string): Transporter {
  let t = transports.get(url)
  if (!t) {
    t = nodemailer.createTransport({
      url,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    } as Parameters<typeof nodemailer.createTransport>[0])
    transports.set(url, t)
  }
  return t
}

/** Closes the SMTP connections (at shutdown, and after tests). */
export function closeTransports(): void {
  for (const t of transports.values()) t.close()
  transports.clear()
}

interface SmtpError {
  responseCode?: number
  command?: string
  response?: string
  message?: string
}

/**
 * The `mail.send` job. A mail already `sent` (the node died after sending, before the job was
 * marked done) is not sent again. Between the SMTP server's final "250 OK" and the `sent` write
 * there are a few milliseconds in which a crash makes the retry send it a second time; it then
 * carries the same Message-ID, which mail programs show once. A 5xx answer is final: to RCPT TO
 * it marks the address (nothing more is sent to it), to anything else it ends this mail. A 4xx
 * answer or a connection failure is retried with backoff.
 */
export async function sendMailJob(ctx: ServiceContext, job: RunningJob<MailJob>): Promise<void> {
  const { MailDelivery, MailSuppression } = ctx.models
  const p = job.payload
  const prior = await MailDelivery.findById(p.id, { state: 1 }).lean()
  if (prior && prior.state !== 'sending') return
  const from = ctx.config.mail.from
  const domain = /@([^>\s]+)>?$/.exec(from)?.[1] ?? 'vernetzt.invalid'
  const messageId = `<${createHash('sha256').update(p.id).digest('hex').slice(0, 32)}@${domain}>`
  const record = (state: 'sending' | 'sent' | 'rejected' | 'suppressed', response: string, attempt = false) =>
    MailDelivery.updateOne(
      { _id: p.id },
      {
        $set: { state, response: response.slice(0, 500), kind: p.kind, to: p.to, messageId, updatedAt: new Date() },
        ...(attempt ? { $inc: { attempts: 1 } } : {}),
      },
      { upsert: true },
    )
  if (await MailSuppression.exists({ _id: p.to })) {
    await record('suppressed', 'the address refused mail before')
    return
  }
  const url = ctx.config.mail.smtpUrl
  if (!url) throw new Error('no SMTP server is configured on this node (SMTP_URL)')
  const content = unsealMail(ctx.config.sessionSecret, p.sealed)
  await record('sending', '', true)
  let answer: string
  try {
    const info = (await transport(url).sendMail({
      from,
      to: p.to,
      subject: content.subject,
      text: content.text,
      html: content.html,
      messageId,
      headers: content.unsubscribeUrl ? { 'List-Unsubscribe': `<${content.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {},
    })) as { response?: string }
    answer = info.response ?? ''
  } catch (error) {
    const e = error as SmtpError
    const said = `${e.command ?? ''} ${e.response ?? e.message ?? String(error)}`.trim()
    if (e.responseCode && e.responseCode >= 500) {
      await record('rejected', said)
      if (/^RCPT/i.test(e.command ?? '')) {
        await MailSuppression.updateOne({ _id: p.to }, { $set: { reason: said.slice(0, 500), at: new Date() } }, { upsert: true })
        ctx.log.warn({ kind: p.kind, code: e.responseCode }, 'an address refused mail for good; nothing more is sent to it')
      } else {
        ctx.log.warn({ kind: p.kind, code: e.responseCode }, 'the mail server refused a mail for good')
      }
      return
    }
    await MailDelivery.updateOne({ _id: p.id }, { $set: { response: said.slice(0, 500), updatedAt: new Date() } })
    throw error
  }
  await record('sent', answer)
}
