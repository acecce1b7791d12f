import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { errorResponses } from '@vernetzt/shared/schemas/common'
import { PeriodParamsSchema, type PeriodParams } from '@vernetzt/shared/schemas/commerce'
import { PeriodListSchema } from '@vernetzt/shared/schemas/periods'
import { PostIdParamsSchema } from '@vernetzt/shared/schemas/posts'
import { requireActor } from '../../plugins/auth.ts'
import { listPeriods, payoutsCsv, statementExport, type ExportFile } from './statements.ts'

const memberQuery = { type: 'object', additionalProperties: false, properties: { member: PostIdParamsSchema.properties.id } } as const

/** Money files are personal: no shared cache keeps them, and the browser saves them under a readable name. */
function sendFile(reply: FastifyReply, file: ExportFile) {
  return reply
    .type(file.contentType)
    .header('cache-control', 'private, no-store')
    .header('content-disposition', `attachment; filename="${file.filename}"`)
    .send(file.body)
}

/** Statements as CSV and PDF, the payout export and the periods overview (commerce core: routes.ts). */
const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app

  // find-my-way tells "/statements/2026-05" (JSON, routes.ts) from "/statements/2026-05.csv" by the static suffix.
  for (const format of ['csv', 'pdf'] as const) {
    app.get<{ Params: PeriodParams; Querystring: { member?: string } }>(
      `/statements/:period.${format}`,
      {
        schema: {
          tags: ['commissions'],
          summary: `Your commission statement for a month as ${format.toUpperCase()} (admins: any partner with ?member=<id>)`,
          params: PeriodParamsSchema,
          querystring: memberQuery,
          response: { ...errorResponses },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        return sendFile(reply, await statementExport(ctx, actor, request.query.member ?? actor.id, request.params.period, format))
      },
    )
  }

  app.get(
    '/admin/periods',
    {
      schema: {
        tags: ['commissions'],
        summary: 'The current month and the twelve before it: status and totals',
        response: { 200: PeriodListSchema, ...errorResponses },
      },
    },
    async (request) => listPeriods(ctx, requireActor(request)),
  )

  app.get<{ Params: PeriodParams }>(
    '/admin/periods/:period/payouts.csv',
    {
      schema: {
        tags: ['commissions'],
        summary: "A closed month's payouts per partner, as CSV for the accounting system",
        params: PeriodParamsSchema,
        response: { ...errorResponses },
      },
    },
    async (request, reply) => sendFile(reply, await payoutsCsv(ctx, requireActor(request), request.params.period)),
  )
}

export default routes
