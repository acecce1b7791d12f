// The groups module's face: what other modules may use.
export { canModerateIn, canSeeGroup, groupForPost, isGroupMember, manage, memberGroups, readableGroup, roleIn, visibleGroup, type GroupRole } from './access.ts'
export { listMembers } from './membership.ts'
export { memberKey, type GroupDoc } from './model.ts'
