import type { Catalog, Translation } from './catalog.ts'

/** Month names and a month with its year, for texts made without Intl (statement files). */
export const de = {
  'calendar.month.1': 'Januar',
  'calendar.month.2': 'Februar',
  'calendar.month.3': 'März',
  'calendar.month.4': 'April',
  'calendar.month.5': 'Mai',
  'calendar.month.6': 'Juni',
  'calendar.month.7': 'Juli',
  'calendar.month.8': 'August',
  'calendar.month.9': 'September',
  'calendar.month.10': 'Oktober',
  'calendar.month.11': 'November',
  'calendar.month.12': 'Dezember',
  'calendar.monthYear': '{month} {year}',
} as const satisfies Catalog

export const en: Translation<typeof de> = {
  'calendar.month.1': 'January',
  'calendar.month.2': 'February',
  'calendar.month.3': 'March',
  'calendar.month.4': 'April',
  'calendar.month.5': 'May',
  'calendar.month.6': 'June',
  'calendar.month.7': 'July',
  'calendar.month.8': 'August',
  'calendar.month.9': 'September',
  'calendar.month.10': 'October',
  'calendar.month.11': 'November',
  'calendar.month.12': 'December',
  'calendar.monthYear': '{month} {year}',
}
