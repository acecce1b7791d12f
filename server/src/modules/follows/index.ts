// The follows module's face.
export { currentFollowers, isFollowing } from './service.ts'
