import { AppError } from '@vernetzt/shared/errors'
import sharp from 'sharp'

/** Avatars are square, this many pixels wide. */
export const AVATAR_SIZE = 400
/** Post images are fitted inside this box; larger ones are scaled down, smaller ones kept. */
export const POST_IMAGE_MAX = 1600
const ACCEPTED = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff'])

/**
 * Checks an upload is an image and re-encodes it as WebP: a square avatar, or a post image
 * fitted into POST_IMAGE_MAX. Re-encoding drops EXIF (GPS and camera data) by construction.
 */
export async function processImage(input: Buffer, mode: 'avatar' | 'post', field: string) {
  let format: string | undefined
  try {
    format = (await sharp(input).metadata()).format
  } catch {
    format = undefined
  }
  if (!format || !ACCEPTED.has(format)) {
    throw new AppError('UNSUPPORTED_MEDIA', 'The file must be a JPEG, PNG, WebP, GIF or AVIF image.', { field })
  }
  const image = sharp(input, { limitInputPixels: 40_000_000 }).rotate() // honour EXIF orientation before it is dropped
  const resized =
    mode === 'avatar'
      ? image.resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover', position: 'attention' })
      : image.resize(POST_IMAGE_MAX, POST_IMAGE_MAX, { fit: 'inside', withoutEnlargement: true })
  const { data, info } = await resized.webp({ quality: 82 }).toBuffer({ resolveWithObject: true })
  return { data, width: info.width, height: info.height }
}
