import { Types } from 'mongoose'

export const slugKey = (slug: string) => `group:${slug}`

export const teamKey = (ownerId: Types.ObjectId | string) => `team:${ownerId.toString()}`

export const streams = {
  directory: 'groups',
  members: (groupId: Types.ObjectId) => `group-members:${groupId.toString()}`,
  mine: (memberId: Types.ObjectId | string) => `my-groups:${memberId.toString()}`,
  requests: (groupId: Types.ObjectId) => `group-requests:${groupId.toString()}`,
}
