// Secrets the database keeps but must not reveal (mail with sign-in links, two-factor keys):
// AES-256-GCM under a key derived from SESSION_SECRET, which is not in the database. One key per
// purpose, so a value sealed for one purpose does not open as another.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

function keyFor(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `vernetzt ${purpose}`, 32))
}

export function seal(secret: string, purpose: string, plaintext: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret, purpose), iv)
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')
}

/** Throws when the value was sealed under another secret or purpose, or was changed. */
export function unseal(secret: string, purpose: string, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64')
  const decipher = createDecipheriv('aes-256-gcm', keyFor(secret, purpose), raw.subarray(0, 12))
  decipher.setAuthTag(raw.subarray(12, 28))
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')
}
