import type { FastifyBaseLogger } from 'fastify'
import type { Config } from './config.ts'
import type { Models } from './db/models.ts'

/**
 * How losing access reaches open sockets, on every node (through the Redis adapter when there
 * are several). The realtime module fills it in; without sockets (scripts) it does nothing.
 */
export interface LiveAccess {
  /** A member left or was removed from a group: their sockets leave its chat room. */
  leaveRoom(memberId: string, conversationId: string): void
  /**
   * Members may have lost a room (a team group's members follow the join graph, which an admin's
   * move changes): sockets in it whose member `stillIn` rejects leave it, on every node.
   */
  recheckRoom(conversationId: string, suspects: Set<string>, stillIn: (memberId: string) => Promise<boolean>): Promise<void>
  /** A member may no longer see another's presence (a block, either way): their sockets stop watching it. */
  stopWatching(memberId: string, watchedId: string): void
  /** A session ended (sign-out, expiry, revocation): the sockets opened with it close. */
  endSession(sessionId: string): void
  /** Every socket of a member closes (suspension, deletion). */
  endMember(memberId: string): void
}

export const NO_LIVE_ACCESS: LiveAccess = { leaveRoom() {}, recheckRoom: async () => {}, stopWatching() {}, endSession() {}, endMember() {} }

/** What every service needs: no request, no reply. */
export interface ServiceContext {
  config: Config
  models: Models
  log: FastifyBaseLogger
  live: LiveAccess
}

/** The signed-in member a request acts for. */
export interface Actor {
  id: string
  handle: string
  role: 'partner' | 'customer' | 'admin'
}
