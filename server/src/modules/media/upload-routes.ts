import type { FastifyPluginAsync } from 'fastify'
import { errorResponses } from '@vernetzt/shared/schemas/common'
import { requireActor } from '../../plugins/auth.ts'
import { namedFile, singleFile } from './multipart.ts'
import { uploadFile, uploadImage } from './uploads.ts'

const UploadedImageSchema = {
  type: 'object',
  required: ['id', 'url', 'width', 'height'],
  additionalProperties: false,
  properties: { id: { type: 'string' }, url: { type: 'string' }, width: { type: 'integer' }, height: { type: 'integer' } },
} as const

/** Uploads for posts, comments, lessons and products; what a file may be seen by is decided when it is used. */
const uploadRoutes: FastifyPluginAsync = async (app) => {
  const { ctx } = app

  app.post(
    '/media',
    {
      config: { limits: ['content'] },
      schema: {
        tags: ['posts'],
        summary: 'Upload an image for a post (multipart field "image"); stored as WebP without EXIF, at most 1600 px',
        consumes: ['multipart/form-data'],
        response: { 201: UploadedImageSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request)
      const buffer = await singleFile(request, 'image')
      return reply.status(201).send(await uploadImage(ctx, actor, buffer))
    },
  )

  app.post(
    '/files',
    {
      config: { limits: ['content'] },
      schema: {
        tags: ['lessons'],
        summary: 'Upload a PDF (multipart field "file", at most 8 MB) to link from a lesson or post',
        consumes: ['multipart/form-data'],
        response: {
          201: {
            type: 'object',
            required: ['id', 'url', 'name'],
            additionalProperties: false,
            properties: { id: { type: 'string' }, url: { type: 'string' }, name: { type: 'string' } },
          },
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request)
      const { buffer, filename } = await namedFile(request, 'file')
      return reply.status(201).send(await uploadFile(ctx, actor, buffer, filename))
    },
  )
}

export default uploadRoutes
