import type { FastifyRequest } from 'fastify'
import { AppError } from '@vernetzt/shared/errors'
import { UPLOAD_MAX_BYTES } from '@vernetzt/shared/schemas/profiles'

/** The one file of a multipart upload, from the named field. */
export async function singleFile(request: FastifyRequest, field: string): Promise<Buffer> {
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
    if (error instanceof AppError || (error as { statusCode?: number }).statusCode === 413 || (error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE')
      throw error
    throw new AppError('VALIDATION_FAILED', `The upload could not be read; send the file as multipart/form-data in the field "${field}".`, { field })
  }
  if (file.file.truncated) throw new AppError('PAYLOAD_TOO_LARGE', 'The file is too large (8 MB at most).', { field })
  return { buffer, filename: file.filename }
}
