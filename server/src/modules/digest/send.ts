// The digest job: once per day or week at the member's morning, a mail with what happened in
// their team and groups since the last one, unless there is nothing to tell.
import { translate, type Lang } from '@vernetzt/shared/i18n'
import type { ServiceContext } from '../../context.ts'
import type { DigestJob } from '../../jobs/catalog.ts'
import type { RunningJob } from '../../jobs/index.ts'
import { queueMail } from '../../mail/outbox.ts'
import { renderMail, type MailParts } from '../../mail/render.ts'
import { unsubscribeLinks } from '../../mail/unsubscribe.ts'
import { langOf, noMailFor } from '../accounts/index.ts'
import { mailPreferences } from '../notifications/index.ts'
import { collectDigest, DIGEST_NAMED, isEmpty, type DigestContent } from './collect.ts'
import type { DigestBoxDoc } from './model.ts'
import { nextDigestAt } from './schedule.ts'

const jobKey = (memberId: string, due: Date) => `${memberId}:${due.toISOString()}`

/**
 * Sets the member's next digest by their current choice and time zone (a member new to digests
 * starts their window now). The box is written before the job, and a job counts only while its
 * due time is the box's: after a change of mind the earlier job finds itself replaced and ends.
 */
export async function scheduleDigest(ctx: ServiceContext, memberId: string, now = new Date()): Promise<Date | null> {
  const { mail, quietHours } = await mailPreferences(ctx, memberId)
  const box = await ctx.models.DigestBox.findById(memberId).lean()
  let start: Pick<DigestBoxDoc, 'since' | 'downlineSeq' | 'noteSeq'> | null = null
  if (!box) {
    const member = await ctx.models.Member.findById(memberId, { downlineSeq: 1 }).lean()
    if (!member) return null
    start = { since: now, downlineSeq: (member.downlineSeq ?? {}) as Record<string, number>, noteSeq: 0 }
  }
  const onInsert = start ? { $setOnInsert: start } : {}
  if (mail.digest === 'off') {
    await ctx.models.DigestBox.updateOne({ _id: memberId }, { ...onInsert, $set: { nextAt: null } }, { upsert: true })
    return null
  }
  const due = nextDigestAt(now, quietHours.timeZone, mail.digest)
  if (box?.nextAt?.getTime() === due.getTime()) return due
  await planNext(ctx, memberId, due, onInsert)
  return due
}

/** Makes `due` the box's next time (with `update`'s other changes) and enqueues its job: box first, then job. */
async function planNext(ctx: ServiceContext, memberId: string, due: Date, update: { $set?: Partial<DigestBoxDoc>; $setOnInsert?: Partial<DigestBoxDoc> }) {
  await ctx.models.DigestBox.updateOne({ _id: memberId }, { ...update, $set: { ...update.$set, nextAt: due } }, { upsert: true })
  await ctx.jobs.enqueue('mail.digest', jobKey(memberId, due), { memberId, due: due.toISOString() }, { runAt: due })
}

/** Members from before digests existed get their first one, once per database (in the background at start). */
export async function scheduleEveryone(ctx: ServiceContext): Promise<number> {
  const marker = '@scheduled'
  if (await ctx.models.DigestBox.exists({ _id: marker })) return 0
  const members = await ctx.models.Member.find({}, { _id: 1 }).lean()
  let scheduled = 0
  for (const m of members) {
    if (await ctx.models.DigestBox.exists({ _id: m._id.toString() })) continue
    if (await scheduleDigest(ctx, m._id.toString())) scheduled++
  }
  await ctx.models.DigestBox.updateOne({ _id: marker }, { $setOnInsert: { since: new Date(), nextAt: null } }, { upsert: true })
  return scheduled
}

type Outcome = 'sent' | 'empty' | 'unverified' | 'suspended' | 'off' | 'replaced'

export async function sendDigest(ctx: ServiceContext, run: Pick<RunningJob<DigestJob>, 'payload'>): Promise<Outcome> {
  const { memberId } = run.payload
  const due = new Date(run.payload.due)
  const box = await ctx.models.DigestBox.findById(memberId).lean()
  if (!box || box.nextAt?.getTime() !== due.getTime()) return 'replaced'
  const member = await ctx.models.Member.findById(memberId, { email: 1, displayName: 1, lang: 1, emailVerifiedAt: 1, downlineSeq: 1, suspension: 1 }).lean()
  if (!member) return 'replaced'
  const { mail, quietHours } = await mailPreferences(ctx, memberId)
  if (mail.digest === 'off') {
    await ctx.models.DigestBox.updateOne({ _id: memberId }, { $set: { nextAt: null } })
    return 'off'
  }
  const now = new Date()
  const content = await collectDigest(ctx, member, box)
  let outcome: Outcome = isEmpty(content) ? 'empty' : 'sent'
  // Not for an unconfirmed address or a suspended member; the window moves on regardless.
  outcome = noMailFor(member) ?? outcome
  if (outcome === 'sent') {
    const lang = langOf(member)
    const links = unsubscribeLinks(ctx.config.publicUrl, ctx.config.sessionSecret, memberId, 'digest')
    const rendered = renderMail(
      lang,
      ctx.config.root.displayName,
      digestParts(lang, ctx, { name: member.displayName, every: mail.digest, since: box.since, content, unsubscribeUrl: links.page }),
    )
    // The id makes a repeated run (a crash before the box moved on) send nothing twice.
    await queueMail(ctx, { id: `digest:${jobKey(memberId, due)}`, kind: 'digest', to: member.email, ...rendered, unsubscribeUrl: links.oneClick })
  }
  await planNext(ctx, memberId, nextDigestAt(now, quietHours.timeZone, mail.digest), {
    $set: { since: now, downlineSeq: { ...box.downlineSeq, ...content.downlineSeq }, noteSeq: Math.max(box.noteSeq, content.noteSeq) },
  })
  return outcome
}

/** The mail's parts in `lang`: a section per kind of news, each naming a few and counting the rest. */
export function digestParts(
  lang: Lang,
  ctx: Pick<ServiceContext, 'config'>,
  d: { name: string; every: 'daily' | 'weekly'; since: Date; content: DigestContent; unsubscribeUrl: string },
): MailParts {
  const url = ctx.config.publicUrl
  const site = ctx.config.root.displayName
  const t = translate
  const { recruits, lessons, requests, posts } = d.content
  const more = (count: number, shown: number) => (count > shown ? [{ text: t(lang, 'mail.digest.more', { n: count - shown }) }] : [])
  const sections: NonNullable<MailParts['sections']> = []
  if (recruits.count) {
    sections.push({
      heading: t(lang, 'mail.digest.recruits', { n: recruits.count }),
      items: [
        ...recruits.named.map((r) => ({
          text: t(lang, r.level === 1 ? 'mail.digest.recruitDirect' : 'mail.digest.recruitLevel', { name: r.name, handle: r.handle, level: r.level }),
          url: `${url}/p/${r.handle}`,
        })),
        ...more(recruits.count, recruits.named.length),
      ],
    })
  }
  if (lessons.count) {
    sections.push({
      heading: t(lang, 'mail.digest.lessons', { n: lessons.count }),
      items: [
        ...lessons.named.map((l) => ({ text: t(lang, 'mail.digest.lesson', { name: l.name, lesson: l.lessonTitle }), url: `${url}/lessons/${l.lessonId}` })),
        ...more(lessons.count, Math.min(lessons.count, DIGEST_NAMED)),
      ],
    })
  }
  if (requests.length) {
    sections.push({
      heading: t(lang, 'mail.digest.requests', { n: requests.length }),
      items: requests.map((r) => ({ text: t(lang, 'mail.digest.request', { name: r.name, group: r.groupName }), url: `${url}/groups/${r.slug}` })),
    })
  }
  if (posts.length) {
    sections.push({
      heading: t(lang, 'mail.digest.posts'),
      items: posts.map((p) => ({
        text: t(lang, 'mail.digest.post', {
          name: p.authorName,
          text: p.excerpt,
          likes: t(lang, 'mail.digest.likes', { n: p.likes }),
          comments: t(lang, 'mail.digest.comments', { n: p.comments }),
        }),
        url: p.url,
      })),
    })
  }
  const since = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'de-DE', { day: 'numeric', month: 'long' }).format(d.since)
  return {
    subject: t(lang, d.every === 'daily' ? 'mail.digest.subjectDaily' : 'mail.digest.subjectWeekly', { site }),
    name: d.name,
    paragraphs: [t(lang, 'mail.digest.intro', { since })],
    sections,
    action: { label: t(lang, 'mail.digest.action', { site }), url: `${url}/feed` },
    after: [t(lang, d.every === 'daily' ? 'mail.digest.whyDaily' : 'mail.digest.whyWeekly')],
    unsubscribe: { label: t(lang, 'mail.digest.unsubscribe'), url: d.unsubscribeUrl },
  }
}
