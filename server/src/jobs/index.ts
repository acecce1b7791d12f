/**
 * The durable job runner's face: work that must survive a crash (feed fan-out, mail, exports,
 * reminders). See README, "Background jobs".
 */
export { jobId, jobModels, type JobDoc, type JobModels, type JobState } from './model.ts'
export { JobQueue, type EnqueueResult, type JobCatalog, type JobInfo, type JobPayload, type JobQueueApi } from './queue.ts'
export { JobRunner } from './runner.ts'
export type { JobDeps, JobHandler, JobOptions, RunnerOptions, RunningJob } from './definitions.ts'
