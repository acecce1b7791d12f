import { page } from '$app/state'
import { de } from './de.ts'
import { en } from './en.ts'

export const LANGS = ['de', 'en'] as const
export type Lang = (typeof LANGS)[number]
export type MessageKey = keyof typeof de

const catalogs: Record<Lang, Record<MessageKey, string>> = { de, en }

export function isLang(value: unknown): value is Lang {
  return value === 'de' || value === 'en'
}

/** German first: an explicit choice wins, then the browser's preference, then German. */
export function pickLang(cookie: string | undefined, acceptLanguage: string | null): Lang {
  if (isLang(cookie)) return cookie
  const preferred = (acceptLanguage ?? '')
    .split(',')
    .map((part) => part.trim().slice(0, 2).toLowerCase())
    .find(isLang)
  return preferred ?? 'de'
}

export function translate(lang: Lang, key: MessageKey, params: Record<string, string | number> = {}): string {
  // Singular forms live under "<key>.one" and are used when n is 1.
  const one = params.n === 1 ? (catalogs[lang] as Record<string, string>)[`${key}.one`] : undefined
  const template = one ?? catalogs[lang][key] ?? de[key] ?? key
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))
}

/** Translates into the language of the current page (from the root layout's data). */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const lang = isLang(page.data?.lang) ? page.data.lang : 'de'
  return translate(lang, key, params)
}

/** Turns an API error code into a message in the page's language. */
export function errorMessage(code: string | undefined): string {
  const key = `errors.${code}` as MessageKey
  return key in de ? t(key) : t('errors.unknown')
}

export function formatDate(iso: string): string {
  const lang = isLang(page.data?.lang) ? page.data.lang : 'de'
  return new Date(iso).toLocaleDateString(lang === 'de' ? 'de-DE' : 'en-GB', { year: 'numeric', month: 'long', day: 'numeric' })
}
