import { LANGS, LOCALES, translate, type Lang, type MessageKey, type Params } from '@vernetzt/shared/i18n'

/** The catalog's server-made notices (shared/src/i18n/notices.ts). */
export type NoticeKey = Extract<MessageKey, `notice.${string}`>
type Param = string | number | Date

function render(lang: Lang, key: NoticeKey, params: Record<string, Param>): string {
  // Dates read the way each language writes them.
  const filled: Params = Object.fromEntries(
    Object.entries(params).map(([name, value]) => [name, value instanceof Date ? value.toLocaleDateString(LOCALES[lang]) : value]),
  )
  return translate(lang, key, filled as Params & { n: number })
}

/** A server-made text in both languages, from the catalog: notifications are stored once and shown in either. */
export function noticeText(key: NoticeKey, params: Record<string, Param> = {}): Record<Lang, string> {
  return Object.fromEntries(LANGS.map((lang) => [lang, render(lang, key, params)])) as Record<Lang, string>
}

/** "<name> mentioned you <where>: <preview>", with `where` in each language. */
export function mentionText(name: string, where: 'post' | 'comment' | 'chat', preview: string): Record<Lang, string> {
  return Object.fromEntries(
    LANGS.map((lang) => [lang, render(lang, 'notice.mention', { name, preview, where: translate(lang, `notice.mention.${where}`) })]),
  ) as Record<Lang, string>
}
