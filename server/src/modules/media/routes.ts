import type { FastifyPluginAsync } from 'fastify'
import { MediaIdSchema } from '@vernetzt/shared/schemas/common'
import { SESSION_COOKIE, resolveSession } from '../accounts/index.ts'
import { readMedia, type GroupGate } from './service.ts'

/**
 * File bytes live outside /api so <img> tags and the business card can use short URLs. Each
 * file is served under the rule of what it belongs to (media/service.ts); the session is read
 * only for files that are not public.
 */
const mediaRoutes: FastifyPluginAsync<{ isGroupMember: GroupGate }> = async (app, { isGroupMember }) => {
  app.get<{ Params: { id: string } }>(
    '/media/:id',
    {
      schema: {
        tags: ['media'],
        summary: 'A stored image or PDF, for whoever may see what it belongs to (everyone else: 404)',
        params: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: MediaIdSchema } },
      },
    },
    async (request, reply) => {
      const media = await readMedia(app.ctx, request.params.id, () => resolveSession(app.ctx, request.cookies[SESSION_COOKIE]), isGroupMember)
      // Public files never change under their id, so a long shared cache is safe; anything
      // else must not outlive the access that let it through, in any cache.
      reply.header('cache-control', media.public ? 'public, max-age=31536000, immutable' : 'private, no-store')
      reply.header('content-security-policy', "default-src 'none'")
      reply.header('x-content-type-options', 'nosniff')
      if (media.name) reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(media.name)}`)
      return reply.type(media.contentType).send(media.data)
    },
  )
}

export default mediaRoutes
