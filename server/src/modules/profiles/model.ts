import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * Uploaded images, already resized and re-encoded (which also drops EXIF). Kept in the database
 * rather than on local disk so every server node can serve every image.
 */
export interface MediaDoc {
  _id: Types.ObjectId
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
}

const MediaSchema = new Schema<MediaDoc>(
  {
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
  },
  { versionKey: false },
)
MediaSchema.index({ ownerId: 1, kind: 1 })

export function profileModels(conn: Connection) {
  return { Media: conn.model('Media', MediaSchema, 'media') as Model<MediaDoc> }
}
