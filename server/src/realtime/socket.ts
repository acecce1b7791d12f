import fp from 'fastify-plugin'
import { Server } from 'socket.io'
import { rooms, type ClientToServerEvents, type ServerToClientEvents } from '@vernetzt/shared/realtime'
import { parseOrigin } from '@vernetzt/shared/urls'
import type { Socket } from 'socket.io'
import type { Actor, Realtime, ServiceContext } from '../context.ts'
import { SESSION_COOKIE, resolveSessionDetail } from '../modules/accounts/index.ts'

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>

/** What the handshake learned: who the socket acts for, and the session it must close with. */
export interface SocketData {
  actor: Actor | null
  sessionId: string | null
  sessionEndsAt: number
}

/**
 * Same-origin only: a foreign page must not open a socket with our cookie. A request without
 * Origin comes from a non-browser client (no ambient cookie to abuse). Origin is whatever the
 * client sent (`null` from sandboxed frames, garbage from scripts): it is parsed without throwing,
 * and anything that does not parse is refused.
 */
export function sameOrigin(origin: string | undefined, host: string | undefined, publicOrigin: string): boolean {
  if (origin === undefined) return true
  const parsed = parseOrigin(origin)
  if (!parsed) return false
  return parsed.origin === publicOrigin || (host !== undefined && parsed.host === host)
}

/** A feature's socket handlers (`<module>/socket.ts`), attached to every new socket. */
declare module 'fastify' {
  interface FastifyInstance {
    /** The socket.io server, for this plugin and for tests that inspect sockets; services use ctx.realtime. */
    io: RealtimeServer
  }
}

export type SocketFeature = (ctx: ServiceContext, socket: Socket) => void

export interface RealtimeOptions {
  features: SocketFeature[]
  /** Work that must finish after the sockets closed and before the database does (messages being written). */
  drain: Array<() => Promise<void>>
}

/**
 * socket.io on the same HTTP server and origin as the app. The handshake carries the same
 * session cookie as HTTP; a signed-in socket joins its user room. With REDIS_URL the Redis
 * adapter fans events out across server nodes.
 */
export default fp<RealtimeOptions>(
  async (app, { features, drain }) => {
    const publicOrigin = new URL(app.ctx.config.publicUrl).origin
    const io: RealtimeServer = new Server(app.server, {
      path: '/socket.io/',
      serveClient: false,
      cors: { origin: false },
      allowRequest: (req, callback) => callback(null, sameOrigin(req.headers.origin, req.headers.host, publicOrigin)),
    })
    if (app.ctx.config.redisUrl) {
      const { createAdapter } = await import('@socket.io/redis-adapter')
      const { createClient } = await import('redis')
      const pub = createClient({ url: app.ctx.config.redisUrl })
      const sub = pub.duplicate()
      await Promise.all([pub.connect(), sub.connect()])
      io.adapter(createAdapter(pub, sub))
      app.addHook('onClose', async () => {
        await Promise.allSettled([pub.quit(), sub.quit()])
      })
    }
    io.use((socket, next) => void authenticate(socket, next))
    async function authenticate(socket: Parameters<Parameters<RealtimeServer['use']>[0]>[0], next: (error?: Error) => void): Promise<void> {
      try {
        const cookies = app.parseCookie(socket.handshake.headers.cookie ?? '')
        const session = await resolveSessionDetail(app.ctx, cookies[SESSION_COOKIE])
        socket.data.actor = session?.actor ?? null
        socket.data.sessionId = session?.sessionId ?? null
        socket.data.sessionEndsAt = session?.expiresAt.getTime() ?? Infinity
        next()
      } catch (error) {
        next(error as Error)
      }
    }
    // The realtime face: the only way services reach sockets. Losing access reaches open sockets
    // at once, on every node (the adapter broadcasts these).
    let stopping = false
    const realtime: Realtime = {
      to: (room) => io.to(room),
      anyIn: async (room) => (await io.in(room).fetchSockets()).length > 0,
      get stopping() {
        return stopping
      },
      leaveRoom: (memberId, conversationId) => io.in(rooms.user(memberId)).socketsLeave(rooms.conversation(conversationId)),
      recheckRoom: async (conversationId, suspects, stillIn) => {
        const room = rooms.conversation(conversationId)
        for (const socket of await io.in(room).fetchSockets()) {
          const memberId = socket.data.actor?.id
          if (memberId && suspects.has(memberId) && !(await stillIn(memberId))) socket.leave(room)
        }
      },
      stopWatching: (memberId, watchedId) => io.in(rooms.user(memberId)).socketsLeave(rooms.presence(watchedId)),
      endSession: (sessionId) => io.in(rooms.session(sessionId)).disconnectSockets(true),
      endMember: (memberId) => io.in(rooms.user(memberId)).disconnectSockets(true),
    }
    app.ctx.realtime = realtime
    app.decorate('io', io)
    io.on('connection', (socket) => {
      const actor = socket.data.actor
      if (actor) void socket.join([rooms.user(actor.id), rooms.session(socket.data.sessionId!)])
      // A session that ran out while its socket stayed open ends with the next event.
      socket.use((_packet, next) => {
        if (socket.data.sessionEndsAt <= Date.now()) socket.disconnect(true)
        else next()
      })
      socket.emit('hello', { userId: actor?.id ?? null, handle: actor?.handle ?? null })
      socket.on('ping', (ack) => {
        if (typeof ack === 'function') ack({ at: new Date().toISOString() })
      })
      for (const feature of features) feature(app.ctx, socket)
    })
    app.addHook('preClose', async () => {
      stopping = true
      io.local.disconnectSockets(true)
    })
    app.addHook('onClose', async () => {
      await io.close()
      // Messages accepted before the sockets closed are written and followed up before the database closes.
      for (const work of drain) await work()
    })
  },
  { name: 'realtime', dependencies: ['context', '@fastify/cookie'] },
)
