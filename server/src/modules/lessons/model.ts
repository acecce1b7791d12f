import { Schema, type Connection, type Model, type Types } from 'mongoose'

export interface LessonDoc {
  _id: Types.ObjectId
  groupId: Types.ObjectId
  title: string
  body: string
  html: string
  checklist: string[]
  deleted: boolean
  createdAt: Date
  updatedAt: Date
}

const LessonSchema = new Schema<LessonDoc>(
  {
    groupId: { type: Schema.Types.ObjectId, required: true },
    title: { type: String, required: true },
    body: { type: String, default: '' },
    html: { type: String, default: '' },
    checklist: { type: [String], default: [] },
    deleted: { type: Boolean, default: false },
  },
  { timestamps: true },
)

/** "<lesson>:<member>": one member's progress on one lesson. */
export interface ProgressDoc {
  _id: string
  checked: number[]
  done: boolean
  doneAt: Date | null
}
const ProgressSchema = new Schema<ProgressDoc>(
  {
    _id: { type: String },
    checked: { type: [Number], default: [] },
    done: { type: Boolean, default: false },
    doneAt: { type: Date, default: null },
  },
  { versionKey: false },
)

export const progressId = (lessonId: Types.ObjectId | string, memberId: Types.ObjectId | string) => `${lessonId.toString()}:${memberId.toString()}`

export function lessonModels(conn: Connection) {
  return {
    Lesson: conn.model('Lesson', LessonSchema, 'lessons') as Model<LessonDoc>,
    Progress: conn.model('Progress', ProgressSchema, 'lesson_progress') as Model<ProgressDoc>,
  }
}
