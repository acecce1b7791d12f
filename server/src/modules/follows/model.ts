import { Schema, type Connection, type Model } from 'mongoose'

/** "<follower>:<followee>" — whether X follows Y is one _id lookup, and a second follow is a duplicate. */
export interface FollowDoc {
  _id: string
  createdAt: Date
}
const FollowSchema = new Schema<FollowDoc>({ _id: { type: String }, createdAt: { type: Date, default: () => new Date() } }, { versionKey: false })

export const followId = (follower: string, followee: string) => `${follower}:${followee}`

export function followModels(conn: Connection) {
  return { Follow: conn.model('Follow', FollowSchema, 'follows') as Model<FollowDoc> }
}
