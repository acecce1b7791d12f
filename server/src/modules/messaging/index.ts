// The messaging module's face.
export { blockedBetween, inCircle } from './conversations.ts'
export { messagingIdle, sendMessage } from './send.ts'
export { registerMessagingEvents as registerMessagingSocket } from './socket.ts'
export { migrateConversationIndex } from './inbox-index.ts'
