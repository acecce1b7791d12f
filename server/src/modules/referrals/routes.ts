import type { FastifyPluginAsync } from 'fastify'
import { errorResponses } from '@vernetzt/shared/schemas/common'
import {
  DownlinePageSchema,
  DownlineQuerySchema,
  DownlineStatsSchema,
  MoveBodySchema,
  MoveResultSchema,
  type DownlineQuery,
  type MoveBody,
} from '@vernetzt/shared/schemas/downline'
import { requireActor } from '../../plugins/auth.ts'
import { downlineStats, listDownline, moveMember } from './service.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app

  app.get<{ Querystring: DownlineQuery }>(
    '/me/downline',
    {
      schema: { tags: ['team'], querystring: DownlineQuerySchema, response: { 200: DownlinePageSchema, ...errorResponses } },
    },
    async (request) => listDownline(ctx, requireActor(request), request.query),
  )

  app.get(
    '/me/downline/stats',
    {
      schema: { tags: ['team'], response: { 200: DownlineStatsSchema, ...errorResponses } },
    },
    async (request) => downlineStats(ctx, requireActor(request)),
  )

  app.post<{ Body: MoveBody }>(
    '/admin/members/move',
    {
      schema: {
        tags: ['admin'],
        summary: 'Move a member (and their downline) to another sponsor; audited',
        body: MoveBodySchema,
        response: { 200: MoveResultSchema, ...errorResponses },
      },
    },
    async (request) => moveMember(ctx, requireActor(request), request.body),
  )
}

export default routes
