import type { Catalog, Translation } from './catalog.ts'

/** Billing periods (admin): closing a month, payout downloads. */
export const de = {
  'periods.nav': 'Abrechnung',
  'periods.title': 'Abrechnungszeiträume',
  'periods.lead':
    'Provisionen werden pro Kalendermonat abgerechnet. Schließe einen Monat ab, wenn er vorbei ist: Seine Abrechnungen sind dann endgültig, und die Auszahlungen lassen sich für die Buchhaltung herunterladen.',
  'periods.month': 'Monat',
  'periods.status': 'Status',
  'periods.credits': 'Gutschriften',
  'periods.reversals': 'Stornos',
  'periods.payout': 'Auszahlung',
  'periods.payees': 'Partner',
  'periods.actions': 'Aktionen',
  'periods.closedOn': 'abgeschlossen am {date}',
  'periods.open': 'offen',
  'periods.running': 'läuft',
  'periods.close': 'Monat abschließen',
  'periods.download': 'Auszahlungen (CSV)',
  'periods.confirmTitle': '{month} abschließen?',
  'periods.confirmText':
    'Abgeschlossene Monate sind endgültig: Die Abrechnungen für {month} ändern sich danach nicht mehr, und dieser Schritt lässt sich nicht rückgängig machen.',
  'periods.confirmLater': 'Erstattungen, die erst später ankommen, werden als Storno im nächsten offenen Monat gebucht.',
  'periods.confirmYes': 'Ja, Monat abschließen',
  'periods.cancel': 'Abbrechen',
  'periods.closedNow': '{month} ist abgeschlossen.',
  'periods.error.PERIOD_NOT_OVER': 'Dieser Monat ist noch nicht vorbei. Ein Monat lässt sich ab dem Ersten des Folgemonats abschließen.',
  'periods.error.PERIOD_CLOSED': 'Dieser Monat ist schon abgeschlossen.',
  'periods.error.PERIOD_OPEN': 'Auszahlungen gibt es erst, wenn der Monat abgeschlossen ist.',
} as const satisfies Catalog

export const en: Translation<typeof de> = {
  'periods.nav': 'Payouts',
  'periods.title': 'Commission periods',
  'periods.lead':
    'Commissions are settled per calendar month. Close a month once it is over: its statements are then final, and its payouts can be downloaded for the accounting system.',
  'periods.month': 'Month',
  'periods.status': 'Status',
  'periods.credits': 'Credits',
  'periods.reversals': 'Reversals',
  'periods.payout': 'Payout',
  'periods.payees': 'Partners',
  'periods.actions': 'Actions',
  'periods.closedOn': 'closed on {date}',
  'periods.open': 'open',
  'periods.running': 'in progress',
  'periods.close': 'Close month',
  'periods.download': 'Payouts (CSV)',
  'periods.confirmTitle': 'Close {month}?',
  'periods.confirmText': 'Closed months are final: the statements for {month} will not change any more, and this cannot be undone.',
  'periods.confirmLater': 'Refunds that arrive later are booked as reversals in the next open month.',
  'periods.confirmYes': 'Yes, close the month',
  'periods.cancel': 'Cancel',
  'periods.closedNow': '{month} is closed.',
  'periods.error.PERIOD_NOT_OVER': 'This month is not over yet. A month can be closed from the first day of the next.',
  'periods.error.PERIOD_CLOSED': 'This month is closed already.',
  'periods.error.PERIOD_OPEN': 'Payouts are available once the month is closed.',
}
