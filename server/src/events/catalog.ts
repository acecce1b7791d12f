import type { OnboardingChecklist } from '@vernetzt/shared/schemas/onboarding'

/**
 * Everything that happens in Vernetzt that another module may react to, with what it carries.
 * Payloads are plain JSON (ids as strings, dates as ISO strings) so that the events in
 * CROSS_NODE_EVENTS can travel to other nodes unchanged.
 */
export interface DomainEvents {
  /** Someone signed up (or was added by a script) below a sponsor; the join graph is written. */
  'member.joined': {
    memberId: string
    handle: string
    displayName: string
    role: 'partner' | 'customer' | 'admin'
    sponsorId: string | null
    /** The language they signed up in (their mail and the company's welcome use it). */
    lang: 'de' | 'en'
    via: 'register' | 'script'
  }
  /** An admin moved members (a member and everyone below) under a new sponsor. */
  'member.moved': { memberId: string; formerUplineIds: string[]; movedIds: string[]; newSponsorId: string }
  /** A customer became a partner (same account, same sponsor). */
  'member.became_partner': { memberId: string; handle: string; displayName: string; sponsorId: string | null }
  /** A member's role (or access) changed: sessions remembered with the old one are forgotten. */
  'member.access_changed': { memberId: string }
  /** A session was signed out; nodes that remember it forget it. */
  'session.ended': { sessionId: string }
  /** A moderator limited (or lifted the limit of) a member's posting to feeds. */
  'member.posting_limited': { memberId: string; until: string | null; reason: string }
  /** A member blocked (or unblocked) another: while blocked, neither sees the other's presence or writes to them. */
  'member.block_changed': { memberId: string; otherId: string; blocked: boolean }
  'profile.updated': { memberId: string; fields: string[]; complete: boolean }
  'profile.avatar_changed': { memberId: string; at: string }
  /** Posts were written into these members' home feeds (a fan-out unit, a backfill, the author's own). */
  'feed.delivered': { memberIds: string[] }
  /** A member's notifications changed (one arrived, all were read). */
  'notifications.changed': { memberId: string }
  /** A member changed their quiet hours or mail switches (the digest's time and frequency follow). */
  'notifications.settings_changed': { memberId: string }
  'follow.created': { followerId: string; followeeId: string; at: string }
  'follow.ended': { followerId: string; followeeId: string }
  'post.created': {
    postId: string
    authorId: string
    authorHandle: string
    kind: 'pr' | 'ad'
    body: string
    createdAt: string
    /** The group it was posted in, and that group's kind and owner. */
    group: { id: string; kind: string; ownerId: string } | null
  }
  /** The author edited or deleted a post, or a group's moderator removed it. */
  'post.changed': { postId: string; authorId: string; groupId: string | null; kind: 'pr' | 'ad'; change: 'edited' | 'deleted' | 'removed' }
  'post.moderated': {
    postId: string
    authorId: string
    action: 'hide' | 'reclassify' | 'dismiss'
    reason: string
    moderatorId: string
    authorOffences: number
    authorWarned: boolean
  }
  'comment.created': {
    commentId: string
    postId: string
    /** Where the post is, which decides who may read the comment. */
    postArea: { type: 'feed' | 'marketplace' | 'profile' | 'group'; groupId?: string }
    postAuthorId: string
    parentAuthorId: string | null
    authorId: string
    authorHandle: string
    body: string
  }
  /** A group's pinned posts changed. */
  'group.pins_changed': { groupId: string }
  /** Cached public answers that show any of these tags are out of date, on every node (see server/src/cache). */
  'cache.invalidated': { tags: string[] }
  'group.join_requested': { groupId: string; groupName: string; slug: string; ownerId: string; memberId: string; memberHandle: string }
  'group.member_joined': { groupId: string; memberId: string; via: 'open' | 'approved' | 'invite' | 'course' }
  'group.request_decided': { groupId: string; groupName: string; slug: string; memberId: string; approved: boolean }
  'group.invited': { groupId: string; groupName: string; slug: string; memberId: string; byHandle: string }
  /** A member left a group or was removed from it: their access to its room ends at once. */
  'group.member_left': { groupId: string; memberId: string; removed: boolean }
  /** A team group's member opened it (a visit counts for onboarding). */
  'group.visited': { groupId: string; memberId: string; kind: string }
  /** A member finished a lesson for the first time. */
  'lesson.completed': {
    lessonId: string
    lessonTitle: string
    groupId: string
    groupSlug: string
    groupOwnerId: string
    memberId: string
    memberHandle: string
    at: string
  }
  'message.stored': {
    conversation: { id: string; kind: 'direct' | 'group' | 'room'; groupId: string | null; participantIds: string[] }
    seq: number
    authorId: string
    authorHandle: string
    authorName: string
    authorBlockedBy: string[]
    body: string
    hasAttachments: boolean
    automatic: boolean
  }
  /** Its author edited or deleted a stored message. */
  'message.changed': { messageId: string }
  /** The sponsor's welcome chat with a new recruit is open, its first message written. */
  'conversation.welcomed': { sponsorId: string; recruitId: string; recruitHandle: string; recruitName: string; conversationId: string }
  /** An order was stored and its payment started (not yet paid). */
  'order.placed': { orderId: string; buyerId: string; totalCents: number; currency: string }
  'order.paid': { orderId: string; buyerId: string | null; totalCents: number; currency: string; at: string }
  'order.refunded': { orderId: string; buyerId: string | null; amountCents: number; currency: string; at: string }
  /**
   * A ledger line is written and listed as entry `seq` of its beneficiary's period stream.
   * Published after both writes, and again whenever a repair passes the line once more, so a
   * subscriber must be idempotent (the period reports follow the stream by number: reports.ts).
   */
  'ledger.entry_listed': {
    entryId: string
    beneficiaryId: string
    period: string
    seq: number
    kind: 'credit' | 'reversal'
    amountCents: number
  }
  /** An admin closed a month: its statements are final from now on. */
  'period.closed': { period: string; closedAt: string }
  'onboarding.updated': { checklist: OnboardingChecklist; sponsorId: string | null; completedNow: boolean }
}

export type DomainEventName = keyof DomainEvents

/**
 * Events other nodes must see too, because they hold caches or sockets about them; with
 * REDIS_URL they travel through Redis pub/sub, and `everyNode` subscribers run on each node.
 */
export const CROSS_NODE_EVENTS: ReadonlySet<DomainEventName> = new Set<DomainEventName>([
  'cache.invalidated',
  'message.changed',
  'member.access_changed',
  'session.ended',
  'group.member_left',
  'group.member_joined',
  'member.block_changed',
  'member.moved',
  'profile.updated',
  'profile.avatar_changed',
])
