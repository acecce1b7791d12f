// The mentions module's face.
export { notifyMentions } from './service.ts'
