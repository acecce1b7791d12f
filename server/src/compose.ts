import type { FastifyBaseLogger } from 'fastify'
import type { Config } from './config.ts'
import { NO_REALTIME, type ModuleSubscription, type ServiceContext } from './context.ts'
import type { Models } from './db/models.ts'
import { CROSS_NODE_EVENTS, EventBus } from './events/index.ts'
import type { AppJobs } from './jobs/catalog.ts'
import { JobRunner } from './jobs/index.ts'
import { sendMailJob } from './mail/outbox.ts'
import { accountSubscription } from './modules/accounts/subscribers.ts'
import { commerceSubscription } from './modules/commerce/subscribers.ts'
import { finalizeJob } from './modules/commerce/report-final.ts'
import { groupSubscription } from './modules/groups/subscribers.ts'
import { mentionSubscription } from './modules/mentions/subscribers.ts'
import { sendDigest } from './modules/digest/index.ts'
import { digestSubscription } from './modules/digest/subscribers.ts'
import { sendMissedMail } from './modules/messaging/missed-mail.ts'
import { messagingSubscription } from './modules/messaging/subscribers.ts'
import { notificationSubscription } from './modules/notifications/subscribers.ts'
import { onboardingSubscription } from './modules/onboarding/subscribers.ts'
import { backfill, fanOut } from './modules/posts/delivery.ts'
import { postSubscription } from './modules/posts/subscribers.ts'
import { referralSubscription } from './modules/referrals/subscribers.ts'

/**
 * Who reacts to what, in this order for every event: caches and rooms first (messaging's
 * `everyNode` handlers run before all others), then the modules that write (groups, messaging's
 * welcome chat), then checklists, mentions and notices.
 */
export const SUBSCRIPTIONS: ModuleSubscription[] = [
  accountSubscription,
  messagingSubscription,
  groupSubscription,
  referralSubscription,
  postSubscription,
  commerceSubscription,
  onboardingSubscription,
  mentionSubscription,
  notificationSubscription,
  digestSubscription,
]

/** The service context every request, job and script uses: config, models, log, events, sockets. */
export function createContext(
  parts: { config: Config; models: Models; log: FastifyBaseLogger },
  subscriptions = SUBSCRIPTIONS,
): { ctx: ServiceContext; bus: EventBus<ServiceContext>; jobs: JobRunner<ServiceContext, AppJobs> } {
  const bus = new EventBus<ServiceContext>(parts.log, CROSS_NODE_EVENTS)
  for (const subscription of subscriptions) bus.register(subscription)
  const ctx = { ...parts, events: bus, realtime: NO_REALTIME } as Omit<ServiceContext, 'jobs'> as ServiceContext
  // Each module's job handlers are defined here, beside its subscribers (see jobs/catalog.ts).
  const jobs = new JobRunner<ServiceContext, AppJobs>(ctx)
    // One fan-out at a time per node keeps an author's posts in order in every feed it writes.
    .define('feed.fanout', fanOut, { concurrency: 1, maxAttempts: 8, leaseMs: 20_000 })
    // A backfill that waits for a running fan-out tries again after 0.5, 1, 2… s.
    .define('feed.backfill', backfill, { concurrency: 2, maxAttempts: 10, backoffMs: 500, maxBackoffMs: 10_000 })
    // A closed month's reports, stored for good a minute after the close.
    .define('reports.finalize', finalizeJob, { concurrency: 1, maxAttempts: 10, leaseMs: 120_000 })
    // Mail: a refusing or unreachable SMTP server is tried again after 30 s, 1, 2, 4… min (at most 4 h apart), for about half a day.
    .define('mail.send', sendMailJob, { concurrency: 2, maxAttempts: 12, leaseMs: 15_000, backoffMs: 30_000, maxBackoffMs: 4 * 60 * 60_000 })
    // Missed messages: looked at once their delay passed (a member reading meanwhile gets nothing).
    .define('mail.missed', async (c, job) => void (await sendMissedMail(c, job)), { concurrency: 2, maxAttempts: 6, leaseMs: 30_000 })
    // Digests: one member's at a time per node is plenty (a few dozen _id reads each).
    .define('mail.digest', async (c, job) => void (await sendDigest(c, job)), { concurrency: 1, maxAttempts: 6, leaseMs: 60_000 })
  ctx.jobs = jobs
  bus.bind(ctx)
  return { ctx, bus, jobs }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The event bus behind ctx.events: the app connects it to Redis and waits for it at shutdown. */
    events: EventBus<ServiceContext>
    /** The job runner behind ctx.jobs: main.ts starts and stops it. */
    jobs: JobRunner<ServiceContext, AppJobs>
  }
}
