import type { FastifyPluginAsync } from 'fastify'
import { OkSchema, errorResponses } from '@vernetzt/shared/schemas/common'
import {
  ConversationPageSchema, ConversationSchema, CreateConversationBodySchema, MessagePageSchema, MessageSchema, MessagesQuerySchema, SendMessageSchema,
  WelcomeBodySchema, WelcomeSchema,
  type CreateConversationBody, type MessagesQuery,
} from '@vernetzt/shared/schemas/messages'
import { FeedQuerySchema, PostIdParamsSchema, type FeedQuery, type PostIdParams } from '@vernetzt/shared/schemas/posts'
import { requireActor } from '../../plugins/auth.ts'
import { acceptRequest, changeMessage, createConversation, getWelcome, listConversations, listMessages, readUpTo, sendMessage, setPrivacy, setWelcome } from './service.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  const tags = ['messages']

  app.get<{ Querystring: FeedQuery }>('/conversations', {
    schema: { tags, summary: 'Your conversations, most recent activity first, with unread counts', querystring: FeedQuerySchema, response: { 200: ConversationPageSchema, ...errorResponses } },
  }, async (request) => listConversations(ctx, requireActor(request), request.query))

  app.post<{ Body: CreateConversationBody }>('/conversations', {
    schema: { tags, body: CreateConversationBodySchema, response: { 201: ConversationSchema, ...errorResponses } },
  }, async (request, reply) => reply.status(201).send(await createConversation(ctx, requireActor(request), request.body)))

  app.get<{ Params: PostIdParams; Querystring: MessagesQuery }>('/conversations/:id/messages', {
    schema: { tags, summary: 'History, oldest first: before=<seq> pages back, after=<seq> catches up', params: PostIdParamsSchema, querystring: MessagesQuerySchema, response: { 200: MessagePageSchema, ...errorResponses } },
  }, async (request) => listMessages(ctx, requireActor(request), request.params.id, request.query))

  app.post<{ Params: PostIdParams; Body: { body: string; clientMessageId: string } }>('/conversations/:id/messages', {
    schema: {
      tags,
      summary: 'Send without a socket (the socket event message:send does the same)',
      params: PostIdParamsSchema,
      body: { type: 'object', required: ['body', 'clientMessageId'], additionalProperties: false, properties: { body: SendMessageSchema.properties.body, clientMessageId: SendMessageSchema.properties.clientMessageId } },
      response: { 201: MessageSchema, ...errorResponses },
    },
  }, async (request, reply) => reply.status(201).send(await sendMessage(ctx, app.io, requireActor(request), { conversationId: request.params.id, ...request.body })))

  app.post<{ Params: PostIdParams; Body: { seq: number } }>('/conversations/:id/read', {
    schema: { tags, params: PostIdParamsSchema, body: { type: 'object', required: ['seq'], additionalProperties: false, properties: { seq: { type: 'integer', minimum: 0 } } }, response: { 200: OkSchema, ...errorResponses } },
  }, async (request) => {
    await readUpTo(ctx, app.io, requireActor(request), request.params.id, request.body.seq)
    return { ok: true }
  })

  const SeqParams = { type: 'object', required: ['id', 'seq'], additionalProperties: false, properties: { id: PostIdParamsSchema.properties.id, seq: { type: 'integer', minimum: 1 } } } as const
  app.patch<{ Params: { id: string; seq: number }; Body: { body: string } }>('/conversations/:id/messages/:seq', {
    schema: { tags, params: SeqParams, body: { type: 'object', required: ['body'], additionalProperties: false, properties: { body: SendMessageSchema.properties.body } }, response: { 200: MessageSchema, ...errorResponses } },
  }, async (request) => changeMessage(ctx, app.io, requireActor(request), request.params.id, request.params.seq, request.body.body))
  app.delete<{ Params: { id: string; seq: number } }>('/conversations/:id/messages/:seq', {
    schema: { tags, params: SeqParams, response: { 200: MessageSchema, ...errorResponses } },
  }, async (request) => changeMessage(ctx, app.io, requireActor(request), request.params.id, request.params.seq, null))

  app.get('/me/welcome', {
    schema: { tags, summary: 'Your welcome message to new recruits ({name} becomes their name); null uses the default', response: { 200: WelcomeSchema, ...errorResponses } },
  }, async (request) => getWelcome(ctx, requireActor(request)))
  app.put<{ Body: { text: string | null } }>('/me/welcome', {
    schema: { tags, body: WelcomeBodySchema, response: { 200: WelcomeSchema, ...errorResponses } },
  }, async (request) => setWelcome(ctx, requireActor(request), request.body.text))

  const PrivacySchema = { type: 'object', required: ['readReceipts'], additionalProperties: false, properties: { readReceipts: { type: 'boolean' } } } as const
  app.put<{ Body: { readReceipts: boolean } }>('/me/privacy', {
    schema: { tags, summary: 'Whether others see that you read their messages', body: PrivacySchema, response: { 200: PrivacySchema, ...errorResponses } },
  }, async (request) => setPrivacy(ctx, requireActor(request), request.body))

  app.post<{ Params: PostIdParams }>('/conversations/:id/accept', {
    schema: { tags, summary: 'Accept a message request', params: PostIdParamsSchema, response: { 200: ConversationSchema, ...errorResponses } },
  }, async (request) => acceptRequest(ctx, requireActor(request), request.params.id))
}

export default routes
