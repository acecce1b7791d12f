import { Ajv } from 'ajv'
import { AppError } from '@vernetzt/shared/errors'
import { SendMessageSchema, type SendAck, type SendMessage } from '@vernetzt/shared/schemas/messages'
import type { Socket } from 'socket.io'
import type { ServiceContext } from '../../context.ts'
import type { RealtimeServer } from '../../realtime/socket.ts'
import { sendMessage } from './service.ts'

// Socket payloads pass the same schema as the REST body does.
const validateSend = new Ajv({ allErrors: false }).compile<SendMessage>(SendMessageSchema)

export function registerMessagingEvents(ctx: ServiceContext, io: RealtimeServer, socket: Socket): void {
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
