import type { FastifyPluginAsync } from 'fastify'
import { OkSchema, errorResponses } from '@vernetzt/shared/schemas/common'
import { CommentBodySchema, CommentPageSchema, CommentSchema, LikeStateSchema, type CommentBody } from '@vernetzt/shared/schemas/comments'
import { FeedQuerySchema, PostIdParamsSchema, type FeedQuery, type PostIdParams } from '@vernetzt/shared/schemas/posts'
import { requireActor } from '../../plugins/auth.ts'
import { addComment, deleteComment, like, listComments, listReplies } from './service.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  const tags = ['comments']

  app.get<{ Params: PostIdParams; Querystring: FeedQuery }>(
    '/posts/:id/comments',
    {
      schema: { tags, params: PostIdParamsSchema, querystring: FeedQuerySchema, response: { 200: CommentPageSchema, ...errorResponses } },
    },
    async (request) => listComments(ctx, request.actor, request.params.id, request.query),
  )

  app.post<{ Params: PostIdParams; Body: CommentBody }>(
    '/posts/:id/comments',
    {
      config: { limits: ['content'] },
      schema: { tags, params: PostIdParamsSchema, body: CommentBodySchema, response: { 201: CommentSchema, ...errorResponses } },
    },
    async (request, reply) => reply.status(201).send(await addComment(ctx, requireActor(request), request.params.id, request.body)),
  )

  app.get<{ Params: PostIdParams; Querystring: FeedQuery }>(
    '/comments/:id/replies',
    {
      schema: { tags, params: PostIdParamsSchema, querystring: FeedQuerySchema, response: { 200: CommentPageSchema, ...errorResponses } },
    },
    async (request) => listReplies(ctx, request.actor, request.params.id, request.query),
  )

  app.delete<{ Params: PostIdParams }>(
    '/comments/:id',
    {
      schema: { tags, params: PostIdParamsSchema, response: { 200: OkSchema, ...errorResponses } },
    },
    async (request) => {
      await deleteComment(ctx, requireActor(request), request.params.id)
      return { ok: true }
    },
  )

  app.put<{ Params: PostIdParams }>(
    '/posts/:id/like',
    {
      schema: { tags, params: PostIdParamsSchema, response: { 200: LikeStateSchema, ...errorResponses } },
    },
    async (request) => like(ctx, requireActor(request), request.params.id, true),
  )

  app.delete<{ Params: PostIdParams }>(
    '/posts/:id/like',
    {
      schema: { tags, params: PostIdParamsSchema, response: { 200: LikeStateSchema, ...errorResponses } },
    },
    async (request) => like(ctx, requireActor(request), request.params.id, false),
  )
}

export default routes
