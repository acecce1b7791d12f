import type { Profile, ProfilePatch } from '@vernetzt/shared/schemas/profiles'
import { AppError } from '@vernetzt/shared/errors'
import { renderMarkdown } from '@vernetzt/shared/markdown'
import { Types } from 'mongoose'
import QRCode from 'qrcode'
import type { Config } from '../../config.ts'
import type { Actor, ServiceContext } from '../../context.ts'
import { sponsorSummary, toMemberSummary, findMemberByHandle, type MemberDoc } from '../accounts/index.ts'
import { bindMedia, deleteMedia, mediaReferences, storeMedia, processImage } from '../media/index.ts'

export function profileUrls(config: Pick<Config, 'publicUrl' | 'baseDomain'>, handle: string) {
  const base = new URL(config.publicUrl)
  const port = base.port ? `:${base.port}` : ''
  return {
    profileUrl: `${config.publicUrl}/p/${handle}`,
    subdomainUrl: `${base.protocol}//${handle}.${config.baseDomain}${port}`,
  }
}

/** "Profile completed": the two fields that tell others who someone is and where (the name is set at registration). */
export function profileComplete(member: { bio?: string | null; location?: string | null }): boolean {
  return Boolean(member.bio?.trim()) && Boolean(member.location?.trim())
}

async function findByHandle(ctx: ServiceContext, handle: string) {
  const member = await findMemberByHandle(ctx, handle)
  if (!member) throw new AppError('PROFILE_NOT_FOUND', `There is no profile "${handle}".`)
  if (member.suspension) throw new AppError('PROFILE_UNAVAILABLE', `The profile "${handle}" is not available.`)
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

export async function updateProfile(ctx: ServiceContext, actor: Actor, patch: ProfilePatch): Promise<Profile> {
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
  // The chat shows the new name at once; a completed profile ticks the onboarding checklist.
  await ctx.events.publish('profile.updated', { memberId: actor.id, fields: Object.keys(set), complete: profileComplete(member) })
  return toProfile(ctx, member as MemberDoc)
}

export async function setAvatar(ctx: ServiceContext, actor: Actor, input: Buffer): Promise<Profile> {
  const { data, width, height } = await processImage(input, 'avatar', 'avatar')
  const ownerId = new Types.ObjectId(actor.id)
  // An avatar is shown wherever its member is: public from the start.
  const media = await storeMedia(ctx, { ownerId, kind: 'avatar', contentType: 'image/webp', data, width, height, publishedAt: new Date() })
  const previous = await ctx.models.Member.findByIdAndUpdate(actor.id, { $set: { avatarId: media._id } }).lean()
  if (previous?.avatarId) await deleteMedia(ctx, [previous.avatarId])
  await ctx.events.publish('profile.avatar_changed', { memberId: actor.id, at: media.createdAt.toISOString() })
  return getProfile(ctx, actor.handle)
}

/** The referral card's QR code points at the profile's own address. */
export async function referralQr(ctx: ServiceContext, handle: string, format: 'svg' | 'png'): Promise<string | Buffer> {
  const member = await findByHandle(ctx, handle)
  if (member.role !== 'partner') throw new AppError('PROFILE_NOT_FOUND', `"${handle}" has no referral card.`)
  const { subdomainUrl } = profileUrls(ctx.config, member.handle)
  const options = { errorCorrectionLevel: 'M' as const, margin: 2 }
  return format === 'svg' ? QRCode.toString(subdomainUrl, { ...options, type: 'svg' }) : QRCode.toBuffer(subdomainUrl, { ...options, type: 'png', width: 600 })
}
