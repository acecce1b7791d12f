// The notifications module's face: storing and sending notices; the texts come from the catalog.
export { notify } from './service.ts'
export { mentionText, noticeText } from './texts.ts'
export { flushHeldPushes } from './push.ts'
