import type { ModuleSubscription } from '../../context.ts'
import { messageMemo } from './messages.ts'
import { chatNotices } from './notices.ts'
import { forgetMember, forgetRoomAccess, forgetRoomsOf } from './state.ts'
import { openOnboardingConversation } from './welcome.ts'

/**
 * The chat's reactions. What this node caches about members and room access is forgotten on
 * every node (`everyNode`), so a removed member or a changed name takes effect everywhere at once.
 */
export const messagingSubscription: ModuleSubscription = {
  module: 'messaging',
  everyNode: {
    // The room gate remembers "no" as well as "yes": both are forgotten when membership changes.
    'group.member_joined': (ctx, e) => forgetRoomAccess(ctx, e.groupId, e.memberId),
    'group.member_left': (ctx, e) => forgetRoomAccess(ctx, e.groupId, e.memberId),
    // A move takes members out of old team groups and into new ones.
    'member.moved': (ctx, e) => forgetRoomsOf(ctx, e.movedIds),
    'member.block_changed': (ctx, e) => {
      forgetMember(ctx, e.memberId)
      forgetMember(ctx, e.otherId)
    },
    // The chat shows a new name or picture at once.
    'profile.updated': (ctx, e) => forgetMember(ctx, e.memberId),
    'profile.avatar_changed': (ctx, e) => forgetMember(ctx, e.memberId),
    // A new role (an admin made, a customer become partner) shows at once too.
    'member.access_changed': (ctx, e) => forgetMember(ctx, e.memberId),
    // An edited or deleted message is read again.
    'message.changed': (ctx, e) => messageMemo(ctx).forget(e.messageId),
  },
  subscribers: {
    // The sponsor's welcome chat opens on the day a recruit joins.
    'member.joined': (ctx, e) => openOnboardingConversation(ctx, e),
    // Sockets leave the room at once, on every node (socket.io's adapter carries it).
    'group.member_left': (ctx, e) => ctx.realtime.leaveRoom(e.memberId, e.groupId),
    'member.block_changed': (ctx, e) => {
      if (!e.blocked) return
      ctx.realtime.stopWatching(e.otherId, e.memberId)
      ctx.realtime.stopWatching(e.memberId, e.otherId)
    },
    ...chatNotices,
  },
}
