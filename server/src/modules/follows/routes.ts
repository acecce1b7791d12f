import type { FastifyPluginAsync } from 'fastify'
import { HandleParamsSchema, errorResponses, type HandleParams } from '@vernetzt/shared/schemas/common'
import { FollowStateSchema } from '@vernetzt/shared/schemas/posts'
import { requireActor } from '../../plugins/auth.ts'
import { follow, followState, unfollow } from './service.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  const schema = { tags: ['follows'], params: HandleParamsSchema, response: { 200: FollowStateSchema, ...errorResponses } }

  app.get<{ Params: HandleParams }>('/profiles/:handle/follow', { schema }, async (request) => followState(ctx, request.actor, request.params.handle))
  app.post<{ Params: HandleParams }>('/profiles/:handle/follow', { schema }, async (request) => follow(ctx, requireActor(request), request.params.handle))
  app.delete<{ Params: HandleParams }>('/profiles/:handle/follow', { schema }, async (request) => unfollow(ctx, requireActor(request), request.params.handle))
}

export default routes
