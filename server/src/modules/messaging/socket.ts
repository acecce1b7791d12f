import { apiMessage } from '@vernetzt/shared/error-messages'
import { AppError } from '@vernetzt/shared/errors'
import { type SendMessage, SendMessageSchema, type SendAck } from '@vernetzt/shared/schemas/messages'
import { rooms } from '@vernetzt/shared/realtime'
import type { ServiceContext } from '../../context.ts'
import { access } from './access.ts'
import { HEARTBEAT_MS, markOffline, markOnline, markVisible, watchPresence } from './presence.ts'
import { SenderLimiter } from './limits.ts'
import { Ajv } from 'ajv'
import type { Socket } from 'socket.io'
import { announceTyping, readUpTo } from './messages.ts'
import { sendMessage } from './send.ts'

// Socket payloads pass the same schema as the REST body does.
const ajv = new Ajv({ allErrors: false })
const validateSend = ajv.compile<SendMessage>(SendMessageSchema)
const validateConversation = ajv.compile<{ conversationId: string }>({
  type: 'object',
  required: ['conversationId'],
  additionalProperties: false,
  properties: { conversationId: SendMessageSchema.properties.conversationId },
})
const validateRead = ajv.compile<{ conversationId: string; seq: number }>({
  type: 'object',
  required: ['conversationId', 'seq'],
  additionalProperties: false,
  properties: { conversationId: SendMessageSchema.properties.conversationId, seq: { type: 'integer', minimum: 0 } },
})

/**
 * Per member and node: events that cost a database write or reach other people. Beyond these a
 * flood is dropped (typing, read) or refused (join, watch) before it costs anything: one socket
 * sending 1,500 read marks must not stall everyone else's requests. A member's sockets stay on
 * the node they connected to, so counting per node bounds each socket's flood.
 */
const EVENT_LIMITS = { typing: 30, read: 60, join: 60, watch: 60, visible: 30 } as const
const eventLimiters = new WeakMap<ServiceContext, Record<keyof typeof EVENT_LIMITS, SenderLimiter>>()
function allowed(ctx: ServiceContext, event: keyof typeof EVENT_LIMITS, memberId: string): boolean {
  let limiters = eventLimiters.get(ctx)
  if (!limiters) {
    limiters = Object.fromEntries(Object.entries(EVENT_LIMITS).map(([name, perMinute]) => [name, new SenderLimiter(perMinute, name)])) as Record<
      keyof typeof EVENT_LIMITS,
      SenderLimiter
    >
    eventLimiters.set(ctx, limiters)
  }
  try {
    limiters[event].take(memberId)
    return true
  } catch {
    return false
  }
}

/** Read marks over the limit wait this long, one per member and conversation. */
const LATE_READ_MS = 2_000
const lateReads = new Map<string, { seq: number }>()

export function registerMessagingEvents(ctx: ServiceContext, socket: Socket): void {
  // Fire-and-forget events: invalid payloads and foreign conversations are dropped silently,
  // so a guessed id learns nothing.
  const quietly = (work: () => Promise<void>) =>
    work().catch((error) => {
      if (!(error instanceof AppError)) ctx.log.error({ err: error }, 'socket event failed')
    })
  const answer = <T>(ack: unknown, result: T) => (typeof ack === 'function' ? (ack as (r: T) => void)(result) : undefined)

  const me = socket.data.actor as { id: string } | null
  if (me) {
    void quietly(() => markOnline(ctx, me.id))
    // Spread out: sockets that connected together (after a deploy) must not all write at once.
    const heartbeat = setInterval(() => void quietly(() => markOnline(ctx, me.id)), HEARTBEAT_MS * (0.75 + Math.random() / 2))
    heartbeat.unref()
    socket.on('disconnect', () => {
      clearInterval(heartbeat)
      void quietly(() => markOffline(ctx, me.id))
    })
  }

  socket.on('visible', () => {
    const actor = socket.data.actor
    if (actor && allowed(ctx, 'visible', actor.id)) void quietly(() => markVisible(ctx, actor.id))
  })
  // A group room's live traffic reaches only sockets that joined it, and only members may join.
  socket.on('conversation:join', (payload: unknown, ack: unknown) => {
    const actor = socket.data.actor
    if (!actor || !validateConversation(payload) || !allowed(ctx, 'join', actor.id)) return answer(ack, { ok: false })
    access(ctx, payload.conversationId, actor.id)
      .then(async () => {
        await socket.join(rooms.conversation(payload.conversationId))
        answer(ack, { ok: true })
      })
      .catch(() => answer(ack, { ok: false }))
  })
  socket.on('presence:watch', (payload: unknown, ack: unknown) => {
    const actor = socket.data.actor
    if (!actor || !validateConversation(payload) || !allowed(ctx, 'watch', actor.id)) return answer(ack, { ok: false, presence: [] })
    watchPresence(ctx, socket, actor, payload.conversationId)
      .then((presence) => answer(ack, { ok: true, presence }))
      .catch(() => answer(ack, { ok: false, presence: [] }))
  })
  socket.on('typing', (payload: unknown) => {
    const actor = socket.data.actor
    if (actor && validateConversation(payload) && allowed(ctx, 'typing', actor.id)) void quietly(() => announceTyping(ctx, actor, payload.conversationId))
  })
  socket.on('read', (payload: unknown) => {
    const actor = socket.data.actor
    if (!actor || !validateRead(payload)) return
    if (allowed(ctx, 'read', actor.id)) return void quietly(() => readUpTo(ctx, actor, payload.conversationId, payload.seq))
    // Over the limit, the newest mark per conversation is kept and applied a little later, so
    // the last "read up to" of a flood still counts.
    const key = `${actor.id}:${payload.conversationId}`
    const waiting = lateReads.get(key)
    if (waiting) return void (waiting.seq = Math.max(waiting.seq, payload.seq))
    const late = { seq: payload.seq }
    lateReads.set(key, late)
    setTimeout(() => {
      lateReads.delete(key)
      void quietly(() => readUpTo(ctx, actor, payload.conversationId, late.seq))
    }, LATE_READ_MS).unref()
  })
  socket.on('message:send', async (payload: unknown, ack: unknown) => {
    const reply = (result: SendAck) => answer(ack, result)
    const actor = socket.data.actor
    if (!actor) return reply({ ok: false, error: { code: 'UNAUTHENTICATED', message: apiMessage('UNAUTHENTICATED') } })
    if (!validateSend(payload)) {
      const first = validateSend.errors?.[0]
      return reply({
        ok: false,
        error: { code: 'VALIDATION_FAILED', message: `${first?.instancePath.slice(1) || 'payload'} ${first?.message ?? 'is invalid'}` },
      })
    }
    try {
      const message = await sendMessage(ctx, actor, payload)
      reply({ ok: true, id: message.id, seq: message.seq, createdAt: message.createdAt })
    } catch (error) {
      if (error instanceof AppError)
        return reply({ ok: false, error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } })
      ctx.log.error({ err: error }, 'message:send failed')
      reply({ ok: false, error: { code: 'INTERNAL', message: apiMessage('INTERNAL') } })
    }
  })
}
