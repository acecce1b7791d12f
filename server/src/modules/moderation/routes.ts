import type { FastifyPluginAsync } from 'fastify'
import { HandleParamsSchema, errorResponses, type HandleParams } from '@vernetzt/shared/schemas/common'
import {
  ModerationActionBodySchema,
  ModerationResultSchema,
  PostingLimitBodySchema,
  PostingLimitSchema,
  QueuePageSchema,
  ReportBodySchema,
  ReportSchema,
  type ModerationActionBody,
  type PostingLimitBody,
  type ReportBody,
} from '@vernetzt/shared/schemas/moderation'
import { FeedQuerySchema, PostIdParamsSchema, type FeedQuery, type PostIdParams } from '@vernetzt/shared/schemas/posts'
import { SlugParamsSchema, type SlugParams } from '@vernetzt/shared/schemas/groups'
import { requireActor } from '../../plugins/auth.ts'
import { limitPosting, moderate, moderationQueue, reportPost } from './service.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  const tags = ['moderation']

  app.post<{ Params: PostIdParams; Body: ReportBody }>(
    '/posts/:id/reports',
    {
      config: { limits: ['content'] },
      schema: {
        tags,
        summary: 'Report a post (unflagged_ad, spam, abuse, other); once per member and post',
        params: PostIdParamsSchema,
        body: ReportBodySchema,
        response: { 201: ReportSchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await reportPost(ctx, requireActor(request), request.params.id, request.body)),
  )

  app.get<{ Querystring: FeedQuery }>(
    '/moderation/queue',
    {
      schema: {
        tags,
        summary: 'Reported posts with their open reports (moderators)',
        querystring: FeedQuerySchema,
        response: { 200: QueuePageSchema, ...errorResponses },
      },
    },
    async (request) => moderationQueue(ctx, requireActor(request), request.query),
  )

  app.get<{ Params: SlugParams; Querystring: FeedQuery }>(
    '/groups/:slug/moderation/queue',
    {
      schema: {
        tags,
        summary: 'Reported posts of one group (its owner and moderators)',
        params: SlugParamsSchema,
        querystring: FeedQuerySchema,
        response: { 200: QueuePageSchema, ...errorResponses },
      },
    },
    async (request) => moderationQueue(ctx, requireActor(request), { ...request.query, groupSlug: request.params.slug }),
  )

  app.post<{ Params: PostIdParams; Body: ModerationActionBody }>(
    '/moderation/posts/:id/actions',
    {
      schema: {
        tags,
        summary: 'Reclassify as ad, hide, or dismiss the reports; logged with who and why',
        params: PostIdParamsSchema,
        body: ModerationActionBodySchema,
        response: { 200: ModerationResultSchema, ...errorResponses },
      },
    },
    async (request) => moderate(ctx, requireActor(request), request.params.id, request.body),
  )

  app.post<{ Params: HandleParams; Body: PostingLimitBody }>(
    '/admin/members/:handle/posting-limit',
    {
      schema: {
        tags: ['admin'],
        summary: 'No posting to feeds for N days (0 lifts it)',
        params: HandleParamsSchema,
        body: PostingLimitBodySchema,
        response: { 200: PostingLimitSchema, ...errorResponses },
      },
    },
    async (request) => limitPosting(ctx, requireActor(request), request.params.handle, request.body),
  )
}

export default routes
