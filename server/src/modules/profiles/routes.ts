import type { FastifyPluginAsync } from 'fastify'
import { HandleParamsSchema, errorResponses, type HandleParams } from '@vernetzt/shared/schemas/common'
import { ProfilePatchSchema, ProfileSchema, type ProfilePatch } from '@vernetzt/shared/schemas/profiles'
import { requireActor } from '../../plugins/auth.ts'
import { getProfile, referralQr, setAvatar, updateProfile } from './service.ts'
import { singleFile } from '../media/index.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app

  app.get<{ Params: HandleParams }>(
    '/profiles/:handle',
    {
      schema: { tags: ['profiles'], params: HandleParamsSchema, response: { 200: ProfileSchema, ...errorResponses } },
    },
    async (request) => getProfile(ctx, request.params.handle),
  )

  app.patch<{ Body: ProfilePatch }>(
    '/me/profile',
    {
      schema: { tags: ['profiles'], body: ProfilePatchSchema, response: { 200: ProfileSchema, ...errorResponses } },
    },
    async (request) => updateProfile(ctx, requireActor(request), request.body),
  )

  app.put(
    '/me/avatar',
    {
      config: { limits: ['content'] },
      schema: {
        tags: ['profiles'],
        summary: 'Upload an avatar (multipart field "avatar"); stored as a 400×400 WebP without EXIF',
        consumes: ['multipart/form-data'],
        response: { 200: ProfileSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = requireActor(request)
      return setAvatar(ctx, actor, await singleFile(request, 'avatar'))
    },
  )

  app.get<{ Params: HandleParams & { format: 'svg' | 'png' } }>(
    '/profiles/:handle/qr.:format',
    {
      schema: {
        tags: ['profiles'],
        summary: 'QR code of the profile address, for business cards',
        params: {
          type: 'object',
          required: ['handle', 'format'],
          properties: { ...HandleParamsSchema.properties, format: { type: 'string', enum: ['svg', 'png'] } },
        },
      },
    },
    async (request, reply) => {
      const body = await referralQr(ctx, request.params.handle, request.params.format)
      reply.header('cache-control', 'public, max-age=3600')
      reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      return reply.type(request.params.format === 'svg' ? 'image/svg+xml' : 'image/png').send(body)
    },
  )
}

export default routes
