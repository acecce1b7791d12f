// The onboarding module's face.
export { getChecklist, tick } from './service.ts'
