import type { MailJob } from '../mail/job.ts'

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
}
