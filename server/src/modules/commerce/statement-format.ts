/**
 * How statement files write dates, money and months. CSV cells keep the German decimal comma in
 * either language (the files are made for German spreadsheets); text for reading follows `lang`.
 */
import { formatCents } from '@vernetzt/shared/commissions'
import { translate, type Lang, type MessageKey } from '@vernetzt/shared/i18n'

const BERLIN_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' })

/** ISO date (YYYY-MM-DD) in Europe/Berlin time, the time zone periods are cut in. */
export function isoDay(date: Date | string): string {
  return BERLIN_DAY.format(typeof date === 'string' ? new Date(date) : date)
}

/** Cents as a German decimal without thousands separators, which every spreadsheet reads as a number: -123456 → "-1234,56". */
export function decimalDe(cents: number): string {
  const abs = Math.abs(cents)
  return `${cents < 0 ? '-' : ''}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`
}

/** Cents for reading: 123456 → "1.234,56 €" (a plain space before the euro sign). */
export function eurosDe(cents: number): string {
  const abs = Math.abs(cents)
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, '.')
  return `${cents < 0 ? '-' : ''}${whole},${String(abs % 100).padStart(2, '0')} €`
}

/** Cents for reading in `lang`: German as eurosDe, English "€1,234.56". */
export function euros(lang: Lang, cents: number): string {
  return lang === 'de' ? eurosDe(cents) : formatCents(cents, lang)
}

/** Basis points as a German percentage: 250 → "2,50". */
export function percentDe(bp: number): string {
  return decimalDe(bp)
}

/** Basis points as a percentage for reading in `lang`: 250 → "2,50 %" or "2.50%". */
export function percent(lang: Lang, bp: number): string {
  return lang === 'de' ? `${percentDe(bp)} %` : `${percentDe(bp).replace(',', '.')}%`
}

const MONTHS = [
  'calendar.month.1',
  'calendar.month.2',
  'calendar.month.3',
  'calendar.month.4',
  'calendar.month.5',
  'calendar.month.6',
  'calendar.month.7',
  'calendar.month.8',
  'calendar.month.9',
  'calendar.month.10',
  'calendar.month.11',
  'calendar.month.12',
] as const satisfies readonly MessageKey[]

/** "2026-05" → "Mai 2026" (or "May 2026"). */
export function periodLabel(lang: Lang, period: string): string {
  const [year = '', month = ''] = period.split('-')
  const key = MONTHS[Number(month) - 1]
  return translate(lang, 'calendar.monthYear', { month: key ? translate(lang, key) : month, year })
}

/** "2026-05" → "Mai 2026". */
export function periodLabelDe(period: string): string {
  return periodLabel('de', period)
}
