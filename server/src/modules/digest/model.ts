import { Schema, type Connection, type Model, type Types } from 'mongoose'

/**
 * A member's digest state, by _id (the member id): when the next one is due and where the last
 * one ended, so the next covers exactly what came after. `_id` '@scheduled' marks that members
 * from before digests existed were given their first one (see scheduleEveryone).
 */
export interface DigestBoxDoc {
  _id: string
  /** The due time of the one scheduled digest job that counts; null: none (switched off). */
  nextAt: Date | null
  /** The start of the window the next digest covers (the last one sent, or when the box began). */
  since: Date
  /** The member's level-list numbers (referrals' downlineSeq) when the window began: new recruits are above them. */
  downlineSeq: Record<string, number>
  /** The number of the last note of the digest stream a sent digest covered. */
  noteSeq: number
}
const DigestBoxSchema = new Schema<DigestBoxDoc>(
  {
    _id: { type: String },
    nextAt: { type: Date, default: null },
    since: { type: Date, required: true },
    downlineSeq: { type: Schema.Types.Mixed, default: () => ({}) },
    noteSeq: { type: Number, default: 0 },
  },
  { versionKey: false, minimize: false },
)

/**
 * Something for a member's next digest that nothing else keeps per member: a lesson finished in
 * their team, a join request to their group. Listed in the stream "digest:<member>".
 */
export interface DigestNoteDoc {
  _id: Types.ObjectId
  kind: 'lesson' | 'request'
  /** lesson: memberId, memberName, lessonTitle, lessonId; request: groupId, groupName, slug, memberId, memberName. */
  data: Record<string, string>
  at: Date
}
const DigestNoteSchema = new Schema<DigestNoteDoc>(
  {
    kind: { type: String, enum: ['lesson', 'request'], required: true },
    data: { type: Schema.Types.Mixed, required: true },
    at: { type: Date, default: () => new Date() },
  },
  { versionKey: false, minimize: false },
)

export const digestStream = (memberId: string) => `digest:${memberId}`

export function digestModels(conn: Connection) {
  return {
    DigestBox: conn.model('DigestBox', DigestBoxSchema, 'digest_boxes') as Model<DigestBoxDoc>,
    DigestNote: conn.model('DigestNote', DigestNoteSchema, 'digest_notes') as Model<DigestNoteDoc>,
  }
}
