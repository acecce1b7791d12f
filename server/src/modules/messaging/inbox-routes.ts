import type { FastifyPluginAsync } from 'fastify'
import { OkSchema, errorResponses } from '@vernetzt/shared/schemas/common'
import {
  InboxPageSchema,
  InboxMessagesSchema,
  MessageSchema,
  MessagesQuerySchema,
  ReadBodySchema,
  SendMessageSchema,
  type MessagesQuery,
} from '@vernetzt/shared/schemas/messages'
import { FeedQuerySchema, PostIdParamsSchema, type FeedQuery, type PostIdParams } from '@vernetzt/shared/schemas/posts'
import { requireActor } from '../../plugins/auth.ts'
import { answerInbox, inboxMessages, listInbox, readInbox } from './company-inbox.ts'

/** /admin/inbox: the company's conversations, answered by administrators and site moderators. */
const inboxRoutes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  const tags = ['admin']

  app.get<{ Querystring: FeedQuery }>(
    '/admin/inbox',
    {
      schema: {
        tags,
        summary: "The company's conversations, newest activity first",
        querystring: FeedQuerySchema,
        response: { 200: InboxPageSchema, ...errorResponses },
      },
    },
    async (request) => listInbox(ctx, requireActor(request), request.query),
  )
  app.get<{ Params: PostIdParams; Querystring: MessagesQuery }>(
    '/admin/inbox/:id/messages',
    {
      schema: {
        tags,
        summary: 'A company conversation, with who answered',
        params: PostIdParamsSchema,
        querystring: MessagesQuerySchema,
        response: { 200: InboxMessagesSchema, ...errorResponses },
      },
    },
    async (request) => inboxMessages(ctx, requireActor(request), request.params.id, request.query),
  )
  app.post<{ Params: PostIdParams; Body: { body: string; clientMessageId: string } }>(
    '/admin/inbox/:id/messages',
    {
      config: { limits: ['content'] },
      schema: {
        tags,
        summary: 'Answer as the company',
        params: PostIdParamsSchema,
        body: {
          type: 'object',
          required: ['body', 'clientMessageId'],
          additionalProperties: false,
          properties: { body: SendMessageSchema.properties.body, clientMessageId: SendMessageSchema.properties.clientMessageId },
        },
        response: { 201: MessageSchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await answerInbox(ctx, requireActor(request), request.params.id, request.body)),
  )
  app.post<{ Params: PostIdParams; Body: { seq: number } }>(
    '/admin/inbox/:id/read',
    {
      schema: {
        tags,
        summary: 'Mark as read for the company',
        params: PostIdParamsSchema,
        body: ReadBodySchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (request) => {
      await readInbox(ctx, requireActor(request), request.params.id, request.body.seq)
      return { ok: true }
    },
  )
}

export default inboxRoutes
