import type { FastifyPluginAsync } from 'fastify'
import { MediaIdSchema, OkSchema, errorResponses } from '@vernetzt/shared/schemas/common'
import {
  AttachmentSchema,
  ConversationPageSchema,
  ConversationSchema,
  ConversationSettingsBodySchema,
  CreateConversationBodySchema,
  MessagePageSchema,
  MessageSchema,
  MessagesQuerySchema,
  ReadBodySchema,
  SendMessageSchema,
  UnreadConversationsSchema,
  type CreateConversationBody,
  type MessagesQuery,
} from '@vernetzt/shared/schemas/messages'
import { SlugParamsSchema, type SlugParams } from '@vernetzt/shared/schemas/groups'
import { FeedQuerySchema, PostIdParamsSchema, type FeedQuery, type PostIdParams } from '@vernetzt/shared/schemas/posts'
import { requireActor } from '../../plugins/auth.ts'
import { readableGroup } from '../groups/index.ts'
import { getAttachment, uploadAttachment } from './attachments.ts'
import { namedFile } from '../media/index.ts'
import { listConversations, unreadConversations } from './conversation-list.ts'
import { acceptRequest, createConversation, getConversation, groupRoom, setMuted } from './conversations.ts'
import { changeMessage, listMessages, readUpTo } from './messages.ts'
import { sendMessage } from './send.ts'
import chatSettingsRoutes from './settings-routes.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  const tags = ['messages']

  app.get<{ Querystring: FeedQuery }>(
    '/conversations',
    {
      schema: {
        tags,
        summary: 'Your conversations, most recent activity first, with unread counts',
        querystring: FeedQuerySchema,
        response: { 200: ConversationPageSchema, ...errorResponses },
      },
    },
    async (request) => listConversations(ctx, requireActor(request), request.query),
  )

  app.get(
    '/conversations/unread',
    {
      schema: {
        tags,
        summary: 'How many of your conversations have unread messages (for the badge in the navigation)',
        response: { 200: UnreadConversationsSchema, ...errorResponses },
      },
    },
    async (request) => unreadConversations(ctx, requireActor(request)),
  )

  app.post<{ Body: CreateConversationBody }>(
    '/conversations',
    {
      config: { limits: ['content'] },
      schema: { tags, body: CreateConversationBodySchema, response: { 201: ConversationSchema, ...errorResponses } },
    },
    async (request, reply) => reply.status(201).send(await createConversation(ctx, requireActor(request), request.body)),
  )

  app.get<{ Params: PostIdParams; Querystring: MessagesQuery }>(
    '/conversations/:id/messages',
    {
      schema: {
        tags,
        summary: 'History, oldest first: before=<seq> pages back, after=<seq> catches up',
        params: PostIdParamsSchema,
        querystring: MessagesQuerySchema,
        response: { 200: MessagePageSchema, ...errorResponses },
      },
    },
    async (request) => listMessages(ctx, requireActor(request), request.params.id, request.query),
  )

  app.post<{ Params: PostIdParams; Body: { body: string; clientMessageId: string; attachments?: string[] } }>(
    '/conversations/:id/messages',
    {
      schema: {
        tags,
        summary: 'Send without a socket (the socket event message:send does the same)',
        params: PostIdParamsSchema,
        body: {
          type: 'object',
          required: ['body', 'clientMessageId'],
          additionalProperties: false,
          properties: {
            body: SendMessageSchema.properties.body,
            clientMessageId: SendMessageSchema.properties.clientMessageId,
            attachments: SendMessageSchema.properties.attachments,
          },
        },
        response: { 201: MessageSchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await sendMessage(ctx, requireActor(request), { conversationId: request.params.id, ...request.body })),
  )

  app.post<{ Params: PostIdParams; Body: { seq: number } }>(
    '/conversations/:id/read',
    {
      schema: {
        tags,
        params: PostIdParamsSchema,
        body: ReadBodySchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (request) => {
      await readUpTo(ctx, requireActor(request), request.params.id, request.body.seq)
      return { ok: true }
    },
  )

  const SeqParams = {
    type: 'object',
    required: ['id', 'seq'],
    additionalProperties: false,
    properties: { id: PostIdParamsSchema.properties.id, seq: { type: 'integer', minimum: 1 } },
  } as const
  app.patch<{ Params: { id: string; seq: number }; Body: { body: string } }>(
    '/conversations/:id/messages/:seq',
    {
      schema: {
        tags,
        params: SeqParams,
        body: { type: 'object', required: ['body'], additionalProperties: false, properties: { body: SendMessageSchema.properties.body } },
        response: { 200: MessageSchema, ...errorResponses },
      },
    },
    async (request) => changeMessage(ctx, requireActor(request), request.params.id, request.params.seq, request.body.body),
  )
  app.delete<{ Params: { id: string; seq: number } }>(
    '/conversations/:id/messages/:seq',
    {
      schema: { tags, params: SeqParams, response: { 200: MessageSchema, ...errorResponses } },
    },
    async (request) => changeMessage(ctx, requireActor(request), request.params.id, request.params.seq, null),
  )

  app.get<{ Params: PostIdParams }>(
    '/conversations/:id',
    {
      schema: { tags, params: PostIdParamsSchema, response: { 200: ConversationSchema, ...errorResponses } },
    },
    async (request) => getConversation(ctx, requireActor(request), request.params.id),
  )
  app.put<{ Params: PostIdParams; Body: { muted: boolean } }>(
    '/conversations/:id/settings',
    {
      schema: {
        tags,
        summary: 'Mute or unmute a conversation (mentions still notify)',
        params: PostIdParamsSchema,
        body: ConversationSettingsBodySchema,
        response: { 200: ConversationSchema, ...errorResponses },
      },
    },
    async (request) => setMuted(ctx, requireActor(request), request.params.id, request.body.muted),
  )

  app.post<{ Params: PostIdParams }>(
    '/conversations/:id/attachments',
    {
      config: { limits: ['content'] },
      schema: {
        tags,
        summary: 'Upload an image or PDF (multipart field "file", 8 MB at most) to attach to your next message here',
        consumes: ['multipart/form-data'],
        params: PostIdParamsSchema,
        response: { 201: AttachmentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request)
      const { buffer, filename } = await namedFile(request, 'file')
      return reply.status(201).send(await uploadAttachment(ctx, actor, request.params.id, buffer, filename))
    },
  )
  const AttachmentParams = {
    type: 'object',
    required: ['id', 'attachmentId'],
    additionalProperties: false,
    properties: { id: PostIdParamsSchema.properties.id, attachmentId: MediaIdSchema },
  } as const
  app.get<{ Params: { id: string; attachmentId: string } }>(
    '/conversations/:id/attachments/:attachmentId',
    {
      schema: { tags, summary: 'An attachment, for the participants only', params: AttachmentParams },
    },
    async (request, reply) => {
      const file = await getAttachment(ctx, requireActor(request), request.params.id, request.params.attachmentId)
      // Never kept past the request: a participant who leaves must not find it in a cache.
      reply.header('cache-control', 'private, no-store')
      reply.header('x-content-type-options', 'nosniff')
      reply.header('content-disposition', `${file.download ? 'attachment' : 'inline'}; filename*=UTF-8''${encodeURIComponent(file.name)}`)
      return reply.type(file.contentType).send(file.data)
    },
  )

  app.get<{ Params: SlugParams }>(
    '/groups/:slug/chat',
    {
      schema: { tags, summary: "The group's chat room, for its members", params: SlugParamsSchema, response: { 200: ConversationSchema, ...errorResponses } },
    },
    async (request) => {
      const actor = requireActor(request)
      return groupRoom(ctx, actor, await readableGroup(ctx, actor, request.params.slug))
    },
  )

  app.post<{ Params: PostIdParams }>(
    '/conversations/:id/accept',
    {
      schema: { tags, summary: 'Accept a message request', params: PostIdParamsSchema, response: { 200: ConversationSchema, ...errorResponses } },
    },
    async (request) => acceptRequest(ctx, requireActor(request), request.params.id),
  )

  // Chat settings (welcome text, privacy, blocks) and the markdown preview.
  await app.register(chatSettingsRoutes)
}

export default routes
