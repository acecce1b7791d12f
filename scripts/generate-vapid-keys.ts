/**
 * Prints a fresh VAPID key pair for web push, as lines for .env. Needed only when several
 * server nodes run (they must share one pair) or to pin the keys; a single node generates and
 * keeps its own under DATA_DIR. Changing the keys later invalidates every browser's push
 * subscription (browsers subscribe to one public key); members then turn push on again.
 *
 *   npm run vapid:generate >> .env
 */
import { generateVapidKeys } from '../server/src/modules/push/webpush.ts'

const keys = generateVapidKeys()
console.log(`VAPID_PUBLIC_KEY=${keys.publicKey}`)
console.log(`VAPID_PRIVATE_KEY=${keys.privateKey}`)
