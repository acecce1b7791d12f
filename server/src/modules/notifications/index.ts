// The notifications module's face: storing and sending notices; the texts come from the catalog.
export { mailPreferences, notify, switchOffMail } from './service.ts'
export { localMinutes, quietUntil } from './quiet-hours.ts'
export { mentionText, noticeText } from './texts.ts'
export { flushHeldPushes } from './push.ts'
