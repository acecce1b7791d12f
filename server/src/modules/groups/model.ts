import { Schema, type Connection, type Model, type Types } from 'mongoose'

export interface GroupDoc {
  _id: Types.ObjectId
  slug: string
  name: string
  kind: 'community' | 'team' | 'training'
  visibility: 'public' | 'private'
  adsAllowed: boolean
  /** Team groups: how many levels of the owner's downline belong to the group. */
  teamDepth: number | null
  description: string
  descriptionHtml: string
  ownerId: Types.ObjectId
  /** Explicit members including the owner (community and training); team groups count from the join graph. */
  memberCount: number
  /** Team groups: members of the downline an owner or moderator removed. */
  removedCount: number
  /** Training groups: the course, in order. */
  lessonIds: Types.ObjectId[]
  /** Up to three posts the owner or moderators pinned to the top of the group feed. */
  pinnedPostIds: Types.ObjectId[]
  createdAt: Date
}

const GroupSchema = new Schema<GroupDoc>(
  {
    slug: { type: String, required: true },
    name: { type: String, required: true },
    kind: { type: String, enum: ['community', 'team', 'training'], required: true },
    visibility: { type: String, enum: ['public', 'private'], required: true },
    adsAllowed: { type: Boolean, default: false },
    teamDepth: { type: Number, default: null },
    description: { type: String, default: '' },
    descriptionHtml: { type: String, default: '' },
    ownerId: { type: Schema.Types.ObjectId, required: true },
    memberCount: { type: Number, default: 1 },
    removedCount: { type: Number, default: 0 },
    lessonIds: { type: [Schema.Types.ObjectId], default: [] },
    pinnedPostIds: { type: [Schema.Types.ObjectId], default: [] },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
)
GroupSchema.index({ slug: 1 }, { unique: true })

/**
 * "<group>:<member>". Community and training groups: the membership itself. Team groups: only
 * exceptions to the join graph (a moderator appointed, a member removed); everyone else in the
 * owner's downline down to teamDepth is a member without a document.
 */
export interface GroupMemberDoc {
  _id: string
  role: 'moderator' | 'member' | 'removed'
  /** The member's current place in the group's member stream (older places are ignored). */
  seq: number | null
  joinedAt: Date
}
const GroupMemberSchema = new Schema<GroupMemberDoc>(
  {
    _id: { type: String },
    role: { type: String, enum: ['moderator', 'member', 'removed'], required: true },
    seq: { type: Number, default: null },
    joinedAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
)

/** "<group>:<member>": a pending join request, or an invitation from the group. */
export interface GroupRequestDoc {
  _id: string
  type: 'request' | 'invite'
  seq: number | null
  createdAt: Date
}
const GroupRequestSchema = new Schema<GroupRequestDoc>(
  {
    _id: { type: String },
    type: { type: String, enum: ['request', 'invite'], required: true },
    seq: { type: Number, default: null },
    createdAt: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
)

export const memberKey = (groupId: Types.ObjectId | string, memberId: Types.ObjectId | string) => `${groupId.toString()}:${memberId.toString()}`

export function groupModels(conn: Connection) {
  return {
    Group: conn.model('Group', GroupSchema, 'groups') as Model<GroupDoc>,
    GroupMember: conn.model('GroupMember', GroupMemberSchema, 'group_members') as Model<GroupMemberDoc>,
    GroupRequest: conn.model('GroupRequest', GroupRequestSchema, 'group_requests') as Model<GroupRequestDoc>,
  }
}
