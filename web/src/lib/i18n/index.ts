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
