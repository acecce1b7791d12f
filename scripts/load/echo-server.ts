/**
 * The baseline for scripts/load/chat.ts: a bare socket.io server that does what Vernetzt's chat
 * does on the wire and nothing else. A socket joins the room named in its handshake; on
 * `message:send` the server numbers the message, sends a message of Vernetzt's shape to the room
 * and acknowledges. No session, no validation, no database.
 *
 *   PORT=4000 node scripts/load/echo-server.ts
 */
import { createServer } from 'node:http'
import { Server } from 'socket.io'
import type { ClientToServerEvents, ServerToClientEvents } from '@vernetzt/shared/realtime'

const port = Number(process.env.PORT ?? 0)
const http = createServer()
const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { serveClient: false })
const seqs = new Map<string, number>()

io.on('connection', (socket) => {
  const auth = socket.handshake.auth as { conversationId?: unknown; handle?: unknown }
  const room = typeof auth.conversationId === 'string' ? auth.conversationId : null
  const handle = typeof auth.handle === 'string' ? auth.handle : socket.id
  if (room) void socket.join(room)
  socket.emit('hello', { userId: socket.id, handle })
  socket.on('message:send', (payload, ack) => {
    if (!room || payload?.conversationId !== room)
      return ack({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND', message: 'There is no such conversation.' } })
    const seq = (seqs.get(room) ?? 0) + 1
    seqs.set(room, seq)
    const createdAt = new Date().toISOString()
    const id = `${room}:${seq}`
    io.to(room).emit('message:new', {
      id,
      conversationId: room,
      seq,
      author: { id: socket.id, handle, displayName: handle, role: 'partner', avatarUrl: null },
      html: `<p>${payload.body}</p>\n`,
      attachments: [],
      clientMessageId: payload.clientMessageId,
      createdAt,
      editedAt: null,
      deleted: false,
    })
    ack({ ok: true, id, seq, createdAt })
  })
})

http.listen(port, '127.0.0.1', () => {
  const address = http.address()
  console.log(`echo server listening on ${typeof address === 'object' && address ? address.port : port}`)
})
const stop = () => void io.close(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
