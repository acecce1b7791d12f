import type { Message, Presence, SendAck, SendMessage } from './schemas/messages.ts'
import type { Notification } from './schemas/moderation.ts'
import type { OnboardingChecklist } from './schemas/onboarding.ts'

/**
 * The socket.io contract, used by `new Server<…>()` on the server and `io()` on the web.
 * Later features (messages, notifications, feeds) add their events here.
 */
export interface ServerToClientEvents {
  /** Sent once after the handshake so the client knows who the socket belongs to. */
  hello: (payload: { userId: string | null; handle: string | null }) => void
  /** A new member joined directly below the receiving partner. */
  'team:joined': (payload: { handle: string; displayName: string; level: number }) => void
  /** A post arrived in the receiver's home feed (the page shows "n new posts"). */
  'feed:new': (payload: { postId: string; author: string }) => void
  'notification:new': (payload: Notification) => void
  /** A message was stored in one of the receiver's conversations. */
  'message:new': (payload: Message) => void
  /** A message was edited or deleted by its author. */
  'message:update': (payload: Message) => void
  /** Someone is typing; show it until `until`, unless it is renewed. */
  typing: (payload: { conversationId: string; handle: string; until: string }) => void
  /** Someone read the conversation up to `seq` ("gesehen von …"). */
  read: (payload: { conversationId: string; handle: string; seq: number }) => void
  /** A member the receiver watches (see presence:watch) came online or went away. */
  presence: (payload: Presence) => void
  /** A recruit's onboarding checklist changed (sent to the recruit and their direct sponsor). */
  'onboarding:update': (payload: OnboardingChecklist) => void
}

export interface ClientToServerEvents {
  ping: (ack: (payload: { at: string }) => void) => void
  /** Acknowledged only after the message is stored; resending the same clientMessageId is safe. */
  'message:send': (payload: SendMessage, ack: (result: SendAck) => void) => void
  typing: (payload: { conversationId: string }) => void
  read: (payload: { conversationId: string; seq: number }) => void
  /**
   * Live traffic of a group's chat room goes to the sockets that joined it (membership is
   * checked); direct and group conversations reach their participants without joining.
   */
  'conversation:join': (payload: { conversationId: string }, ack: (result: { ok: boolean }) => void) => void
  /** Subscribe to the presence of a conversation's other participants (replaces earlier watches). */
  'presence:watch': (payload: { conversationId: string }, ack: (result: { ok: boolean; presence: Presence[] }) => void) => void
  /**
   * The tab is in view: sent when it becomes visible and every VISIBLE_EVERY_MS while it stays so.
   * A member seen in a visible tab lately gets no mail about missed messages.
   */
  visible: () => void
}

export const VISIBLE_EVERY_MS = 60_000

/** How long a typing notice lasts without being renewed. */
export const TYPING_MS = 5000

/** Room names come only from here, never from string concatenation in handlers. */
export const rooms = {
  user: (id: string) => `user:${id}`,
  conversation: (id: string) => `conversation:${id}`,
  group: (id: string) => `group:${id}`,
  presence: (memberId: string) => `presence:${memberId}`,
  /** The sockets opened with one session (never sent to a client). */
  session: (sessionId: string) => `session:${sessionId}`,
} as const
