import type { FastifyPluginAsync } from 'fastify'
import { errorResponses } from '@vernetzt/shared/schemas/common'
import {
  DownlineSearchQuerySchema,
  DownlineSearchResultSchema,
  EarningsDashboardSchema,
  IncomeDisclosureQuerySchema,
  IncomeDisclosureSchema,
  TreePageSchema,
  TreeQuerySchema,
  type DownlineSearchQuery,
  type IncomeDisclosureQuery,
  type TreeQuery,
} from '@vernetzt/shared/schemas/earnings'
import { requireActor } from '../../plugins/auth.ts'
import { downlineTree, searchDownline } from './downline-explorer.ts'
import { earningsDashboard } from './earnings.ts'
import { incomeDisclosure } from './income-disclosure.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app

  app.get(
    '/me/earnings',
    {
      schema: {
        tags: ['commissions'],
        summary: 'Your dashboard: this period per level, the last 12 periods, team size per level, new recruits',
        response: { 200: EarningsDashboardSchema, ...errorResponses },
      },
    },
    async (request) => earningsDashboard(ctx, requireActor(request)),
  )

  app.get<{ Querystring: TreeQuery }>(
    '/me/downline/tree',
    {
      schema: {
        tags: ['team'],
        summary: "A page (25) of the direct recruits of you or of someone in your downline, with this period's own sales",
        querystring: TreeQuerySchema,
        response: { 200: TreePageSchema, ...errorResponses },
      },
    },
    async (request) => downlineTree(ctx, requireActor(request), request.query),
  )

  app.get<{ Querystring: DownlineSearchQuery }>(
    '/me/downline/search',
    {
      schema: {
        tags: ['team'],
        summary: 'Find someone in your downline: an exact handle anywhere, names among the first 2,000 members',
        querystring: DownlineSearchQuerySchema,
        response: { 200: DownlineSearchResultSchema, ...errorResponses },
      },
      // Each search may read a few thousand documents.
      config: { limits: ['heavy'] },
    },
    async (request) => searchDownline(ctx, requireActor(request), request.query.q),
  )

  app.get<{ Querystring: IncomeDisclosureQuery }>(
    '/income-disclosure',
    {
      schema: {
        tags: ['commissions'],
        summary: 'Public: share of partners per earnings band, for a closed month or the last 12 closed months',
        querystring: IncomeDisclosureQuerySchema,
        response: { 200: IncomeDisclosureSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await incomeDisclosure(ctx, request.query)
      // Closed months are final; the yearly view changes only when a month is closed.
      void reply.header('cache-control', 'public, max-age=600')
      return result
    },
  )
}

export default routes
