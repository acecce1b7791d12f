import { hasMessage, translate } from './i18n.ts'
import type { ErrorCode } from './errors.ts'

/**
 * The message of an API error the server words itself (a limit, an upload, the database),
 * from the catalog's errors feature. The API speaks English; clients show the German or English
 * text for the code (every code has both, checked by the catalog test).
 */
export function apiMessage(code: ErrorCode): string {
  const key = `errors.${code}`
  return hasMessage(key) ? translate('en', key) : code
}
