import { Ajv } from 'ajv'
import { AppError } from '@vernetzt/shared/errors'
import { SendMessageSchema, type SendAck, type SendMessage } from '@vernetzt/shared/schemas/messages'
import type { Socket } from 'socket.io'
import type { ServiceContext } from '../../context.ts'
import type { RealtimeServer } from '../../realtime/socket.ts'
import { announceTyping, readUpTo, sendMessage } from './service.ts'

// Socket payloads pass the same schema as the REST body does.
const ajv = new Ajv({ allErrors: false })
const validateSend = ajv.compile<SendMessage>(SendMessageSchema)
const validateTyping = ajv.compile<{ conversationId: string }>({
  type: 'object', required: ['conversationId'], additionalProperties: false,
  properties: { conversationId: SendMessageSchema.properties.conversationId },
})
const validateRead = ajv.compile<{ conversationId: string; seq: number }>({
  type: 'object', required: ['conversationId', 'seq'], additionalProperties: false,
  properties: { conversationId: SendMessageSchema.properties.conversationId, seq: { type: 'integer', minimum: 0 } },
})

export function registerMessagingEvents(ctx: ServiceContext, io: RealtimeServer, socket: Socket): void {
  // Fire-and-forget events: invalid payloads and foreign conversations are dropped silently,
  // so a guessed id learns nothing.
  const quietly = (work: () => Promise<void>) => work().catch((error) => {
    if (!(error instanceof AppError)) ctx.log.error({ err: error }, 'socket event failed')
  })
  socket.on('typing', (payload: unknown) => {
    const actor = socket.data.actor
    if (actor && validateTyping(payload)) void quietly(() => announceTyping(ctx, io, actor, payload.conversationId))
  })
  socket.on('read', (payload: unknown) => {
    const actor = socket.data.actor
    if (actor && validateRead(payload)) void quietly(() => readUpTo(ctx, io, actor, payload.conversationId, payload.seq))
  })
  socket.on('message:send', async (payload: unknown, ack: unknown) => {
    const reply = (result: SendAck) => (typeof ack === 'function' ? (ack as (r: SendAck) => void)(result) : undefined)
    const actor = socket.data.actor
    if (!actor) return reply({ ok: false, error: { code: 'UNAUTHENTICATED', message: 'Please sign in first.' } })
    if (!validateSend(payload)) {
      const first = validateSend.errors?.[0]
      return reply({ ok: false, error: { code: 'VALIDATION_FAILED', message: `${first?.instancePath.slice(1) || 'payload'} ${first?.message ?? 'is invalid'}` } })
    }
    try {
      const message = await sendMessage(ctx, io, actor, payload)
      reply({ ok: true, id: message.id, seq: message.seq, createdAt: message.createdAt })
    } catch (error) {
      if (error instanceof AppError) return reply({ ok: false, error: { code: error.code, message: error.message } })
      ctx.log.error({ err: error }, 'message:send failed')
      reply({ ok: false, error: { code: 'INTERNAL', message: 'Something went wrong on our side. Please try again.' } })
    }
  })
}
