import { randomBytes } from 'node:crypto'
import { Schema, type Connection, type Model, type Types } from 'mongoose'

/** 128 random bits: a private file's address cannot be guessed from a neighbour's. */
export function newMediaId(): string {
  return randomBytes(16).toString('base64url')
}

/**
 * Uploaded files, already checked and (images) re-encoded, which also drops EXIF. Kept in the
 * database rather than on local disk so every server node can serve every file.
 *
 * Who may read one is decided by what it belongs to (see ./service.ts): a fresh upload only by
 * its uploader; once published with something public (an avatar, a public post, a product) by
 * anyone; once used in a lesson or a private group's post only by that group's members; a chat
 * attachment only by the conversation's participants, and only through the conversation's route.
 */
export interface MediaDoc {
  /** 128 random bits (base64url), so ids cannot be counted; older uploads keep their ObjectId. */
  _id: string | Types.ObjectId
  ownerId: Types.ObjectId
  kind: 'avatar' | 'post' | 'file' | 'attachment'
  /** Files keep their name for the download. */
  name?: string
  /** Attachments belong to one conversation and are served only to its participants. */
  conversationId?: Types.ObjectId
  /** Bytes stored, so a message can show it without loading the file. */
  size?: number
  contentType: string
  data: Buffer
  width: number
  height: number
  createdAt: Date
  /** Set once it is part of something anyone may see; from then on it is public. */
  publishedAt?: Date | null
  /** Members-only groups (private groups, any group's lessons) whose members may read it. */
  groupIds?: string[]
}

const MediaSchema = new Schema<MediaDoc>(
  {
    _id: { type: Schema.Types.Mixed, default: newMediaId },
    ownerId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ['avatar', 'post', 'file', 'attachment'], required: true },
    name: { type: String },
    conversationId: { type: Schema.Types.ObjectId },
    size: { type: Number },
    contentType: { type: String, required: true },
    data: { type: Buffer, required: true },
    width: { type: Number, required: true },
    height: { type: Number, required: true },
    createdAt: { type: Date, default: () => new Date() },
    publishedAt: { type: Date, default: null },
    groupIds: { type: [String], default: undefined },
  },
  { versionKey: false },
)
MediaSchema.index({ ownerId: 1, kind: 1 })

export function mediaModels(conn: Connection) {
  return { Media: conn.model('Media', MediaSchema, 'media') as Model<MediaDoc> }
}
