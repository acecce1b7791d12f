import { notices, type NoticeKey } from '@vernetzt/shared/i18n/notices'

type Lang = 'de' | 'en'
type Param = string | number | Date
const LOCALE: Record<Lang, string> = { de: 'de-DE', en: 'en-GB' }

function render(lang: Lang, key: NoticeKey, params: Record<string, Param>): string {
  const entry = notices[key][lang] as string | { one: string; other: string }
  const template = typeof entry === 'string'
    ? entry
    : new Intl.PluralRules(LOCALE[lang]).select(Number(params.n ?? 0)) === 'one' ? entry.one : entry.other
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name]
    if (value === undefined) return whole
    return value instanceof Date ? value.toLocaleDateString(LOCALE[lang]) : String(value)
  })
}

/** A server-made text in both languages, from the catalog (shared/src/i18n/notices.ts). */
export function noticeText(key: NoticeKey, params: Record<string, Param> = {}): { de: string; en: string } {
  return { de: render('de', key, params), en: render('en', key, params) }
}

/** Where a mention happened, in both languages, for the mention notice's `{where}`. */
export function mentionText(name: string, where: 'post' | 'comment' | 'chat', preview: string): { de: string; en: string } {
  const place = noticeText(`notice.mention.${where}`)
  return { de: render('de', 'notice.mention', { name, where: place.de, preview }), en: render('en', 'notice.mention', { name, where: place.en, preview }) }
}
