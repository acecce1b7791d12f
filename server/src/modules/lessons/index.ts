// The lessons module's face.
export { progressId, type ProgressDoc } from './model.ts'
