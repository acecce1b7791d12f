import type { FastifyPluginAsync } from 'fastify'
import { errorResponses, HandleParamsSchema, type HandleParams } from '@vernetzt/shared/schemas/common'
import { BlockListSchema, PrivacyBodySchema, PrivacySchema, WelcomeBodySchema, WelcomeSchema, type Privacy } from '@vernetzt/shared/schemas/messages'
import { renderMarkdown } from '@vernetzt/shared/markdown'
import { requireActor } from '../../plugins/auth.ts'
import { block, listBlocks, unblock } from './blocks.ts'
import { getPrivacy, setPrivacy } from './privacy.ts'
import { getWelcome, setWelcome } from './welcome.ts'

/** The member's chat settings (welcome text, privacy, blocks) and the composer's markdown preview. */
const chatSettingsRoutes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  const tags = ['messages']

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
}

export default chatSettingsRoutes
