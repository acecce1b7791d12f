import type { FastifyPluginAsync } from 'fastify'
import { MediaIdSchema, OkSchema, errorResponses, HandleParamsSchema, type HandleParams } from '@vernetzt/shared/schemas/common'
import {
  AttachmentSchema,
  BlockListSchema,
  ConversationPageSchema,
  ConversationSchema,
  ConversationSettingsBodySchema,
  CreateConversationBodySchema,
  MessagePageSchema,
  MessageSchema,
  MessagesQuerySchema,
  PrivacyBodySchema,
  PrivacySchema,
  SendMessageSchema,
  WelcomeBodySchema,
  WelcomeSchema,
  type CreateConversationBody,
  type MessagesQuery,
  type Privacy,
} from '@vernetzt/shared/schemas/messages'
import { SlugParamsSchema, type SlugParams } from '@vernetzt/shared/schemas/groups'
import { FeedQuerySchema, PostIdParamsSchema, type FeedQuery, type PostIdParams } from '@vernetzt/shared/schemas/posts'
import { renderMarkdown } from '@vernetzt/shared/markdown'
import { requireActor } from '../../plugins/auth.ts'
import { readableGroup } from '../groups/index.ts'
import { getAttachment, uploadAttachment } from './attachments.ts'
import { block, listBlocks, unblock } from './blocks.ts'
import { namedFile } from '../media/index.ts'
import { acceptRequest, createConversation, getConversation, groupRoom, listConversations, setMuted } from './conversations.ts'
import { changeMessage, listMessages, readUpTo } from './messages.ts'
import { getPrivacy, setPrivacy } from './privacy.ts'
import { sendMessage } from './send.ts'
import { getWelcome, setWelcome } from './welcome.ts'

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
        body: { type: 'object', required: ['seq'], additionalProperties: false, properties: { seq: { type: 'integer', minimum: 0 } } },
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

  app.get(
    '/me/welcome',
    {
      schema: {
        tags,
        summary: 'Your welcome message to new recruits ({name} becomes their name); null uses the default',
        response: { 200: WelcomeSchema, ...errorResponses },
      },
    },
    async (request) => getWelcome(ctx, requireActor(request)),
  )
  app.put<{ Body: { text: string | null } }>(
    '/me/welcome',
    {
      schema: { tags, body: WelcomeBodySchema, response: { 200: WelcomeSchema, ...errorResponses } },
    },
    async (request) => setWelcome(ctx, requireActor(request), request.body.text),
  )

  app.get(
    '/me/privacy',
    {
      schema: { tags, summary: 'Whether others see your read receipts and your online status', response: { 200: PrivacySchema, ...errorResponses } },
    },
    async (request) => getPrivacy(ctx, requireActor(request)),
  )
  app.put<{ Body: Partial<Privacy> }>(
    '/me/privacy',
    {
      schema: {
        tags,
        summary: 'Switch read receipts and online status (either or both)',
        body: PrivacyBodySchema,
        response: { 200: PrivacySchema, ...errorResponses },
      },
    },
    async (request) => setPrivacy(ctx, requireActor(request), request.body),
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

  app.post<{ Body: { text: string } }>(
    '/markdown/preview',
    {
      schema: {
        tags,
        summary: 'Render markdown exactly as a message or post would show it (for composer previews)',
        body: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', maxLength: 20_000 } } },
        response: { 200: { type: 'object', required: ['html'], additionalProperties: false, properties: { html: { type: 'string' } } }, ...errorResponses },
      },
    },
    async (request) => {
      requireActor(request)
      return { html: renderMarkdown(request.body.text) }
    },
  )

  app.get(
    '/me/blocks',
    {
      schema: { tags, summary: 'Members you blocked', response: { 200: BlockListSchema, ...errorResponses } },
    },
    async (request) => listBlocks(ctx, requireActor(request)),
  )
  app.put<{ Params: HandleParams }>(
    '/me/blocks/:handle',
    {
      schema: {
        tags,
        summary: 'Block a member: no messages from them, theirs hidden in shared chats',
        params: HandleParamsSchema,
        response: { 200: BlockListSchema, ...errorResponses },
      },
    },
    async (request) => block(ctx, requireActor(request), request.params.handle),
  )
  app.delete<{ Params: HandleParams }>(
    '/me/blocks/:handle',
    {
      schema: { tags, params: HandleParamsSchema, response: { 200: BlockListSchema, ...errorResponses } },
    },
    async (request) => unblock(ctx, requireActor(request), request.params.handle),
  )

  app.post<{ Params: PostIdParams }>(
    '/conversations/:id/accept',
    {
      schema: { tags, summary: 'Accept a message request', params: PostIdParamsSchema, response: { 200: ConversationSchema, ...errorResponses } },
    },
    async (request) => acceptRequest(ctx, requireActor(request), request.params.id),
  )
}

export default routes
