import { AppError } from '@vernetzt/shared/errors'
import type { Notification, NotificationPage } from '@vernetzt/shared/schemas/moderation'
import {
  DEFAULT_MAIL_SETTINGS,
  DEFAULT_QUIET_HOURS,
  type MailKind,
  type MailSettings,
  type NotificationSettings,
  type NotificationSettingsBody,
  type QuietHours,
} from '@vernetzt/shared/schemas/notifications'
import { rooms } from '@vernetzt/shared/realtime'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { append, readStream } from '../../db/streams.ts'
import type { NotificationDoc, NotificationSettingsDoc } from './model.ts'
import { schedulePush } from './push.ts'
import { isTimeZone } from './quiet-hours.ts'

const stream = (userId: Types.ObjectId | string) => `notifications:${userId.toString()}`

function toDto(n: NotificationDoc): Notification {
  return { id: n._id.toString(), type: n.type, text: n.text, data: n.data, read: n.read, createdAt: n.createdAt.toISOString() }
}

/**
 * Stores a notification in both languages, tells the member's open tabs, and sends it as web
 * push to their browsers: at once, or during their quiet hours held until those end (see
 * push.ts). The list and the live event are never held, only the push.
 *
 * `urgent` skips quiet hours. Nothing the app sends today is urgent: a moderation limit or a
 * group request can wait until morning, and a member who is awake sees it in the app anyway.
 * It is meant for security notices (a new sign-in, a changed password) when they come.
 * `now` is the clock, for tests.
 */
export async function notify(
  ctx: ServiceContext,
  userId: Types.ObjectId | string,
  input: { type: string; text: { de: string; en: string }; data?: Record<string, string>; urgent?: boolean },
  now = new Date(),
): Promise<void> {
  userId = typeof userId === 'string' ? new Types.ObjectId(userId) : userId
  const doc = (await ctx.models.Notification.create({ userId, type: input.type, text: input.text, data: input.data ?? {} })).toObject() as NotificationDoc
  await ctx.models.Member.updateOne({ _id: userId }, { $inc: { unreadNotifications: 1 } })
  await append(ctx, [stream(userId)], doc._id)
  await ctx.events.publish('notifications.changed', { memberId: userId.toString() })
  ctx.realtime.to(rooms.user(userId.toString())).emit('notification:new', toDto(doc))
  try {
    const message = { id: doc._id.toString(), type: doc.type, text: doc.text, data: doc.data }
    const { delivery } = await schedulePush(ctx, userId.toString(), message, { urgent: input.urgent ?? false, now })
    // The member's action (a comment, a join request) does not wait for push services.
    void delivery?.catch((error: unknown) => ctx.log.warn({ err: error }, 'push delivery failed'))
  } catch (error) {
    // Push is best effort: the notification is stored and shown either way.
    ctx.log.warn({ err: error }, 'scheduling a push failed')
  }
}

export async function listNotifications(ctx: ServiceContext, actor: Actor, query: { cursor?: string; limit?: number }): Promise<NotificationPage> {
  const page = await readStream(ctx, stream(actor.id), { cursor: query.cursor, limit: query.limit ?? 20 }, async (refs) =>
    Promise.all(refs.map(async (id) => (await ctx.models.Notification.findById(id).lean()) as NotificationDoc | null)),
  )
  const me = await ctx.models.Member.findById(actor.id, { unreadNotifications: 1 }).lean()
  return { items: page.items.map(toDto), nextCursor: page.nextCursor, unread: (me as { unreadNotifications?: number } | null)?.unreadNotifications ?? 0 }
}

/** Marks the newest notifications read and resets the unread count. */
export async function markAllRead(ctx: ServiceContext, actor: Actor): Promise<void> {
  const page = await listNotifications(ctx, actor, { limit: 50 })
  for (const n of page.items.filter((n) => !n.read)) await ctx.models.Notification.updateOne({ _id: n.id }, { $set: { read: true } })
  await ctx.models.Member.updateOne({ _id: actor.id }, { $set: { unreadNotifications: 0 } })
  await ctx.events.publish('notifications.changed', { memberId: actor.id })
}

export async function getNotificationSettings(ctx: ServiceContext, actor: Actor): Promise<NotificationSettings> {
  const doc = (await ctx.models.NotificationSettings.findById(actor.id).lean()) as NotificationSettingsDoc | null
  return {
    quietHours: doc?.quietHours ?? DEFAULT_QUIET_HOURS,
    mail: mailSettingsOf(doc),
    pushDevices: doc?.pushSubscriptions?.length ?? 0,
    updatedAt: doc?.updatedAt?.toISOString() ?? null,
  }
}

export const mailSettingsOf = (doc: Pick<NotificationSettingsDoc, 'mail'> | null): MailSettings => ({ ...DEFAULT_MAIL_SETTINGS, ...(doc?.mail ?? {}) })

/** Changes any of the quiet-hours and mail fields; the others keep their value (or the default). */
export async function updateNotificationSettings(ctx: ServiceContext, actor: Actor, body: NotificationSettingsBody): Promise<NotificationSettings> {
  const current = await getNotificationSettings(ctx, actor)
  const quietHours = { ...current.quietHours, ...body.quietHours }
  if (!isTimeZone(quietHours.timeZone)) {
    throw new AppError('TIME_ZONE_UNKNOWN', `Unknown time zone "${quietHours.timeZone}".`, { field: 'quietHours.timeZone' })
  }
  const mail = { ...current.mail, ...body.mail }
  await ctx.models.NotificationSettings.updateOne({ _id: actor.id }, { $set: { quietHours, mail, updatedAt: new Date() } }, { upsert: true })
  await ctx.events.publish('notifications.settings_changed', { memberId: actor.id })
  return getNotificationSettings(ctx, actor)
}

/** One kind of mail off (an unsubscribe link); the member's other settings stay. */
export async function switchOffMail(ctx: ServiceContext, memberId: string, kind: MailKind): Promise<void> {
  const doc = (await ctx.models.NotificationSettings.findById(memberId).lean()) as NotificationSettingsDoc | null
  const mail = { ...mailSettingsOf(doc), ...(kind === 'digest' ? { digest: 'off' as const } : { messages: false }) }
  await ctx.models.NotificationSettings.updateOne({ _id: memberId }, { $set: { mail, updatedAt: new Date() } }, { upsert: true })
  await ctx.events.publish('notifications.settings_changed', { memberId })
}

/** The member's mail switches and quiet hours, for a mail about to be sent. */
export async function mailPreferences(ctx: ServiceContext, memberId: string): Promise<{ mail: MailSettings; quietHours: QuietHours }> {
  const doc = (await ctx.models.NotificationSettings.findById(memberId).lean()) as NotificationSettingsDoc | null
  return { mail: mailSettingsOf(doc), quietHours: doc?.quietHours ?? DEFAULT_QUIET_HOURS }
}
