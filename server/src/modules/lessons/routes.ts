import type { FastifyPluginAsync } from 'fastify'
import { OkSchema, errorResponses } from '@vernetzt/shared/schemas/common'
import { SlugParamsSchema, type SlugParams } from '@vernetzt/shared/schemas/groups'
import {
  LessonBodySchema,
  LessonIdParamsSchema,
  LessonListSchema,
  LessonOrderBodySchema,
  LessonPatchSchema,
  LessonProgressPageSchema,
  LessonSchema,
  ProgressBodySchema,
  type LessonBody,
  type LessonIdParams,
  type LessonOrderBody,
  type LessonPatch,
  type ProgressBody,
} from '@vernetzt/shared/schemas/lessons'
import { requireActor } from '../../plugins/auth.ts'
import { createLesson, deleteLesson, getLesson, lessonProgress, listLessons, recordProgress, reorderLessons, updateLesson } from './service.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  const tags = ['lessons']

  app.get<{ Params: SlugParams }>(
    '/groups/:slug/lessons',
    {
      schema: {
        tags,
        summary: 'The course of a training group, with your own progress',
        params: SlugParamsSchema,
        response: { 200: LessonListSchema, ...errorResponses },
      },
    },
    async (request) => listLessons(ctx, requireActor(request), request.params.slug),
  )

  app.post<{ Params: SlugParams; Body: LessonBody }>(
    '/groups/:slug/lessons',
    {
      schema: { tags, params: SlugParamsSchema, body: LessonBodySchema, response: { 201: LessonSchema, ...errorResponses } },
    },
    async (request, reply) => reply.status(201).send(await createLesson(ctx, requireActor(request), request.params.slug, request.body)),
  )

  app.post<{ Params: SlugParams; Body: LessonOrderBody }>(
    '/groups/:slug/lessons/order',
    {
      schema: { tags, params: SlugParamsSchema, body: LessonOrderBodySchema, response: { 200: LessonListSchema, ...errorResponses } },
    },
    async (request) => reorderLessons(ctx, requireActor(request), request.params.slug, request.body),
  )

  app.get<{ Params: LessonIdParams }>(
    '/lessons/:id',
    {
      schema: { tags, params: LessonIdParamsSchema, response: { 200: LessonSchema, ...errorResponses } },
    },
    async (request) => getLesson(ctx, requireActor(request), request.params.id),
  )

  app.patch<{ Params: LessonIdParams; Body: LessonPatch }>(
    '/lessons/:id',
    {
      schema: { tags, params: LessonIdParamsSchema, body: LessonPatchSchema, response: { 200: LessonSchema, ...errorResponses } },
    },
    async (request) => updateLesson(ctx, requireActor(request), request.params.id, request.body),
  )

  app.delete<{ Params: LessonIdParams }>(
    '/lessons/:id',
    {
      schema: { tags, params: LessonIdParamsSchema, response: { 200: OkSchema, ...errorResponses } },
    },
    async (request) => {
      await deleteLesson(ctx, requireActor(request), request.params.id)
      return { ok: true }
    },
  )

  app.post<{ Params: LessonIdParams; Body: ProgressBody }>(
    '/lessons/:id/progress',
    {
      schema: {
        tags,
        summary: 'Tick checklist items or mark the lesson done',
        params: LessonIdParamsSchema,
        body: ProgressBodySchema,
        response: { 200: LessonSchema, ...errorResponses },
      },
    },
    async (request) => recordProgress(ctx, requireActor(request), request.params.id, request.body),
  )

  app.get<{ Params: LessonIdParams; Querystring: { cursor?: string; limit?: number } }>(
    '/lessons/:id/progress',
    {
      schema: {
        tags,
        summary: "Every member's progress on the lesson (owner and moderators)",
        params: LessonIdParamsSchema,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { cursor: { type: 'string', pattern: '^[0-9:]{1,30}$' }, limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 } },
        },
        response: { 200: LessonProgressPageSchema, ...errorResponses },
      },
    },
    async (request) => lessonProgress(ctx, requireActor(request), request.params.id, request.query),
  )
}

export default routes
