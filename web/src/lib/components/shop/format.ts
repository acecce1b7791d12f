import { page } from '$app/state'
import { formatCents } from '@vernetzt/shared/commissions'
import { errorMessage, hasMessage, t, type MessageKey } from '$lib/i18n'

/** Day and time: the shop's pages took it from here first. */
export { formatDateTime } from '$lib/i18n'
import { formatRate } from './money.ts'

/** The page's language, for money and rates (the catalogs handle the words). */
export function currentLang(): 'de' | 'en' {
  return page.data?.lang === 'en' ? 'en' : 'de'
}

export const money = (cents: number, currency = 'EUR') => formatCents(cents, currentLang(), currency)
export const rate = (bp: number) => formatRate(bp, currentLang())

/** "inkl. 19 % MwSt." — prices are gross. */
export function vatNote(vatRateBp: number): string {
  return vatRateBp === 0 ? t('shop.vatNone') : t('shop.vatIncluded', { rate: rate(vatRateBp) })
}

/** Shop and plan error codes first (shop.errors.X / plan.errors.X), then the app-wide ones. */
export function shopError(code: string | undefined): string {
  for (const prefix of ['shop.errors.', 'plan.errors.']) {
    const key = `${prefix}${code}`
    if (hasMessage(key)) return t(key)
  }
  return errorMessage(code)
}

export function formatDay(iso: string): string {
  return new Date(iso).toLocaleDateString(currentLang() === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'long', timeZone: 'Europe/Berlin' })
}

export const STATUS_KEYS = {
  pending: 'shop.status.pending',
  paid: 'shop.status.paid',
  failed: 'shop.status.failed',
  refunded: 'shop.status.refunded',
} as const satisfies Record<string, MessageKey>
