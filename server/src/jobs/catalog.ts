/**
 * The app's background jobs: name → payload. Work that must survive a crash is enqueued here
 * (`ctx.jobs.enqueue(name, key, payload)`) and handled by the module that owns it, defined in
 * server/src/compose.ts. Empty until the first feature needs it: feed fan-out (issue 12) and
 * mail (issue 13) are the first planned.
 */
// A type, not an interface, so it fits the runner's catalog constraint; e.g. `{ 'mail.welcome': { memberId: string } }`.
export type AppJobs = Record<never, never>
