import { AppError } from '@vernetzt/shared/errors'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import type { MediaDoc } from './model.ts'

const LEGACY_ID = /^[0-9a-f]{24}$/
const RANDOM_ID = /^[A-Za-z0-9_-]{22}$/

/** The stored `_id` for an id from a URL: older uploads were keyed by ObjectId. */
function storedId(id: string): string | Types.ObjectId | null {
  if (RANDOM_ID.test(id)) return id
  if (LEGACY_ID.test(id)) return new Types.ObjectId(id)
  return null
}

/** Stores a file; its random id comes from the schema's default (model.ts). */
export async function storeMedia(ctx: ServiceContext, doc: Omit<MediaDoc, '_id' | 'createdAt'>): Promise<MediaDoc> {
  const created = await ctx.models.Media.create(doc)
  return created.toObject() as MediaDoc
}

/** One file by id, read by bare `_id` (the embedded database's only index) and the driver, so legacy ObjectId keys match too. */
export async function findMedia(ctx: ServiceContext, id: string, withData = true): Promise<MediaDoc | null> {
  const key = storedId(id)
  if (key === null) return null
  return (await ctx.models.Media.collection.findOne({ _id: key as never }, withData ? {} : { projection: { data: 0 } })) as MediaDoc | null
}

export async function deleteMedia(ctx: ServiceContext, ids: Array<{ toString(): string }>): Promise<void> {
  for (const id of ids) {
    const key = storedId(id.toString())
    if (key !== null) await ctx.models.Media.collection.deleteOne({ _id: key as never })
  }
}

/** Uploads made before access was recorded (no `publishedAt` field at all) were served to anyone, and still are. */
const isLegacy = (media: MediaDoc) => media.publishedAt === undefined && media.groupIds === undefined

export type ServedMedia = { contentType: string; data: Buffer; name: string | null; public: boolean }

/**
 * A file for whoever asks, under the rule of what it belongs to. Everyone else, also a guessed
 * id, gets exactly the answer of a missing file. Chat attachments are never served here: their
 * own route checks the conversation.
 */
export type GroupGate = (ctx: ServiceContext, groupId: string, memberId: string) => Promise<boolean>

export async function readMedia(ctx: ServiceContext, id: string, viewer: () => Promise<Actor | null>, isGroupMember: GroupGate): Promise<ServedMedia> {
  const notFound = new AppError('NOT_FOUND', 'There is no such file.')
  const media = await findMedia(ctx, id)
  if (!media || media.kind === 'attachment') throw notFound
  const served = (isPublic: boolean): ServedMedia => ({
    contentType: media.contentType,
    data: Buffer.from((media.data as unknown as { buffer?: Buffer }).buffer ?? media.data),
    name: media.kind === 'file' ? (media.name ?? 'datei.pdf') : null,
    public: isPublic,
  })
  if (media.publishedAt || isLegacy(media)) return served(true)
  const actor = await viewer()
  if (!actor) throw notFound
  if (media.ownerId.equals(actor.id) || actor.role === 'admin') return served(false)
  for (const groupId of media.groupIds ?? []) {
    if (await isGroupMember(ctx, groupId, actor.id)) return served(false)
  }
  throw notFound
}

const REFERENCE = /\/media\/([A-Za-z0-9_-]{22}|[0-9a-f]{24})\b/g
/** At most this many files are bound per text; more references are left as they are. */
const REFERENCES_MAX = 20

/** The files a markdown text shows or links (`/media/<id>`), each once. */
export function mediaReferences(markdown: string): string[] {
  return [...new Set([...markdown.matchAll(REFERENCE)].map((m) => m[1]!))].slice(0, REFERENCES_MAX)
}

/** Who may see what a file is used in: anyone, or the members of one group. */
export type MediaAudience = { public: true } | { groupId: string }

/**
 * Records that files are used in something with this audience, so they are served by its rule.
 * Only the uploader's own files are bound (someone who copies another's file address into a
 * public post does not publish it; administrators keeping the catalog may use each other's),
 * and access only widens: a file once public stays public.
 */
export async function bindMedia(
  ctx: ServiceContext,
  by: { id: Types.ObjectId | string; role?: string },
  ids: string[],
  audience: MediaAudience,
): Promise<void> {
  for (const id of ids) {
    const media = await findMedia(ctx, id, false)
    if (!media || media.kind === 'attachment' || media.publishedAt) continue
    if (!media.ownerId.equals(by.id) && by.role !== 'admin') continue
    const update = 'public' in audience ? { $set: { publishedAt: new Date() } } : { $addToSet: { groupIds: audience.groupId } }
    await ctx.models.Media.collection.updateOne({ _id: media._id as never }, update)
  }
}

/** The audience of a text shown in a group: public groups show it to anyone, private ones to members. */
export function groupAudience(group: { _id: { toString(): string }; visibility: string }): MediaAudience {
  return group.visibility === 'public' ? { public: true } : { groupId: group._id.toString() }
}

/** The audience of a post (and of its comments): its group's, or anyone's outside groups. */
export async function postAudience(ctx: ServiceContext, post: { area: { groupId?: string | null } }): Promise<MediaAudience> {
  if (!post.area.groupId) return { public: true }
  const group = await ctx.models.Group.findById(post.area.groupId, { visibility: 1 }).lean()
  return group ? groupAudience(group) : { groupId: post.area.groupId }
}
