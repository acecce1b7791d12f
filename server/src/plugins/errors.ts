import fp from 'fastify-plugin'
import { AppError, isErrorCode } from '@vernetzt/shared/errors'
import type { FastifyError } from 'fastify'
import { isDatabaseUnavailable } from '../db/connect.ts'
import { apiMessage } from '@vernetzt/shared/error-messages'

/**
 * One error shape for every 4xx/5xx: { error: { code, message, details } }.
 * Validation errors name the field and the rule; 5xx never leak internals.
 */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError & { details?: unknown }, request, reply) => {
      if (error instanceof AppError) {
        return reply.status(error.status).send({ error: { code: error.code, message: error.message, details: error.details ?? null } })
      }
      if (error.validation) {
        const details = error.validation.map((v) => {
          const missing = (v.params as { missingProperty?: string }).missingProperty
          const extra = (v.params as { additionalProperty?: string }).additionalProperty
          const field = [v.instancePath.replace(/^\//, '').replaceAll('/', '.'), missing ?? extra].filter(Boolean).join('.')
          return {
            field: field || error.validationContext || 'body',
            rule: v.keyword,
            message: extra ? 'is not an accepted field' : (v.message ?? 'is invalid'),
          }
        })
        const first = details[0]
        const message = first ? `${first.field} ${first.message}` : 'The request is invalid.'
        return reply.status(400).send({ error: { code: 'VALIDATION_FAILED', message, details } })
      }
      const status = error.statusCode ?? 500
      if (status === 429) {
        return reply.status(429).send({ error: { code: 'RATE_LIMITED', message: apiMessage('RATE_LIMITED'), details: null } })
      }
      if (status === 413 || error.code === 'FST_REQ_FILE_TOO_LARGE') {
        return reply.status(413).send({ error: { code: 'PAYLOAD_TOO_LARGE', message: apiMessage('PAYLOAD_TOO_LARGE'), details: null } })
      }
      if (status === 415 || error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        return reply.status(415).send({ error: { code: 'UNSUPPORTED_MEDIA', message: apiMessage('UNSUPPORTED_MEDIA'), details: null } })
      }
      if (status >= 400 && status < 500) {
        const code = isErrorCode(error.code) ? error.code : status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST'
        return reply.status(status).send({ error: { code, message: error.message, details: null } })
      }
      if (isDatabaseUnavailable(error)) {
        request.log.warn({ err: error }, 'database unavailable')
        return reply
          .status(503)
          .header('retry-after', '2')
          .send({ error: { code: 'DB_UNAVAILABLE', message: apiMessage('DB_UNAVAILABLE'), details: null } })
      }
      request.log.error({ err: error }, 'unhandled error')
      return reply.status(500).send({ error: { code: 'INTERNAL', message: apiMessage('INTERNAL'), details: null } })
    })
  },
  { name: 'errors' },
)
