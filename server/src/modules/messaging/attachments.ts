import { AppError } from '@vernetzt/shared/errors'
import type { Attachment } from '@vernetzt/shared/schemas/messages'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { type MediaDoc, findMedia, storeMedia, processImage } from '../media/index.ts'
import { access } from './access.ts'
import type { AttachmentRef } from './model.ts'

export function toAttachment(conversationId: Types.ObjectId, ref: AttachmentRef): Attachment {
  return {
    id: ref.id.toString(),
    kind: ref.kind,
    url: `/api/v1/conversations/${conversationId.toString()}/attachments/${ref.id.toString()}`,
    name: ref.name,
    size: ref.size,
    width: ref.width,
    height: ref.height,
  }
}

function cleanName(filename: string, extension: string): string {
  const base =
    filename
      .replace(/\.[a-z0-9]{1,5}$/i, '')
      .replace(/[^\p{L}\p{N} ._-]/gu, '_')
      .trim()
      .slice(0, 100) || 'datei'
  return `${base}.${extension}`
}

/**
 * Stores a file for a message in this conversation. Images are re-encoded (EXIF and anything
 * hidden in them is dropped); PDFs are recognised by their signature, never by their name.
 * Until a message refers to it, only its uploader can use it.
 */
export async function uploadAttachment(ctx: ServiceContext, actor: Actor, conversationId: string, input: Buffer, filename: string): Promise<Attachment> {
  const { conversation } = await access(ctx, conversationId, actor.id)
  const common = { ownerId: new Types.ObjectId(actor.id), kind: 'attachment' as const, conversationId: conversation._id }
  let ref: Omit<AttachmentRef, 'id'>
  let media: MediaDoc
  if (input.subarray(0, 5).toString('latin1') === '%PDF-') {
    const name = cleanName(filename, 'pdf')
    media = await storeMedia(ctx, { ...common, name, contentType: 'application/pdf', data: input, size: input.length, width: 0, height: 0 })
    ref = { kind: 'pdf', name, size: input.length, width: 0, height: 0 }
  } else {
    let image
    try {
      image = await processImage(input, 'post', 'file')
    } catch (error) {
      if (error instanceof AppError) throw new AppError('UNSUPPORTED_MEDIA', 'Attach an image (JPEG, PNG, WebP, GIF, AVIF) or a PDF.', { field: 'file' })
      throw error
    }
    const name = cleanName(filename, 'webp')
    media = await storeMedia(ctx, {
      ...common,
      name,
      contentType: 'image/webp',
      data: image.data,
      size: image.data.length,
      width: image.width,
      height: image.height,
    })
    ref = { kind: 'image', name, size: image.data.length, width: image.width, height: image.height }
  }
  return toAttachment(conversation._id, { id: media._id, ...ref })
}

/** The attachments a new message carries: uploaded by its author, to this very conversation. */
export async function attachmentsFor(ctx: ServiceContext, actor: Actor, conversationId: Types.ObjectId, ids: string[]): Promise<AttachmentRef[]> {
  const docs = await Promise.all(ids.map((id) => findMedia(ctx, id, false)))
  return docs.map((media, i) => {
    if (!media || media.kind !== 'attachment' || !media.ownerId.equals(actor.id) || !media.conversationId?.equals(conversationId)) {
      throw new AppError('ATTACHMENT_INVALID', `Attachment ${ids[i]} was not uploaded by you to this conversation.`, { field: 'attachments' })
    }
    const kind = media.contentType === 'application/pdf' ? 'pdf' : 'image'
    return { id: media._id, kind, name: media.name ?? 'datei', size: media.size ?? 0, width: media.width, height: media.height }
  })
}

/** An attachment's bytes, for participants of its conversation only. */
export async function getAttachment(ctx: ServiceContext, actor: Actor, conversationId: string, attachmentId: string) {
  const { conversation } = await access(ctx, conversationId, actor.id)
  const notFound = new AppError('NOT_FOUND', 'There is no such attachment.')
  const media = await findMedia(ctx, attachmentId)
  if (!media || media.kind !== 'attachment' || !media.conversationId?.equals(conversation._id)) throw notFound
  const data = Buffer.from((media.data as unknown as { buffer?: Buffer }).buffer ?? media.data)
  return { contentType: media.contentType, data, name: media.name ?? 'datei', download: media.contentType === 'application/pdf' }
}
