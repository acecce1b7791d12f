/**
 * Statements and payouts as CSV that German Excel opens as it is. Labels come from the
 * catalogs (German unless asked otherwise); numbers stay decimal-comma numbers in either language.
 */
import { translate, type Lang, type MessageKey, type ParamsOf } from '@vernetzt/shared/i18n'
import type { Statement } from '@vernetzt/shared/schemas/commerce'
import { decimalDe, isoDay, percentDe } from './statement-format.ts'

const inLang =
  (lang: Lang) =>
  <K extends MessageKey>(key: K, ...params: ParamsOf<K>) =>
    translate(lang, key, ...params)

/**
 * A text cell a person may have typed (a display name, an e-mail address). Spreadsheets run a
 * cell that starts with = + - @ (or a tab or carriage return) as a formula, so such text gets a
 * leading apostrophe and stays text (OWASP "CSV injection").
 */
export function textCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
}

/** Quotes a cell when it holds the separator, a quote or a line break (RFC 4180, with ";"). */
function quote(cell: string): string {
  return /[";\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell
}

/**
 * German Excel opens this as it is: UTF-8 with a byte order mark (or umlauts break), semicolons
 * (the comma is the decimal sign), CRLF line ends. Numbers are decimal-comma numbers, not text.
 */
export function toCsv(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return `\uFEFF${rows.map((row) => row.map((cell) => quote(String(cell))).join(';')).join('\r\n')}\r\n`
}

/** A partner's statement as a spreadsheet: a short head, one row per entry, the sums below. */
export function statementCsv(s: Statement, company: string, lang: Lang = 'de'): string {
  const t = inLang(lang)
  const kind = { credit: t('statements.kind.credit'), reversal: t('statements.kind.reversal') }
  const rows: Array<Array<string | number>> = [
    [t('statements.title'), textCell(company)],
    [t('statements.partner'), textCell(`${s.member.displayName} (@${s.member.handle})`)],
    [t('statements.period'), s.period],
    [t('statements.status'), t(s.closed ? 'statements.closed' : 'statements.provisional')],
    [],
    [
      t('statements.date'),
      t('statements.orderNumber'),
      t('statements.level'),
      t('statements.kind'),
      t('statements.baseEur'),
      t('statements.ratePercent'),
      t('statements.amountEur'),
    ],
  ]
  for (const e of s.entries) {
    rows.push([isoDay(e.createdAt), textCell(e.orderNumber), e.level, kind[e.kind], decimalDe(e.baseCents), percentDe(e.rateBp), decimalDe(e.amountCents)])
  }
  rows.push([])
  for (const l of s.perLevel) {
    rows.push([
      t('statements.levelSum', { level: l.level }),
      t('statements.orderCount', { n: l.orders }),
      l.level,
      '',
      decimalDe(l.salesCents),
      '',
      decimalDe(l.amountCents),
    ])
  }
  rows.push([t('statements.credits'), '', '', '', '', '', decimalDe(s.creditsCents)])
  rows.push([t('statements.reversals'), '', '', '', '', '', decimalDe(s.reversalsCents)])
  rows.push([t('statements.total'), '', '', '', '', '', decimalDe(s.totalCents)])
  return toCsv(rows)
}

/** A closed month's payouts for the accounting system: one row per partner, in the order given. */
export function payoutsCsvBody(rows: readonly PayoutRow[], lang: Lang = 'de'): string {
  const t = inLang(lang)
  return toCsv([
    [
      t('statements.payouts.memberId'),
      t('statements.payouts.handle'),
      t('statements.payouts.name'),
      t('statements.payouts.email'),
      t('statements.payouts.creditsEur'),
      t('statements.payouts.reversalsEur'),
      t('statements.payouts.payoutEur'),
      t('statements.payouts.entries'),
    ],
    ...rows.map((r) => [
      r.memberId,
      textCell(r.handle),
      textCell(r.displayName),
      textCell(r.email),
      decimalDe(r.creditsCents),
      decimalDe(r.reversalsCents),
      decimalDe(r.totalCents),
      r.entries,
    ]),
  ])
}

export interface PayoutRow {
  memberId: string
  handle: string
  displayName: string
  email: string
  creditsCents: number
  reversalsCents: number
  totalCents: number
  entries: number
}
