/**
 * The load generator behind scripts/load/chat.ts, the same for Vernetzt and for the bare
 * socket.io baseline: one socket per member, messages at a fixed offered rate spread evenly over
 * the conversations, and every delivery timed against the moment the message was due.
 *
 * Latency counts from the scheduled send time, not from the moment the generator got round to
 * sending: a generator that falls behind would otherwise hide exactly the delays it causes
 * (coordinated omission). How far it fell behind is reported as `sendLag`.
 */
import { performance } from 'node:perf_hooks'
import { io as connect, type Socket } from 'socket.io-client'
import type { ClientToServerEvents, ServerToClientEvents } from '@vernetzt/shared/realtime'
import type { Message, SendAck } from '@vernetzt/shared/schemas/messages'

export type LoadSocket = Socket<ServerToClientEvents, ClientToServerEvents>

/** One member at one socket: the conversation they are in, and how their socket signs in. */
export interface Seat {
  conversation: number
  conversationId: string
  /** The session cookie (Vernetzt); the baseline server reads `auth` instead. */
  cookie?: string
  auth?: Record<string, string>
}

export interface StepOptions {
  /** Offered messages per second, over all conversations together. */
  rate: number
  seconds: number
  /** Stop sending once this many seconds' worth of messages (at least 50) wait for their acknowledgement. */
  maxBacklogSeconds: number
  /** After the last send: give up waiting when nothing arrived for this long … */
  quietSeconds: number
  /** … or when this much time has passed in all. */
  drainSeconds: number
}

export interface Percentiles {
  p50: number
  p99: number
  max: number
  count: number
}

export interface StepResult {
  rate: number
  seconds: number
  /** Why sending stopped early (the server fell too far behind), or null. */
  stopped: string | null
  sent: number
  acked: number
  ackErrors: Record<string, number>
  /** Deliveries to participants other than the sender, each counted once. */
  delivered: number
  expected: number
  lost: number
  duplicates: number
  /** Acknowledged messages per second, from the first send to the last acknowledgement. */
  messagesPerSecond: number
  /** Deliveries per second, from the first send to the last delivery. */
  deliveriesPerSecond: number
  latency: Percentiles
  ackLatency: Percentiles
  sendLag: Percentiles
  disconnects: number
  /** Every message sent, for checking what the server stored. */
  messages: Array<{ clientMessageId: string; conversation: number; acked: boolean }>
}

interface StepState {
  prefix: string
  scheduled: Float64Array
  sender: Int32Array
  /** Bit i: position i of the conversation has received the message. */
  receivedBy: Uint32Array
  acked: Uint8Array
  latencies: Float64Array
  latencyCount: number
  ackLatencies: Float64Array
  ackCount: number
  delivered: number
  duplicates: number
  lastAck: number
  lastDelivery: number
  lastProgress: number
}

const percentiles = (values: Float64Array, count: number): Percentiles => {
  if (count === 0) return { p50: NaN, p99: NaN, max: NaN, count }
  const sorted = values.slice(0, count).sort()
  const at = (q: number) => sorted[Math.min(count - 1, Math.ceil(q * count) - 1)]!
  return { p50: at(0.5), p99: at(0.99), max: sorted[count - 1]!, count }
}

const BODY = 'Wer kommt morgen zum **Teamtreffen**? 19 Uhr im Büro, ich bringe die neuen Unterlagen mit.'

export class ChatLoad {
  readonly seats: Seat[]
  readonly sockets: LoadSocket[] = []
  /** Position of each seat within its conversation, and the seats of each conversation. */
  private readonly position: Int32Array
  private readonly members: number[][]
  private step: StepState | null = null
  private steps = 0
  private disconnects = 0

  constructor(seats: Seat[]) {
    this.seats = seats
    this.position = new Int32Array(seats.length)
    this.members = []
    seats.forEach((seat, i) => {
      const list = (this.members[seat.conversation] ??= [])
      this.position[i] = list.length
      list.push(i)
    })
    if (this.members.some((list) => list.length > 32)) throw new Error('at most 32 members per conversation (one bit each)')
  }

  /** Opens every seat's socket, `concurrency` handshakes at a time; resolves once each got its hello. */
  async open(url: string, concurrency = 50, timeoutMs = 30_000): Promise<void> {
    let next = 0
    const openOne = async (i: number) => {
      const seat = this.seats[i]!
      const socket: LoadSocket = connect(url, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        extraHeaders: seat.cookie ? { cookie: seat.cookie } : {},
        auth: seat.auth ?? {},
      })
      this.sockets[i] = socket
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`socket ${i} got no hello within ${timeoutMs} ms`)), timeoutMs)
        socket.once('hello', (hello) => {
          clearTimeout(timer)
          if (seat.cookie && !hello.userId) reject(new Error(`socket ${i} is not signed in (the session cookie was not accepted)`))
          else resolve()
        })
        socket.once('connect_error', (error) => (clearTimeout(timer), reject(error)))
      })
      socket.on('disconnect', () => this.disconnects++)
      socket.on('message:new', (message) => this.receive(i, message))
    }
    await Promise.all(
      Array.from({ length: Math.min(concurrency, this.seats.length) }, async () => {
        while (next < this.seats.length) await openOne(next++)
      }),
    )
  }

  /**
   * Every member sends one message, `concurrency` at a time, before anything is measured: a
   * member's first message in a conversation costs more (everyone gets a notification) and the
   * first thousand calls warm up the JIT. Resolves with the messages per second it reached.
   */
  async warmUp(concurrency = 20): Promise<{ messages: number; perSecond: number; errors: number }> {
    let next = 0
    let errors = 0
    const prefix = `wu${Date.now().toString(36)}-`
    const t0 = performance.now()
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < this.seats.length) {
          const seat = next++
          const ack = await new Promise<SendAck>((resolve) =>
            this.sockets[seat]!.emit(
              'message:send',
              { conversationId: this.seats[seat]!.conversationId, body: BODY, clientMessageId: `${prefix}${seat}` },
              resolve,
            ),
          )
          if (!ack.ok) errors++
        }
      }),
    )
    return { messages: this.seats.length, perSecond: this.seats.length / ((performance.now() - t0) / 1000), errors }
  }

  close(): void {
    for (const socket of this.sockets) socket.disconnect()
  }

  private receive(seat: number, message: Message): void {
    const step = this.step
    if (!step || !message.clientMessageId.startsWith(step.prefix)) return // a straggler from an earlier step
    const k = Number(message.clientMessageId.slice(step.prefix.length))
    if (step.sender[k] === seat) return // the sender's own copy (for its other tabs)
    const now = performance.now()
    const bit = 1 << this.position[seat]!
    if (step.receivedBy[k]! & bit) {
      step.duplicates++
      return
    }
    step.receivedBy[k]! |= bit
    step.delivered++
    step.latencies[step.latencyCount++] = now - step.scheduled[k]!
    step.lastDelivery = now
    step.lastProgress = now
  }

  /**
   * Message k goes to conversation k mod C, from its members in turn, so every conversation gets
   * rate/C messages a second and consecutive messages hit different conversations.
   */
  private senderOf(k: number): number {
    const conversations = this.members.length
    const list = this.members[k % conversations]!
    return list[Math.floor(k / conversations) % list.length]!
  }

  async run(options: StepOptions): Promise<StepResult> {
    const total = Math.round(options.rate * options.seconds)
    const receivers = Math.max(...this.members.map((list) => list.length)) - 1
    const prefix = `ld${++this.steps}x${Date.now().toString(36)}-`
    const step: StepState = {
      prefix,
      scheduled: new Float64Array(total),
      sender: new Int32Array(total).fill(-1),
      receivedBy: new Uint32Array(total),
      acked: new Uint8Array(total),
      latencies: new Float64Array(total * receivers),
      latencyCount: 0,
      ackLatencies: new Float64Array(total),
      ackCount: 0,
      delivered: 0,
      duplicates: 0,
      lastAck: 0,
      lastDelivery: 0,
      lastProgress: 0,
    }
    this.step = step
    const disconnectsBefore = this.disconnects
    const ackErrors: Record<string, number> = {}
    const lags = new Float64Array(total)
    const interval = 1000 / options.rate
    const maxBacklog = Math.max(50, Math.round(options.maxBacklogSeconds * options.rate))
    let sent = 0
    let settled = 0 // acknowledged, either way
    let stopped: string | null = null
    const t0 = performance.now() + 5

    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now()
        const due = Math.min(total, Math.floor((now - t0) / interval) + 1)
        while (sent < due) {
          if (sent - settled >= maxBacklog) {
            stopped = `after ${((now - t0) / 1000).toFixed(1)} s: ${sent - settled} messages waited for their acknowledgement`
            return resolve()
          }
          const k = sent++
          const seat = this.senderOf(k)
          step.scheduled[k] = t0 + k * interval
          step.sender[k] = seat
          lags[k] = now - step.scheduled[k]!
          const payload = { conversationId: this.seats[seat]!.conversationId, body: `${BODY} (${k})`, clientMessageId: `${prefix}${k}` }
          this.sockets[seat]!.emit('message:send', payload, (ack: SendAck) => {
            const at = performance.now()
            settled++
            step.lastProgress = at
            if (ack.ok) {
              step.acked[k] = 1
              step.ackLatencies[step.ackCount++] = at - step.scheduled[k]!
              step.lastAck = at
            } else {
              ackErrors[ack.error.code] = (ackErrors[ack.error.code] ?? 0) + 1
            }
          })
        }
        if (sent === total) return resolve()
        // setTimeout(0) fires after about 1 ms: close enough, and whatever is due meanwhile goes in the next tick.
        setTimeout(tick, Math.max(0, t0 + sent * interval - performance.now()))
      }
      setTimeout(tick, 5)
    })

    // Drain: everything acknowledged and delivered, or nothing happening for a while, or out of time.
    const sendEnd = performance.now()
    step.lastProgress = Math.max(step.lastProgress, sendEnd)
    const expectedFor = (k: number) => this.members[this.seats[step.sender[k]!]!.conversation]!.length - 1
    let expected = 0
    for (let k = 0; k < sent; k++) expected += expectedFor(k)
    for (;;) {
      const now = performance.now()
      if (settled === sent && step.delivered + step.duplicates >= expected) break
      if (now - step.lastProgress > options.quietSeconds * 1000 || now - sendEnd > options.drainSeconds * 1000) break
      await new Promise((r) => setTimeout(r, 20))
    }
    this.step = null

    let acked = 0
    for (let k = 0; k < sent; k++) acked += step.acked[k]!
    const messages = Array.from({ length: sent }, (_, k) => ({
      clientMessageId: `${prefix}${k}`,
      conversation: this.seats[step.sender[k]!]!.conversation,
      acked: step.acked[k] === 1,
    }))
    return {
      rate: options.rate,
      seconds: options.seconds,
      stopped,
      sent,
      acked,
      ackErrors,
      delivered: step.delivered,
      expected,
      lost: expected - step.delivered,
      duplicates: step.duplicates,
      messagesPerSecond: acked / Math.max(1e-9, (step.lastAck - t0) / 1000),
      deliveriesPerSecond: step.delivered / Math.max(1e-9, (step.lastDelivery - t0) / 1000),
      latency: percentiles(step.latencies, step.latencyCount),
      ackLatency: percentiles(step.ackLatencies, step.ackCount),
      sendLag: percentiles(lags, sent),
      disconnects: this.disconnects - disconnectsBefore,
      messages,
    }
  }
}

/** How to read one conversation's history: its id and a participant's session cookie. */
export interface HistoryReader {
  id: string
  cookie: string
}

export interface StoredCheck {
  /** Messages of the step found in the histories. */
  stored: number
  /** Acknowledged, yet not in the history. */
  missing: number
  unacknowledgedButStored: number
  /** Extra copies of a message (the same clientMessageId stored more than once). */
  duplicates: number
}

/**
 * Reads every conversation's history over REST, from position `from[c]` on (advanced to the
 * newest position read, so the next step reads only its own), and matches it against a step's
 * messages: each acknowledged message must be there exactly once.
 */
export async function checkStored(url: string, conversations: HistoryReader[], result: StepResult, from: number[]): Promise<StoredCheck> {
  const sent = new Map(result.messages.map((m) => [m.clientMessageId, m]))
  const seen = new Map<string, number>()
  let next = 0
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < conversations.length) {
        const c = next++
        for (;;) {
          const res = await fetch(`${url}/api/v1/conversations/${conversations[c]!.id}/messages?after=${from[c] ?? 0}&limit=100`, {
            headers: { cookie: conversations[c]!.cookie },
          })
          if (!res.ok) throw new Error(`reading conversation ${c} failed: ${res.status} ${await res.text()}`)
          const { items } = (await res.json()) as { items: Message[] }
          for (const m of items) {
            if (sent.get(m.clientMessageId)?.conversation === c) seen.set(m.clientMessageId, (seen.get(m.clientMessageId) ?? 0) + 1)
            from[c] = Math.max(from[c] ?? 0, m.seq)
          }
          if (items.length < 100) break
        }
      }
    }),
  )
  let missing = 0
  let unacknowledgedButStored = 0
  let duplicates = 0
  for (const m of result.messages) {
    const count = seen.get(m.clientMessageId) ?? 0
    if (m.acked && count === 0) missing++
    if (!m.acked && count > 0) unacknowledgedButStored++
    if (count > 1) duplicates += count - 1
  }
  return { stored: seen.size, missing, unacknowledgedButStored, duplicates }
}
