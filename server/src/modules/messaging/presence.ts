import type { Presence } from '@vernetzt/shared/schemas/messages'
import { rooms } from '@vernetzt/shared/realtime'
import type { Socket } from 'socket.io'
import type { Actor, ServiceContext } from '../../context.ts'
import { access } from './access.ts'
import type { PresenceDoc } from './model.ts'

/** A member counts as online while a socket renews this; a crashed node's users fade out after it. */
export const ONLINE_TTL_MS = 90_000
export const HEARTBEAT_MS = 60_000

/** Presence as others may see it: nothing at all for members who switched it off. */
export async function presenceOf(ctx: ServiceContext, memberIds: string[], now = Date.now()): Promise<Presence[]> {
  const rows = await Promise.all(
    memberIds.map(async (id) => {
      const [member, presence] = await Promise.all([
        ctx.models.Member.findById(id, { handle: 1, showPresence: 1 }).lean(),
        ctx.models.Presence.findById(id).lean() as Promise<PresenceDoc | null>,
      ])
      if (!member) return null
      if (member.showPresence === false) return { handle: member.handle, online: null, lastSeenAt: null }
      return { handle: member.handle, online: !!presence && presence.onlineUntil.getTime() > now, lastSeenAt: presence?.lastSeenAt.toISOString() ?? null }
    }),
  )
  return rows.filter((r) => r !== null)
}

export async function announcePresence(ctx: ServiceContext, memberId: string): Promise<void> {
  const [presence] = await presenceOf(ctx, [memberId])
  // A node shutting down may have closed its Redis link while this was being read.
  if (presence && !ctx.realtime.stopping) ctx.realtime.to(rooms.presence(memberId)).emit('presence', presence)
}

/** A socket of the member connected or renewed its heartbeat; watchers hear when they come online. */
export async function markOnline(ctx: ServiceContext, memberId: string): Promise<void> {
  if (ctx.realtime.stopping) return
  const now = new Date()
  const before = (await ctx.models.Presence.findOneAndUpdate(
    { _id: memberId },
    { $set: { onlineUntil: new Date(now.getTime() + ONLINE_TTL_MS), lastSeenAt: now } },
    { upsert: true },
  ).lean()) as PresenceDoc | null
  if (!before || before.onlineUntil.getTime() <= now.getTime()) await announcePresence(ctx, memberId)
}

/** A tab of the member is in view (see ClientToServerEvents.visible). */
export async function markVisible(ctx: ServiceContext, memberId: string): Promise<void> {
  const now = new Date()
  await ctx.models.Presence.updateOne({ _id: memberId }, { $set: { visibleAt: now, lastSeenAt: now } })
}

/** When a tab of the member was last in view, or null. */
export async function lastVisibleAt(ctx: ServiceContext, memberId: string): Promise<Date | null> {
  return ((await ctx.models.Presence.findById(memberId, { visibleAt: 1 }).lean()) as PresenceDoc | null)?.visibleAt ?? null
}

/** A socket closed: offline only when none of the member's sockets is left on any node. */
export async function markOffline(ctx: ServiceContext, memberId: string): Promise<void> {
  if (ctx.realtime.stopping) return
  // A node shutting down closes its sockets without asking the others (its Redis link is going
  // away too); its members fade to "last seen" when their heartbeat expires.
  if (await ctx.realtime.anyIn(rooms.user(memberId))) return
  const now = new Date()
  await ctx.models.Presence.updateOne({ _id: memberId }, { $set: { onlineUntil: now, lastSeenAt: now } }, { upsert: true })
  await announcePresence(ctx, memberId)
}

const watching = new WeakMap<Socket, string[]>()

/**
 * The socket follows the presence of one conversation's other participants (the chat it shows);
 * a new watch replaces the previous one. Group rooms have no presence: too many people.
 */
export async function watchPresence(ctx: ServiceContext, socket: Socket, actor: Actor, conversationId: string): Promise<Presence[]> {
  const { conversation } = await access(ctx, conversationId, actor.id)
  for (const room of watching.get(socket) ?? []) void socket.leave(room)
  const me = await ctx.models.Member.findById(actor.id, { blocked: 1, blockedBy: 1 }).lean()
  const apart = new Set([...(me?.blocked ?? []), ...(me?.blockedBy ?? [])].map(String))
  // Whoever blocked, or was blocked by, the watcher is not watched: presence stays between people who talk.
  const others = conversation.participantIds.map(String).filter((id) => id !== actor.id && !apart.has(id))
  const joined = others.map((id) => rooms.presence(id))
  watching.set(socket, joined)
  await socket.join(joined)
  return presenceOf(ctx, others)
}
