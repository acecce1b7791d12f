// The push module's face: sending web push to allowed endpoints.
export { endpointProblem } from './endpoints.ts'
export { checkTargetKeys, sendPush, vapidSigningKey } from './webpush.ts'
