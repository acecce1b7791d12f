import { formatCents } from '@vernetzt/shared/commissions'

type Lang = 'de' | 'en'
const locale = (lang: Lang) => (lang === 'de' ? 'de-DE' : 'en-GB')

/** "2026-03" as "Mär" / "März 2026" (or "Mar" / "March 2026"). */
export function monthLabel(period: string, lang: Lang, style: 'short' | 'long' = 'long'): string {
  const [year, month] = period.split('-').map(Number) as [number, number]
  // Noon UTC on the 15th: the same month in every time zone.
  const date = new Date(Date.UTC(year, month - 1, 15, 12))
  return style === 'short'
    ? date.toLocaleDateString(locale(lang), { month: 'short', timeZone: 'UTC' }).replace('.', '')
    : date.toLocaleDateString(locale(lang), { month: 'long', year: 'numeric', timeZone: 'UTC' })
}

/** Cents as money, with cents: "12,34 €". */
export const money = (cents: number, lang: Lang) => formatCents(cents, lang)

/** Whole euros for band edges: "1.000 €". */
export function euros(cents: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang), { style: 'currency', currency: 'EUR', maximumFractionDigits: 0, minimumFractionDigits: 0 }).format(cents / 100)
}

/** Basis points as a percentage with at most one decimal: 2857 → "28,6 %". */
export function percent(bp: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang), { style: 'percent', maximumFractionDigits: 1 }).format(bp / 10_000)
}

export function count(n: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang)).format(n)
}
