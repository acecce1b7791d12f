import { io, type Socket } from 'socket.io-client'
import type { ClientToServerEvents, ServerToClientEvents } from '@vernetzt/shared/realtime'

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>

let socket: RealtimeSocket | null = null

/** One socket per tab, on the page's own origin; the session cookie authenticates it. */
export function realtime(): RealtimeSocket {
  socket ??= io({ path: '/socket.io/', transports: ['websocket'], withCredentials: true })
  return socket
}

export function closeRealtime(): void {
  socket?.disconnect()
  socket = null
}
