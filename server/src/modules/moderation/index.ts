// The moderation module's face.
export { canModerate } from './service.ts'
