// The follows module's face.
export { followerChunks, isFollowing, pastFollowPeriods, rebuildFollowersList } from './service.ts'
