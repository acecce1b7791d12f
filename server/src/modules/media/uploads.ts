import { AppError } from '@vernetzt/shared/errors'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { processImage } from './images.ts'
import { storeMedia } from './service.ts'

/**
 * An image for a post, comment, lesson or product; the markdown refers to it as /media/<id>.
 * Until it is used somewhere, only its uploader can see it (see media/service.ts).
 */
export async function uploadImage(ctx: ServiceContext, actor: Actor, input: Buffer) {
  const { data, width, height } = await processImage(input, 'post', 'image')
  const media = await storeMedia(ctx, { ownerId: new Types.ObjectId(actor.id), kind: 'post', contentType: 'image/webp', data, width, height })
  return { id: media._id.toString(), url: `/media/${media._id.toString()}`, width, height }
}

/** A downloadable PDF (handouts for lessons); checked by its signature, not by its name. */
export async function uploadFile(ctx: ServiceContext, actor: Actor, input: Buffer, filename: string) {
  if (input.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw new AppError('UNSUPPORTED_MEDIA', 'Only PDF files can be attached.', { field: 'file' })
  }
  const name = (filename.replace(/[^\p{L}\p{N} ._-]/gu, '_').slice(0, 100) || 'datei') + (filename.toLowerCase().endsWith('.pdf') ? '' : '.pdf')
  const media = await storeMedia(ctx, {
    ownerId: new Types.ObjectId(actor.id),
    kind: 'file',
    contentType: 'application/pdf',
    data: input,
    width: 0,
    height: 0,
    name,
  })
  return { id: media._id.toString(), url: `/media/${media._id.toString()}`, name }
}
