import { AppError } from '@vernetzt/shared/errors'
import type { FastifyBaseLogger } from 'fastify'
import type { ServerToClientEvents } from '@vernetzt/shared/realtime'
import type { Config } from './config.ts'
import type { Models } from './db/models.ts'
import type { EventPublisher, Subscribers, Subscription } from './events/index.ts'
import type { AppJobs } from './jobs/catalog.ts'
import type { JobQueueApi } from './jobs/index.ts'

/** Emits to rooms, on every node (through the Redis adapter when there are several). */
export interface RealtimeEmitter {
  except(room: string | string[]): RealtimeEmitter
  emit<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void
}

/**
 * The realtime module's face: the only way services reach sockets. The realtime module holds
 * the socket.io server and fills this in; without sockets (scripts) it does nothing.
 */
export interface Realtime {
  to(room: string | string[]): RealtimeEmitter
  /** Whether any socket, on any node, is in the room. */
  anyIn(room: string): Promise<boolean>
  /** The node is shutting down (its Redis link may be gone): nothing more is announced. */
  readonly stopping: boolean
  /** A member left or was removed from a group: their sockets leave its chat room. */
  leaveRoom(memberId: string, conversationId: string): void
  /** Sockets in the room whose member is among `suspects` and fails `stillIn` leave it, on every node. */
  recheckRoom(conversationId: string, suspects: Set<string>, stillIn: (memberId: string) => Promise<boolean>): Promise<void>
  /** A member may no longer see another's presence (a block, either way): their sockets stop watching it. */
  stopWatching(memberId: string, watchedId: string): void
  /** A session ended (sign-out, expiry, revocation): the sockets opened with it close. */
  endSession(sessionId: string): void
  /** Every socket of a member closes (suspension, deletion). */
  endMember(memberId: string): void
}

const NO_EMITTER: RealtimeEmitter = { except: () => NO_EMITTER, emit() {} }

export const NO_REALTIME: Realtime = {
  to: () => NO_EMITTER,
  anyIn: async () => false,
  stopping: false,
  leaveRoom() {},
  recheckRoom: async () => {},
  stopWatching() {},
  endSession() {},
  endMember() {},
}

/** What every service needs: no request, no reply, no socket server. */
export interface ServiceContext {
  config: Config
  models: Models
  log: FastifyBaseLogger
  /** Says what happened; other modules' subscribers react (server/src/events). */
  events: EventPublisher
  realtime: Realtime
  /** Stores work that must survive a crash; a runner on some node does it (server/src/jobs). */
  jobs: JobQueueApi<AppJobs>
}

/** A module's reactions to domain events, registered by the composition root. */
export type ModuleSubscribers = Subscribers<ServiceContext>
export type ModuleSubscription = Subscription<ServiceContext>

/** The signed-in member a request acts for. */
export interface Actor {
  id: string
  handle: string
  role: 'partner' | 'customer' | 'admin'
  /** A site-wide moderator (set by an admin): the moderation queue and the company inbox. */
  moderator?: boolean
}

/** The admin pages and API: administrators with two-factor sign-in on (see accounts/dto.ts effectiveRole). */
export function requireAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an administrator can do this.')
}

/** Who works the site's moderation queue and the company inbox: admins and site-wide moderators. */
export const isSiteModerator = (actor: Pick<Actor, 'role' | 'moderator'> | null | undefined): boolean => actor?.role === 'admin' || actor?.moderator === true
