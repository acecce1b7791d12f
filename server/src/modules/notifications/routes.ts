import type { FastifyPluginAsync } from 'fastify'
import { OkSchema, errorResponses } from '@vernetzt/shared/schemas/common'
import { NotificationPageSchema } from '@vernetzt/shared/schemas/moderation'
import { FeedQuerySchema, type FeedQuery } from '@vernetzt/shared/schemas/posts'
import { requireActor } from '../../plugins/auth.ts'
import { listNotifications, markAllRead } from './service.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  app.get<{ Querystring: FeedQuery }>('/notifications', {
    schema: { tags: ['notifications'], querystring: FeedQuerySchema, response: { 200: NotificationPageSchema, ...errorResponses } },
  }, async (request) => listNotifications(ctx, requireActor(request), request.query))
  app.post('/notifications/read-all', {
    schema: { tags: ['notifications'], response: { 200: OkSchema, ...errorResponses } },
  }, async (request) => {
    await markAllRead(ctx, requireActor(request))
    return { ok: true }
  })
}

export default routes
