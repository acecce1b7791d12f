import type { FastifyPluginAsync } from 'fastify'

const HealthSchema = {
  type: 'object',
  required: ['status', 'db'],
  additionalProperties: false,
  properties: { status: { type: 'string', enum: ['ok', 'degraded'] }, db: { type: 'string', enum: ['up', 'down'] } },
} as const

/** Load balancers poll this; it answers 503 while the database cannot be reached. */
const routes: FastifyPluginAsync = async (app) => {
  app.get('/healthz', {
    schema: { tags: ['ops'], response: { 200: HealthSchema, 503: HealthSchema } },
  }, async (_request, reply) => {
    try {
      await app.ctx.models.Member.db.db!.admin().command({ ping: 1 })
      return { status: 'ok', db: 'up' }
    } catch {
      return reply.status(503).send({ status: 'degraded', db: 'down' })
    }
  })
}

export default routes
