// Two-factor codes as the member's authenticator app computes them, for API and browser tests.
import { Secret, TOTP } from 'otpauth'

/** The authenticator app's code for `secret` (base32), `steps` 30-second steps from now. */
export function totpCode(secret: string, steps = 0): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: Date.now() + steps * 30_000 })
}

/** Keys of the authenticator apps the tests set up, by address (to sign in again later). */
const keys = new Map<string, string>()
export const twoFactorKeyOf = (email: string) => keys.get(email.toLowerCase())
export const rememberTwoFactorKey = (email: string, secret: string) => void keys.set(email.toLowerCase(), secret)

/**
 * Codes to try for a further sign-in: a code works once, so one within the same 30 s takes a
 * neighbouring step's; `null` means wait for the next step and take the one after it.
 */
export const CODE_STEPS: Array<number | null> = [1, 0, -1, null]
export const nextStep = () => new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 50))
