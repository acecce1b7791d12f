import { createHash, type KeyObject } from 'node:crypto'
import { AppError } from '@vernetzt/shared/errors'
import { DEFAULT_QUIET_HOURS, notificationPath, type PushPayload, type PushSubscriptionBody } from '@vernetzt/shared/schemas/notifications'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { append, readStream } from '../../db/streams.ts'
import { endpointProblem, checkTargetKeys, sendPush, vapidSigningKey } from '../push/index.ts'
import type { HeldPushDoc, NotificationSettingsDoc } from './model.ts'
import { quietUntil } from './quiet-hours.ts'

/** A member keeps push on this many browsers at most; a new one beyond that replaces the oldest. */
export const MAX_PUSH_DEVICES = 10
/** How long a push service keeps a message for a browser that is offline. */
const TTL_SECONDS = 24 * 3600
const MINUTE = 60_000
/** What a push message is made of: the stored notification. */
export interface PushMessage {
  id: string
  type: string
  text: { de: string; en: string }
  data: Record<string, string>
}

export const subscriptionId = (endpoint: string) => createHash('sha256').update(endpoint).digest('base64url')
const dueStream = (minute: number) => `push-due:${minute}`
const HELD_CURSOR = 'held-pushes'

const signingKeys = new WeakMap<object, KeyObject>()
function signingKey(ctx: ServiceContext): KeyObject {
  let key = signingKeys.get(ctx.config.push.vapid)
  if (!key) {
    key = vapidSigningKey(ctx.config.push.vapid)
    signingKeys.set(ctx.config.push.vapid, key)
  }
  return key
}

const endpointRule = (ctx: ServiceContext) => ({ extraHosts: ctx.config.push.serviceHosts, allowLoopback: ctx.config.push.allowLoopback })

/** Stores this browser's subscription for the actor (the browser moves over if someone else had it). */
export async function subscribe(ctx: ServiceContext, actor: Actor, body: PushSubscriptionBody): Promise<void> {
  const problem = endpointProblem(body.endpoint, endpointRule(ctx))
  if (problem) throw new AppError('PUSH_ENDPOINT_REFUSED', `This push endpoint is not accepted: ${problem}.`, { field: 'endpoint' })
  const keys = { p256dh: body.keys.p256dh.replace(/=+$/, ''), auth: body.keys.auth.replace(/=+$/, '') }
  try {
    checkTargetKeys(keys)
  } catch (error) {
    throw new AppError('VALIDATION_FAILED', `The subscription keys are invalid: ${(error as Error).message}.`, { field: 'keys' })
  }
  const { PushSubscription, NotificationSettings } = ctx.models
  const id = subscriptionId(body.endpoint)
  const memberId = new Types.ObjectId(actor.id)
  const before = await PushSubscription.findById(id, { memberId: 1 }).lean()
  if (before && !before.memberId.equals(memberId)) {
    // The same browser, now signed in as someone else: it notifies only its current member.
    await NotificationSettings.updateOne({ _id: before.memberId.toString() }, { $pull: { pushSubscriptions: id } })
  }
  await PushSubscription.replaceOne(
    { _id: id },
    { memberId, endpoint: body.endpoint, ...keys, lang: body.lang ?? 'de', createdAt: new Date() },
    { upsert: true },
  )
  await NotificationSettings.updateOne({ _id: actor.id }, { $addToSet: { pushSubscriptions: id } }, { upsert: true })
  const settings = await NotificationSettings.findById(actor.id, { pushSubscriptions: 1 }).lean()
  const list = settings?.pushSubscriptions ?? []
  for (const old of list.slice(0, Math.max(0, list.length - MAX_PUSH_DEVICES))) await removeSubscription(ctx, actor.id, old)
}

/** Forgets this browser's subscription if it is the actor's; unknown endpoints are fine (idempotent). */
export async function unsubscribe(ctx: ServiceContext, actor: Actor, endpoint: string): Promise<void> {
  await removeSubscription(ctx, actor.id, subscriptionId(endpoint))
}

async function removeSubscription(ctx: ServiceContext, memberId: string, id: string): Promise<void> {
  // Checked by a read and deleted by bare _id: FerretDB uses its index for nothing else.
  const sub = await ctx.models.PushSubscription.findById(id, { memberId: 1 }).lean()
  if (sub && sub.memberId.toString() === memberId) await ctx.models.PushSubscription.deleteOne({ _id: id })
  await ctx.models.NotificationSettings.updateOne({ _id: memberId }, { $pull: { pushSubscriptions: id } })
}

function payloadFor(ctx: ServiceContext, message: PushMessage, lang: 'de' | 'en'): PushPayload {
  const text = message.text[lang]
  return {
    title: ctx.config.root.displayName,
    body: text.length > 600 ? `${text.slice(0, 599)}…` : text,
    url: notificationPath(message.data),
    tag: message.id,
    count: 1,
  }
}

function summaryFor(ctx: ServiceContext, count: number, lang: 'de' | 'en'): PushPayload {
  return {
    title: ctx.config.root.displayName,
    body: lang === 'de' ? `${count} neue Benachrichtigungen während deiner Ruhezeit` : `${count} new notifications during your quiet hours`,
    url: '/notifications',
    tag: 'quiet-hours-summary',
    count,
  }
}

/**
 * Sends one message to each of the member's browsers. A subscription the push service no
 * longer knows (404/410) is deleted; other failures are logged, since push is best effort.
 */
async function deliver(
  ctx: ServiceContext,
  memberId: string,
  ids: string[],
  payload: (lang: 'de' | 'en') => PushPayload,
  options: { urgency: 'normal' | 'high'; topic?: string; now: Date },
): Promise<void> {
  await Promise.all(
    ids.map(async (id) => {
      try {
        const sub = await ctx.models.PushSubscription.findById(id).lean()
        if (!sub || sub.memberId.toString() !== memberId) {
          await ctx.models.NotificationSettings.updateOne({ _id: memberId }, { $pull: { pushSubscriptions: id } })
          return
        }
        const problem = endpointProblem(sub.endpoint, endpointRule(ctx))
        if (problem) {
          ctx.log.warn({ subscription: id, problem }, 'push endpoint refused')
          return
        }
        const result = await sendPush(sub, payload(sub.lang), {
          keys: ctx.config.push.vapid,
          subject: ctx.config.push.subject,
          endpoints: endpointRule(ctx),
          ttl: TTL_SECONDS,
          urgency: options.urgency,
          ...(options.topic ? { topic: options.topic } : {}),
          now: options.now,
          signingKey: signingKey(ctx),
        })
        if (result.gone) await removeSubscription(ctx, memberId, id)
        else if (result.status >= 400) ctx.log.warn({ subscription: id, status: result.status }, 'push service refused a message')
      } catch (error) {
        ctx.log.warn({ err: error, subscription: id }, 'push delivery failed')
      }
    }),
  )
}

/**
 * Called by notify() once the notification is stored: pushes it to the member's browsers now,
 * or, during their quiet hours and unless it is urgent, holds it until they end. Returns the
 * delivery in flight (if any) so a caller may wait for it; notify() does not.
 */
export async function schedulePush(
  ctx: ServiceContext,
  memberId: string,
  message: PushMessage,
  options: { urgent: boolean; now: Date },
): Promise<{ held: Date | null; delivery: Promise<void> | null }> {
  const settings = (await ctx.models.NotificationSettings.findById(memberId).lean()) as NotificationSettingsDoc | null
  const ids = settings?.pushSubscriptions ?? []
  if (ids.length === 0) return { held: null, delivery: null }
  const until = options.urgent ? null : quietUntil(settings?.quietHours ?? DEFAULT_QUIET_HOURS, options.now)
  if (until) {
    await hold(ctx, memberId, until, message, options.now)
    return { held: until, delivery: null }
  }
  const delivery = deliver(ctx, memberId, ids, (lang) => payloadFor(ctx, message, lang), { urgency: options.urgent ? 'high' : 'normal', now: options.now })
  return { held: null, delivery }
}

async function hold(ctx: ServiceContext, memberId: string, until: Date, message: PushMessage, now: Date): Promise<void> {
  const { HeldPush } = ctx.models
  const held = (await HeldPush.findOneAndUpdate(
    { _id: memberId },
    { $inc: { count: 1 }, $set: { last: message }, $setOnInsert: { dueAt: until } },
    { upsert: true, returnDocument: 'after' },
  ).lean()) as HeldPushDoc | null
  if (!held) return
  const minute = Math.floor(until.getTime() / MINUTE)
  if (held.count === 1) {
    // The first held push of this night puts the member on the list of the minute it ends.
    await append(ctx, [dueStream(minute)], new Types.ObjectId(memberId))
  } else if (held.dueAt.getTime() < now.getTime() - 5 * MINUTE) {
    // Its minute was never flushed (the job was down for longer than it looks back): re-list it.
    await HeldPush.updateOne({ _id: memberId }, { $set: { dueAt: until } })
    await append(ctx, [dueStream(minute)], new Types.ObjectId(memberId))
  }
}

/**
 * The periodic job: delivers what was held for quiet hours that have ended, one message per
 * member (a summary when several were held). It reads the due lists of every whole minute
 * since its last run by _id. A minute is read only once it is over, so as long as the nodes'
 * clocks agree within a minute nothing is appended to a list after it was read. Any number of
 * nodes may run it: taking a member's held pushes is one atomic delete.
 */
export async function flushHeldPushes(ctx: ServiceContext, now = new Date()): Promise<number> {
  const { JobCursor, StreamEntry, StreamHead } = ctx.models
  const last = Math.floor(now.getTime() / MINUTE) - 1
  const cursor = await JobCursor.findById(HELD_CURSOR).lean()
  // A first run looks back an hour; after a long outage, at most a week.
  const from = Math.max(cursor ? cursor.minute + 1 : last - 60, last - 7 * 24 * 60)
  let flushed = 0
  for (let minute = from; minute <= last; minute++) {
    const stream = dueStream(minute)
    let page: { cursor?: string } = {}
    const members = new Set<string>()
    const seqs: number[] = []
    for (;;) {
      const result = await readStream(ctx, stream, { ...page, limit: 200 }, async (refs) => refs.map((ref) => ref.toString()))
      result.items.forEach((id) => members.add(id))
      seqs.push(...result.seqs)
      if (!result.nextCursor) break
      page = { cursor: result.nextCursor }
    }
    if (members.size === 0 && seqs.length === 0) continue
    for (const memberId of members) if (await flushMember(ctx, memberId, now)) flushed++
    for (const seq of seqs) await StreamEntry.deleteOne({ _id: `${stream}#${seq}` })
    await StreamHead.deleteOne({ _id: stream })
  }
  if (last >= from) await JobCursor.updateOne({ _id: HELD_CURSOR }, { $max: { minute: last } }, { upsert: true })
  return flushed
}

async function flushMember(ctx: ServiceContext, memberId: string, now: Date): Promise<boolean> {
  const { HeldPush, NotificationSettings } = ctx.models
  const held = await HeldPush.findById(memberId, { dueAt: 1 }).lean()
  // Gone (another node took it) or held again for a later night, listed under that minute.
  if (!held || held.dueAt.getTime() > now.getTime()) return false
  const taken = (await HeldPush.findOneAndDelete({ _id: memberId }).lean()) as HeldPushDoc | null
  if (!taken) return false
  const settings = await NotificationSettings.findById(memberId, { pushSubscriptions: 1 }).lean()
  const ids = settings?.pushSubscriptions ?? []
  const payload = (lang: 'de' | 'en') => (taken.count === 1 ? payloadFor(ctx, taken.last, lang) : summaryFor(ctx, taken.count, lang))
  await deliver(ctx, memberId, ids, payload, { urgency: 'normal', now, ...(taken.count > 1 ? { topic: 'summary' } : {}) })
  return true
}
