import type { FastifyPluginAsync } from 'fastify'
import { HandleParamsSchema, errorResponses, type HandleParams } from '@vernetzt/shared/schemas/common'
import {
  OnboardingChecklistSchema,
  RecruitsOnboardingPageSchema,
  RecruitsOnboardingQuerySchema,
  type RecruitsOnboardingQuery,
} from '@vernetzt/shared/schemas/onboarding'
import { requireActor } from '../../plugins/auth.ts'
import { getChecklist, recruitsOnboarding } from './service.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  const tags = ['team']

  app.get<{ Params: HandleParams }>(
    '/onboarding/:handle',
    {
      schema: {
        tags,
        summary: "A member's onboarding checklist (for the member, their upline and admins)",
        params: HandleParamsSchema,
        response: { 200: OnboardingChecklistSchema, ...errorResponses },
      },
    },
    async (request) => getChecklist(ctx, requireActor(request), request.params.handle),
  )

  app.get<{ Querystring: RecruitsOnboardingQuery }>(
    '/me/recruits/onboarding',
    {
      schema: {
        tags,
        summary: 'Your direct recruits, newest first, each with their onboarding checklist',
        querystring: RecruitsOnboardingQuerySchema,
        response: { 200: RecruitsOnboardingPageSchema, ...errorResponses },
      },
    },
    async (request) => recruitsOnboarding(ctx, requireActor(request), request.query),
  )
}

export default routes
