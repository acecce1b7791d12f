import type { Profile, ProfilePatch } from '@vernetzt/shared/schemas/profiles'
import { AppError } from '@vernetzt/shared/errors'
import { renderMarkdown } from '@vernetzt/shared/markdown'
import { Types } from 'mongoose'
import QRCode from 'qrcode'
import sharp from 'sharp'
import type { Config } from '../../config.ts'
import type { Actor, ServiceContext } from '../../context.ts'
import { sponsorSummary, toMemberSummary } from '../accounts/dto.ts'
import { findMemberByHandle } from '../accounts/lookup.ts'
import type { MemberDoc } from '../accounts/model.ts'
import { profileComplete, tick } from '../onboarding/service.ts'
import type { RealtimeServer } from '../../realtime/socket.ts'
import { forgetMember } from '../messaging/state.ts'
import { bindMedia, deleteMedia, mediaReferences, storeMedia } from '../media/service.ts'

export function profileUrls(config: Pick<Config, 'publicUrl' | 'baseDomain'>, handle: string) {
  const base = new URL(config.publicUrl)
  const port = base.port ? `:${base.port}` : ''
  return {
    profileUrl: `${config.publicUrl}/p/${handle}`,
    subdomainUrl: `${base.protocol}//${handle}.${config.baseDomain}${port}`,
  }
}

async function findByHandle(ctx: ServiceContext, handle: string) {
  const member = await findMemberByHandle(ctx, handle)
  if (!member) throw new AppError('PROFILE_NOT_FOUND', `There is no profile "${handle}".`)
  return member
}

export async function toProfile(ctx: ServiceContext, member: MemberDoc): Promise<Profile> {
  return {
    ...toMemberSummary(member),
    bio: member.bio ?? '',
    bioHtml: member.bioHtml ?? '',
    location: member.location ?? '',
    languages: member.languages ?? [],
    links: (member.links ?? []).map((l) => ({ label: l.label, url: l.url })),
    joinedAt: member.createdAt.toISOString(),
    ...profileUrls(ctx.config, member.handle),
    sponsor: await sponsorSummary(ctx, member),
  }
}

export async function getProfile(ctx: ServiceContext, handle: string): Promise<Profile> {
  return toProfile(ctx, await findByHandle(ctx, handle))
}

export async function updateProfile(ctx: ServiceContext, io: RealtimeServer | null, actor: Actor, patch: ProfilePatch): Promise<Profile> {
  const set: Record<string, unknown> = {}
  if (patch.displayName !== undefined) set.displayName = patch.displayName.trim()
  if (patch.bio !== undefined) {
    set.bio = patch.bio
    // Rendered once at write time; readers get stored, sanitized HTML.
    set.bioHtml = renderMarkdown(patch.bio)
  }
  if (patch.location !== undefined) set.location = patch.location.trim()
  if (patch.languages !== undefined) set.languages = patch.languages
  if (patch.links !== undefined) set.links = patch.links
  const member = await ctx.models.Member.findByIdAndUpdate(actor.id, { $set: set }, { returnDocument: 'after' }).lean()
  if (!member) throw new AppError('UNAUTHENTICATED', 'Your account no longer exists.')
  if (patch.bio !== undefined) await bindMedia(ctx, actor, mediaReferences(patch.bio), { public: true })
  forgetMember(ctx, actor.id) // the chat shows the new name at once
  if (profileComplete(member)) await tick(ctx, io, actor.id, 'profile')
  return toProfile(ctx, member as MemberDoc)
}

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
  const resized = mode === 'avatar'
    ? image.resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover', position: 'attention' })
    : image.resize(POST_IMAGE_MAX, POST_IMAGE_MAX, { fit: 'inside', withoutEnlargement: true })
  const { data, info } = await resized.webp({ quality: 82 }).toBuffer({ resolveWithObject: true })
  return { data, width: info.width, height: info.height }
}

export async function setAvatar(ctx: ServiceContext, io: RealtimeServer | null, actor: Actor, input: Buffer): Promise<Profile> {
  const { data, width, height } = await processImage(input, 'avatar', 'avatar')
  const ownerId = new Types.ObjectId(actor.id)
  // An avatar is shown wherever its member is: public from the start.
  const media = await storeMedia(ctx, { ownerId, kind: 'avatar', contentType: 'image/webp', data, width, height, publishedAt: new Date() })
  const previous = await ctx.models.Member.findByIdAndUpdate(actor.id, { $set: { avatarId: media._id } }).lean()
  forgetMember(ctx, actor.id)
  if (previous?.avatarId) await deleteMedia(ctx, [previous.avatarId])
  await tick(ctx, io, actor.id, 'photo', media.createdAt)
  return getProfile(ctx, actor.handle)
}

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
  const media = await storeMedia(ctx, { ownerId: new Types.ObjectId(actor.id), kind: 'file', contentType: 'application/pdf', data: input, width: 0, height: 0, name })
  return { id: media._id.toString(), url: `/media/${media._id.toString()}`, name }
}

/** The referral card's QR code points at the profile's own address. */
export async function referralQr(ctx: ServiceContext, handle: string, format: 'svg' | 'png'): Promise<string | Buffer> {
  const member = await findByHandle(ctx, handle)
  if (member.role !== 'partner') throw new AppError('PROFILE_NOT_FOUND', `"${handle}" has no referral card.`)
  const { subdomainUrl } = profileUrls(ctx.config, member.handle)
  const options = { errorCorrectionLevel: 'M' as const, margin: 2 }
  return format === 'svg'
    ? QRCode.toString(subdomainUrl, { ...options, type: 'svg' })
    : QRCode.toBuffer(subdomainUrl, { ...options, type: 'png', width: 600 })
}
