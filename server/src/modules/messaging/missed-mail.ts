// "Du hast eine neue Nachricht": a mail when a message stays unread while its reader is away,
// once per unread stretch of a conversation (the stretch the in-app notice was for).
import type { MessageKey } from '@vernetzt/shared/i18n'
import { translate } from '@vernetzt/shared/i18n'
import type { ServiceContext } from '../../context.ts'
import type { MissedMessageJob } from '../../jobs/catalog.ts'
import type { RunningJob } from '../../jobs/index.ts'
import { queueMail } from '../../mail/outbox.ts'
import { renderMail } from '../../mail/render.ts'
import { unsubscribeLinks } from '../../mail/unsubscribe.ts'
import { langOf, noMailFor } from '../accounts/index.ts'
import { mailPreferences, quietUntil } from '../notifications/index.ts'
import type { ParticipantDoc } from './model.ts'
import { lastVisibleAt } from './presence.ts'

/** A member seen in a visible tab this recently counts as online: no mail. */
export const ONLINE_WINDOW_MS = 5 * 60_000

/**
 * A message arrived unread: the mail waits its delay, then looks again. One job per unread
 * stretch (`stretch`: its first seq), so later messages of the same stretch add nothing.
 */
export async function scheduleMissedMail(ctx: ServiceContext, stretch: number, job: MissedMessageJob): Promise<void> {
  await ctx.jobs.enqueue('mail.missed', `${job.participantId}:${stretch}`, job, { runAt: new Date(Date.now() + ctx.config.mail.missedAfterMs) })
}

type Outcome = 'sent' | 'read' | 'muted' | 'blocked' | 'online' | 'off' | 'unverified' | 'suspended' | 'held'

/** The job: mails the member unless they read it meanwhile, were around, or do not want it; in quiet hours it waits. */
export async function sendMissedMail(ctx: ServiceContext, run: Pick<RunningJob<MissedMessageJob>, 'key' | 'payload'>): Promise<Outcome> {
  const job = run.payload
  const now = new Date()
  const state = (await ctx.models.Participant.findById(job.participantId).lean()) as ParticipantDoc | null
  if (!state || state.lastReadSeq >= job.seq) return 'read'
  if (state.muted) return 'muted'
  const member = await ctx.models.Member.findById(job.memberId, { email: 1, displayName: 1, lang: 1, emailVerifiedAt: 1, blocked: 1, suspension: 1 }).lean()
  if (!member) return 'unverified'
  const refused = noMailFor(member)
  if (refused) return refused
  if (member.blocked?.some((id) => id.toString() === job.authorId)) return 'blocked'
  const visible = await lastVisibleAt(ctx, job.memberId)
  if (visible && now.getTime() - visible.getTime() < ONLINE_WINDOW_MS) return 'online'
  const { mail, quietHours } = await mailPreferences(ctx, job.memberId)
  if (!mail.messages) return 'off'
  const until = quietUntil(quietHours, now)
  if (until) {
    // Held until the quiet hours end, then looked at again (read by then: no mail).
    await ctx.jobs.enqueue('mail.missed', `${run.key}:after-quiet`, job, { runAt: until })
    return 'held'
  }
  const lang = langOf(member)
  const site = ctx.config.root.displayName
  const links = unsubscribeLinks(ctx.config.publicUrl, ctx.config.sessionSecret, job.memberId, 'messages')
  const where: MessageKey = job.kind === 'group' ? 'mail.missed.introGroup' : 'mail.missed.intro'
  const rendered = renderMail(lang, site, {
    subject: translate(lang, 'mail.missed.subject', { name: job.authorName }),
    name: member.displayName,
    paragraphs: [translate(lang, where, { name: job.authorName, site }), translate(lang, 'mail.missed.quote', { text: job.preview })],
    action: { label: translate(lang, 'mail.missed.action'), url: `${ctx.config.publicUrl}/messages/${job.conversationId}` },
    after: [translate(lang, 'mail.missed.why')],
    unsubscribe: { label: translate(lang, 'mail.missed.unsubscribe'), url: links.page },
  })
  await queueMail(ctx, {
    id: `missed:${run.key.replace(/:after-quiet$/, '')}`,
    kind: 'missed-message',
    to: member.email,
    ...rendered,
    unsubscribeUrl: links.oneClick,
  })
  return 'sent'
}
