import { Schema, type Connection, type Model } from 'mongoose'

/** "<follower>:<followee>" — whether X follows Y is one _id lookup, and a second follow is a duplicate. */
export interface FollowDoc {
  _id: string
  createdAt: Date
  /** The follower's number in the followee's followers stream (and so its chunk of the followers list). */
  seq?: number
}
const FollowSchema = new Schema<FollowDoc>(
  { _id: { type: String }, createdAt: { type: Date, default: () => new Date() }, seq: { type: Number } },
  { versionKey: false },
)

/**
 * Periods in which a follow existed and ended, by the same "<follower>:<followee>" id. Posts from
 * those periods are still in the follower's feed stream (hidden while unfollowed), so following
 * again shows them once more and the backfill leaves them out instead of adding them twice.
 */
export interface FollowPastDoc {
  _id: string
  periods: Array<{ from: Date; to: Date }>
}
const FollowPastSchema = new Schema<FollowPastDoc>(
  { _id: { type: String }, periods: { type: [{ from: Date, to: Date, _id: false }], default: [] } },
  { versionKey: false },
)

export const followId = (follower: string, followee: string) => `${follower}:${followee}`

export function followModels(conn: Connection) {
  return {
    Follow: conn.model('Follow', FollowSchema, 'follows') as Model<FollowDoc>,
    FollowPast: conn.model('FollowPast', FollowPastSchema, 'follow_history') as Model<FollowPastDoc>,
  }
}
