// The digest module's face.
export { scheduleDigest, scheduleEveryone, sendDigest } from './send.ts'
