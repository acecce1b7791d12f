import { page } from '$app/state'
import { LOCALES, hasMessage, isLang, translate, type Lang, type MessageKey, type ParamsOf } from '@vernetzt/shared/i18n'

// The catalogs and the translation itself are shared with the server (@vernetzt/shared/i18n).
export { LANGS, LOCALES, hasMessage, isLang, pickLang, translate, type Lang, type MessageKey, type ParamsOf } from '@vernetzt/shared/i18n'

/** The language of the current page (from the root layout's data). */
function pageLang(): Lang {
  return isLang(page.data?.lang) ? page.data.lang : 'de'
}

/** Translates into the language of the current page. */
export function t<K extends MessageKey>(key: K, ...params: ParamsOf<K>): string {
  return translate(pageLang(), key, ...params)
}

/** Turns an API error code into a message in the page's language. */
export function errorMessage(code: string | undefined): string {
  const key = `errors.${code}`
  return hasMessage(key) ? t(key) : t('errors.unknown')
}

/** Day and time, as the company keeps its books (Europe/Berlin). */
export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(LOCALES[pageLang()], { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Berlin' })
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString(LOCALES[pageLang()], { year: 'numeric', month: 'long', day: 'numeric' })
}

/** The time of day, as the company keeps its books (Europe/Berlin, like every date here). */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(LOCALES[pageLang()], { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Berlin' })
}

/** The calendar day of a moment in Europe/Berlin, "2026-12-04": for grouping by day. */
export function dayOf(iso: string | number): string {
  return new Date(iso).toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' })
}

/** "Heute", "Gestern", or the date: the label of a day separator. */
export function dayLabel(iso: string, now = Date.now()): string {
  const day = dayOf(iso)
  if (day === dayOf(now)) return t('chat.today')
  if (day === dayOf(now - 86_400_000)) return t('chat.yesterday')
  return formatDate(iso)
}
