import type { Me } from '@vernetzt/shared/schemas/auth'
import { api, type Fetch } from './api'

/** What the code step of a page shows: the challenge to answer (null: sign in again) and the last error. */
export interface CodeStep {
  step: 'code'
  challenge: string | null
  code: string | null
  attemptsLeft: number | null
}
export const codeStep = (challenge: string | null, code: string | null = null, attemptsLeft: number | null = null): CodeStep => ({
  step: 'code',
  challenge,
  code,
  attemptsLeft,
})

/** The challenge to answer when the API asks for the second factor. */
export function challengeOf(error: { code: string; details?: unknown }): string | null {
  if (error.code !== 'TWO_FACTOR_REQUIRED') return null
  const challenge = (error.details as { challenge?: unknown } | null | undefined)?.challenge
  return typeof challenge === 'string' ? challenge : null
}

/**
 * The code step's form action: signs in (the API sets the session cookie) or fails with what
 * the page needs to ask again — the challenge stays while it may still be answered.
 */
export async function answerChallenge(fetch: Fetch, form: FormData) {
  const challenge = String(form.get('challenge') ?? '')
  const res = await api<Me>(fetch, 'POST', '/auth/login/two-factor', { challenge, code: String(form.get('code') ?? '').trim() })
  if (res.ok) return null
  const details = res.error.details as { attemptsLeft?: number } | null | undefined
  const again = res.error.code === 'TWO_FACTOR_CODE_WRONG' && (details?.attemptsLeft ?? 1) > 0
  return { status: res.status, step: codeStep(again ? challenge : null, res.error.code, details?.attemptsLeft ?? null) }
}
