import type { Notification, NotificationPage } from '@vernetzt/shared/schemas/moderation'
import { rooms } from '@vernetzt/shared/realtime'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { append, readStream } from '../../db/streams.ts'
import type { RealtimeServer } from '../../realtime/socket.ts'
import type { NotificationDoc } from './model.ts'

const stream = (userId: Types.ObjectId | string) => `notifications:${userId.toString()}`

function toDto(n: NotificationDoc): Notification {
  return { id: n._id.toString(), type: n.type, text: n.text, data: n.data, read: n.read, createdAt: n.createdAt.toISOString() }
}

/**
 * Stores a notification in both languages and pushes it to the member's open tabs. The
 * messaging issue adds quiet hours and web push on top of this.
 */
export async function notify(
  ctx: ServiceContext,
  io: RealtimeServer | null,
  userId: Types.ObjectId,
  input: { type: string; text: { de: string; en: string }; data?: Record<string, string> },
): Promise<void> {
  const doc = (await ctx.models.Notification.create({ userId, type: input.type, text: input.text, data: input.data ?? {} })).toObject() as NotificationDoc
  await ctx.models.Member.updateOne({ _id: userId }, { $inc: { unreadNotifications: 1 } })
  await append(ctx, [stream(userId)], doc._id)
  io?.to(rooms.user(userId.toString())).emit('notification:new', toDto(doc))
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
}
