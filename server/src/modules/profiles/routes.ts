import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { AppError } from '@vernetzt/shared/errors'
import { HandleParamsSchema, errorResponses, type HandleParams } from '@vernetzt/shared/schemas/common'
import { UPLOAD_MAX_BYTES, ProfilePatchSchema, ProfileSchema, type ProfilePatch } from '@vernetzt/shared/schemas/profiles'
import { requireActor } from '../../plugins/auth.ts'
import { getProfile, referralQr, setAvatar, updateProfile, uploadFile, uploadImage } from './service.ts'

/** The one file of a multipart upload, from the named field. */
async function singleFile(request: FastifyRequest, field: string): Promise<Buffer> {
  return (await namedFile(request, field)).buffer
}

export async function namedFile(request: FastifyRequest, field: string): Promise<{ buffer: Buffer; filename: string }> {
  if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA', `Send the file as multipart/form-data in the field "${field}".`)
  let file: Awaited<ReturnType<FastifyRequest['file']>>
  let buffer: Buffer
  try {
    file = await request.file({ limits: { fileSize: UPLOAD_MAX_BYTES, files: 1 } })
    if (!file || file.fieldname !== field) throw new AppError('VALIDATION_FAILED', `The field "${field}" with a file is missing.`, { field })
    buffer = await file.toBuffer()
  } catch (error) {
    // A body that is not the multipart it claims to be (no parts, a broken boundary) is the
    // client's mistake; too large a file keeps its own answer.
    if (error instanceof AppError || (error as { statusCode?: number }).statusCode === 413 || (error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw error
    throw new AppError('VALIDATION_FAILED', `The upload could not be read; send the file as multipart/form-data in the field "${field}".`, { field })
  }
  if (file.file.truncated) throw new AppError('PAYLOAD_TOO_LARGE', 'The file is too large (8 MB at most).', { field })
  return { buffer, filename: file.filename }
}

const UploadedImageSchema = {
  type: 'object',
  required: ['id', 'url', 'width', 'height'],
  additionalProperties: false,
  properties: { id: { type: 'string' }, url: { type: 'string' }, width: { type: 'integer' }, height: { type: 'integer' } },
} as const

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app

  app.get<{ Params: HandleParams }>('/profiles/:handle', {
    schema: { tags: ['profiles'], params: HandleParamsSchema, response: { 200: ProfileSchema, ...errorResponses } },
  }, async (request) => getProfile(ctx, request.params.handle))

  app.patch<{ Body: ProfilePatch }>('/me/profile', {
    schema: { tags: ['profiles'], body: ProfilePatchSchema, response: { 200: ProfileSchema, ...errorResponses } },
  }, async (request) => updateProfile(ctx, app.io, requireActor(request), request.body))

  app.put('/me/avatar', {
    config: { limits: ['content'] },
    schema: {
      tags: ['profiles'],
      summary: 'Upload an avatar (multipart field "avatar"); stored as a 400×400 WebP without EXIF',
      consumes: ['multipart/form-data'],
      response: { 200: ProfileSchema, ...errorResponses },
    },
  }, async (request) => {
    const actor = requireActor(request)
    return setAvatar(ctx, app.io, actor, await singleFile(request, 'avatar'))
  })

  app.post('/media', {
    config: { limits: ['content'] },
    schema: {
      tags: ['posts'],
      summary: 'Upload an image for a post (multipart field "image"); stored as WebP without EXIF, at most 1600 px',
      consumes: ['multipart/form-data'],
      response: { 201: UploadedImageSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const actor = requireActor(request)
    const buffer = await singleFile(request, 'image')
    return reply.status(201).send(await uploadImage(ctx, actor, buffer))
  })

  app.post('/files', {
    config: { limits: ['content'] },
    schema: {
      tags: ['lessons'],
      summary: 'Upload a PDF (multipart field "file", at most 8 MB) to link from a lesson or post',
      consumes: ['multipart/form-data'],
      response: {
        201: { type: 'object', required: ['id', 'url', 'name'], additionalProperties: false, properties: { id: { type: 'string' }, url: { type: 'string' }, name: { type: 'string' } } },
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const actor = requireActor(request)
    const { buffer, filename } = await namedFile(request, 'file')
    return reply.status(201).send(await uploadFile(ctx, actor, buffer, filename))
  })

  app.get<{ Params: HandleParams & { format: 'svg' | 'png' } }>('/profiles/:handle/qr.:format', {
    schema: {
      tags: ['profiles'],
      summary: 'QR code of the profile address, for business cards',
      params: {
        type: 'object',
        required: ['handle', 'format'],
        properties: { ...HandleParamsSchema.properties, format: { type: 'string', enum: ['svg', 'png'] } },
      },
    },
  }, async (request, reply) => {
    const body = await referralQr(ctx, request.params.handle, request.params.format)
    reply.header('cache-control', 'public, max-age=3600')
    reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    return reply.type(request.params.format === 'svg' ? 'image/svg+xml' : 'image/png').send(body)
  })
}

export default routes
