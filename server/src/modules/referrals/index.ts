// The referrals module's face: the join graph (joining, levels, moves) for other modules.
export { applyJoinCounters, levelKey, rebuildRecruitsList, recruitChunks, recountDownline, repairPendingJoins } from './graph.ts'
export { ensureAdmin, ensureRoot, insertMember, register } from './join.ts'
export { entryId } from './model.ts'
export { listDownline } from './service.ts'
