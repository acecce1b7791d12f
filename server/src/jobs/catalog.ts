import type { MailJob } from '../mail/job.ts'

/** A message whose reader may be away (messaging/missed-mail.ts). */
export interface MissedMessageJob {
  participantId: string
  memberId: string
  conversationId: string
  kind: 'direct' | 'group'
  seq: number
  authorId: string
  authorName: string
  /** The message's start, as the in-app notice shows it. */
  preview: string
}

/** A member's next digest (digest/send.ts); it counts only while `due` is their digest box's next time. */
export interface DigestJob {
  memberId: string
  due: string
}

/**
 * The app's background jobs: name → payload. Work that must survive a crash is enqueued here
 * (`ctx.jobs.enqueue(name, key, payload)`) and handled by the module that owns it, defined in
 * server/src/compose.ts.
 */
// A type, not an interface, so it fits the runner's catalog constraint.
export type AppJobs = {
  /** A feed post's delivery to its audience's home feeds (posts/delivery.ts); key: the post id. */
  'feed.fanout': { postId: string }
  /** A new follow's backfill of recent posts (posts/delivery.ts); key: follower:followee:time. */
  'feed.backfill': {
    followerId: string
    followeeId: string
    /** When the follow began: posts from before it are brought in. */
    at: string
  }
  /** A closed period's stored reports made final, a minute after the close (commerce/report-final.ts); key: the period. */
  'reports.finalize': { period: string }
  /** One mail from the outbox to the SMTP server (mail/outbox.ts); key: the mail's id. */
  'mail.send': MailJob
  /** A message still unread after its delay, mailed unless read or its reader was around (messaging/missed-mail.ts); key: participant:seq. */
  'mail.missed': MissedMessageJob
  /** A daily or weekly digest (digest/send.ts); key: member:due. */
  'mail.digest': DigestJob
}
