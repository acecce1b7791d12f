import { io, type Socket } from 'socket.io-client'
import { VISIBLE_EVERY_MS, type ClientToServerEvents, type ServerToClientEvents } from '@vernetzt/shared/realtime'

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>

let socket: RealtimeSocket | null = null

/** One socket per tab, on the page's own origin; the session cookie authenticates it. */
export function realtime(): RealtimeSocket {
  if (!socket) {
    const opened: RealtimeSocket = io({ path: '/socket.io/', transports: ['websocket'], withCredentials: true })
    socket = opened
    // While the tab is in view the server hears so: a member reading here gets no "missed messages" mail.
    const inView = () => {
      if (document.visibilityState === 'visible' && opened.connected) opened.emit('visible')
    }
    opened.on('connect', inView)
    document.addEventListener('visibilitychange', inView)
    const timer = setInterval(inView, VISIBLE_EVERY_MS)
    opened.on('disconnect', (reason) => {
      if (reason !== 'io client disconnect') return
      clearInterval(timer)
      document.removeEventListener('visibilitychange', inView)
    })
  }
  return socket
}

export function closeRealtime(): void {
  socket?.disconnect()
  socket = null
}
