import type { FastifyPluginAsync } from 'fastify'

const HealthSchema = {
  type: 'object',
  required: ['status', 'db'],
  additionalProperties: false,
  properties: { status: { type: 'string', enum: ['ok', 'degraded'] }, db: { type: 'string', enum: ['up', 'down'] } },
} as const

/** A ping slower than this counts as down: the health check itself must never hang. */
const PING_TIMEOUT_MS = 800

/** Load balancers poll this; it answers within a second, 503 while the database cannot be reached. */
const routes: FastifyPluginAsync = async (app) => {
  app.get(
    '/healthz',
    {
      schema: { tags: ['ops'], response: { 200: HealthSchema, 503: HealthSchema } },
    },
    async (_request, reply) => {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('ping timed out')), PING_TIMEOUT_MS)
      })
      try {
        await Promise.race([app.ctx.models.Member.db.db!.admin().command({ ping: 1 }), timeout])
        return { status: 'ok', db: 'up' }
      } catch {
        return reply.status(503).send({ status: 'degraded', db: 'down' })
      } finally {
        clearTimeout(timer)
      }
    },
  )
}

export default routes
