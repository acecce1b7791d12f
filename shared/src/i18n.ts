/**
 * The texts of Vernetzt in German (the first language) and English, for the web and the server
 * alike (notifications, statement files). The catalogs live per feature in ./i18n/; this module
 * joins them and translates.
 */
import type { Entry, Plural } from './i18n/catalog.ts'
import * as accounts from './i18n/accounts.ts'
import * as admin from './i18n/admin.ts'
import * as calendar from './i18n/calendar.ts'
import * as chat from './i18n/chat.ts'
import * as earnings from './i18n/earnings.ts'
import * as errors from './i18n/errors.ts'
import * as feed from './i18n/feed.ts'
import * as groups from './i18n/groups.ts'
import * as mail from './i18n/mail.ts'
import * as nav from './i18n/nav.ts'
import * as notices from './i18n/notices.ts'
import * as periods from './i18n/periods.ts'
import * as plan from './i18n/plan.ts'
import * as profiles from './i18n/profiles.ts'
import * as settings from './i18n/settings.ts'
import * as shell from './i18n/shell.ts'
import * as shop from './i18n/shop.ts'
import * as statements from './i18n/statements.ts'
import * as team from './i18n/team.ts'

export type { Catalog, Entry, Plural, PluralCategory, Translation } from './i18n/catalog.ts'

/**
 * Every feature's catalog. A new feature file: its import above and its name on a line of its
 * own here (a key in two features is caught by the catalog test).
 */
const FEATURES = [
  accounts,
  admin,
  calendar,
  chat,
  earnings,
  errors,
  feed,
  groups,
  mail,
  nav,
  notices,
  periods,
  plan,
  profiles,
  settings,
  shell,
  shop,
  statements,
  team,
] as const

export const LANGS = ['de', 'en'] as const
export type Lang = (typeof LANGS)[number]

/** The locale each language formats numbers, dates and plurals with. */
export const LOCALES: Readonly<Record<Lang, string>> = { de: 'de-DE', en: 'en-GB' }

type Feature = (typeof FEATURES)[number]
type KeysOf<F> = F extends { de: infer D } ? keyof D & string : never
type PluralKeysOf<F> = F extends { de: infer D } ? { [K in keyof D]: D[K] extends string ? never : K }[keyof D] & string : never

export type MessageKey = KeysOf<Feature>
/** Keys whose text has plural forms: translating them needs `n`. */
export type PluralKey = PluralKeysOf<Feature>
export type Params = Readonly<Record<string, string | number>>
/** The parameters a key takes: `n` is required for a plural (a non-number such as "99+" reads as `other`). */
export type ParamsOf<K extends MessageKey> = K extends PluralKey ? [params: Params & { readonly n: number | string }] : [params?: Params]

function join(lang: Lang): ReadonlyMap<string, Entry> {
  const out = new Map<string, Entry>()
  for (const feature of FEATURES) for (const [key, entry] of Object.entries(feature[lang])) out.set(key, entry)
  return out
}

const CATALOGS: Readonly<Record<Lang, ReadonlyMap<string, Entry>>> = { de: join('de'), en: join('en') }
const PLURAL_RULES: Readonly<Record<Lang, Intl.PluralRules>> = { de: new Intl.PluralRules(LOCALES.de), en: new Intl.PluralRules(LOCALES.en) }

export function isLang(value: unknown): value is Lang {
  return value === 'de' || value === 'en'
}

/** For keys built at run time (`errors.${code}`): is there such a text? */
export function hasMessage(key: string): key is MessageKey {
  return CATALOGS.de.has(key)
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

function pluralForm(lang: Lang, forms: Plural, n: unknown): string {
  const count = typeof n === 'number' ? n : Number(n)
  const rules = PLURAL_RULES[lang] ?? PLURAL_RULES.de
  return (Number.isFinite(count) ? forms[rules.select(count)] : undefined) ?? forms.other
}

/**
 * The text for `key` in `lang` with `{name}` placeholders filled from `params`; a plural picks
 * its form by `params.n`. A key missing in a language falls back to German, then to the key.
 */
export function translate<K extends MessageKey>(lang: Lang, key: K, ...[params = {}]: ParamsOf<K>): string {
  const entry = CATALOGS[lang]?.get(key) ?? CATALOGS.de.get(key)
  if (entry === undefined) return key
  const template = typeof entry === 'string' ? entry : pluralForm(CATALOGS[lang] ? lang : 'de', entry, params.n)
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`))
}

/** The same text in both languages, for what the server stores once and shows in either (notifications). */
export function inBoth<K extends MessageKey>(key: K, ...params: ParamsOf<K>): Record<Lang, string> {
  return { de: translate('de', key, ...params), en: translate('en', key, ...params) }
}
