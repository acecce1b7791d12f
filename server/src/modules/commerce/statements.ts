/**
 * Statements and payouts leave the system as files: a partner's monthly statement as CSV and
 * PDF, and a closed month's payouts as CSV for the accounting system. Everything here reads the
 * ledger through ledger.ts (statement(), periodEntries(), the payees stream) and never writes it.
 */
import { periodOf, previousPeriod } from '@vernetzt/shared/commissions'
import { AppError } from '@vernetzt/shared/errors'
import type { Statement } from '@vernetzt/shared/schemas/commerce'
import type { PeriodList, PeriodTotals } from '@vernetzt/shared/schemas/periods'
import type { Types } from 'mongoose'
import PDFDocument from 'pdfkit'
import type { Actor, ServiceContext } from '../../context.ts'
import { headOf, readStream } from '../../db/streams.ts'
import { payeesStream, periodEntries, statement } from './ledger.ts'

// --- Formatting -------------------------------------------------------------------------------

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

/** Basis points as a German percentage: 250 → "2,50". */
export function percentDe(bp: number): string {
  return decimalDe(bp)
}

const MONTHS_DE = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember']
/** "2026-05" → "Mai 2026". */
export function periodLabelDe(period: string): string {
  const [year, month] = period.split('-')
  return `${MONTHS_DE[Number(month) - 1] ?? month} ${year}`
}

const KIND_DE = { credit: 'Gutschrift', reversal: 'Storno' } as const

// --- CSV --------------------------------------------------------------------------------------

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
export function statementCsv(s: Statement, company: string): string {
  const rows: Array<Array<string | number>> = [
    ['Provisionsabrechnung', textCell(company)],
    ['Partner', textCell(`${s.member.displayName} (@${s.member.handle})`)],
    ['Zeitraum', s.period],
    ['Status', s.closed ? 'abgeschlossen' : 'vorläufig'],
    [],
    ['Datum', 'Bestellnummer', 'Ebene', 'Art', 'Basis (EUR)', 'Satz (%)', 'Betrag (EUR)'],
  ]
  for (const e of s.entries) {
    rows.push([isoDay(e.createdAt), textCell(e.orderNumber), e.level, KIND_DE[e.kind], decimalDe(e.baseCents), percentDe(e.rateBp), decimalDe(e.amountCents)])
  }
  rows.push([])
  for (const l of s.perLevel) rows.push([`Summe Ebene ${l.level}`, `${l.orders} ${l.orders === 1 ? 'Bestellung' : 'Bestellungen'}`, l.level, '', decimalDe(l.salesCents), '', decimalDe(l.amountCents)])
  rows.push(['Gutschriften', '', '', '', '', '', decimalDe(s.creditsCents)])
  rows.push(['Stornos', '', '', '', '', '', decimalDe(s.reversalsCents)])
  rows.push(['Gesamt', '', '', '', '', '', decimalDe(s.totalCents)])
  return toCsv(rows)
}

// --- PDF --------------------------------------------------------------------------------------

/**
 * The PDF's standard Helvetica speaks WinAnsi (Latin-1 plus €, „“, –, … and a few more); any
 * other character would garble the text, so it becomes "?". NFC first, so a decomposed "ü"
 * stays one letter.
 */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ')
export function winAnsi(text: string): string {
  let out = ''
  for (const ch of text.normalize('NFC')) {
    const code = ch.codePointAt(0)!
    out += (code >= 0x20 && code < 0x7f) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch) ? ch : code === 0x09 ? ' ' : '?'
  }
  return out
}

const A4 = { width: 595.28, height: 841.89 }
const MARGIN = 50
const ROW = 14
const FOOTER_Y = A4.height - 38
const BOTTOM = A4.height - 62
type Align = 'left' | 'right'
/** Entry table columns: left edge, width, alignment; they span the 495 pt between the margins. */
const COLUMNS: ReadonlyArray<{ title: string; x: number; w: number; align: Align }> = [
  { title: 'Datum', x: MARGIN, w: 62, align: 'left' },
  { title: 'Bestellung', x: 116, w: 96, align: 'left' },
  { title: 'Ebene', x: 214, w: 36, align: 'right' },
  { title: 'Art', x: 262, w: 62, align: 'left' },
  { title: 'Basis', x: 326, w: 78, align: 'right' },
  { title: 'Satz', x: 406, w: 46, align: 'right' },
  { title: 'Betrag', x: 454, w: A4.width - MARGIN - 454, align: 'right' },
]

export interface PdfOptions {
  company: string
  /** Printed as the creation date (and set as the file's creation date). */
  now?: Date
  /** Deflate the page contents (default). Off only to read the raw PDF by eye. */
  compress?: boolean
}

/**
 * A partner's statement as an A4 PDF: head with company, partner and status, every entry in a
 * table that continues over as many pages as needed (with its header repeated), the sums per
 * level and in all, and "Seite x von y" in every page's footer.
 */
export function statementPdf(s: Statement, options: PdfOptions): Promise<Buffer> {
  const now = options.now ?? new Date()
  const company = winAnsi(options.company)
  const partner = winAnsi(`${s.member.displayName} (@${s.member.handle})`)
  const doc = new PDFDocument({
    size: 'A4', margin: MARGIN, bufferPages: true, compress: options.compress ?? true, autoFirstPage: true,
    info: { Title: `Provisionsabrechnung ${s.period} – ${partner}`, Author: company, Creator: company, CreationDate: now },
  })
  const chunks: Buffer[] = []
  doc.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })

  let y = MARGIN
  const font = (bold: boolean, size: number) => doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(size)
  // Placed text without pdfkit's line wrapping: exact positions, and fast for thousands of rows.
  const put = (text: string, x: number, top: number, width: number, align: Align = 'left') => {
    doc.text(text, align === 'right' ? x + width - doc.widthOfString(text) : x, top, { lineBreak: false })
  }

  const tableHead = () => {
    font(true, 8.5)
    for (const c of COLUMNS) put(c.title, c.x, y, c.w, c.align)
    y += ROW - 2
    doc.moveTo(MARGIN, y - 2).lineTo(A4.width - MARGIN, y - 2).lineWidth(0.6).strokeColor('#333333').stroke()
    y += 2
    font(false, 8.5)
  }
  const newPage = (withTableHead: boolean) => {
    doc.addPage()
    y = MARGIN
    font(false, 8)
    doc.fillColor('#555555')
    put(`${company} · Provisionsabrechnung ${s.period} · ${partner}`, MARGIN, y, A4.width - 2 * MARGIN)
    doc.fillColor('#000000')
    y += ROW + 6
    if (withTableHead) tableHead()
  }
  const room = (height: number, withTableHead: boolean) => {
    if (y + height > BOTTOM) newPage(withTableHead)
  }

  // Head of the first page.
  font(true, 16)
  put(company, MARGIN, y, 300)
  font(false, 9)
  put(`Erstellt am ${isoDay(now)}`, A4.width - MARGIN - 200, y + 4, 200, 'right')
  y += 30
  font(true, 13)
  put(`Provisionsabrechnung ${periodLabelDe(s.period)}`, MARGIN, y, 400)
  y += 22
  font(false, 10)
  const head: Array<[string, string]> = [
    ['Partner', partner],
    ['Zeitraum', `${periodLabelDe(s.period)} (${s.period})`],
    ['Status', s.closed ? 'abgeschlossen – die Beträge dieses Monats sind endgültig' : 'vorläufig – der Monat ist noch nicht abgeschlossen, Beträge können sich noch ändern'],
  ]
  for (const [label, value] of head) {
    font(true, 10)
    put(label, MARGIN, y, 80)
    font(false, 10)
    put(value, MARGIN + 80, y, A4.width - 2 * MARGIN - 80)
    y += ROW + 1
  }
  y += 10

  // The entries.
  if (s.entries.length === 0) {
    font(false, 10)
    put('Keine Buchungen in diesem Zeitraum.', MARGIN, y, 400)
    y += ROW + 6
  } else {
    tableHead()
    for (const [i, e] of s.entries.entries()) {
      room(ROW, true)
      if (i % 2 === 1) doc.rect(MARGIN, y - 2.5, A4.width - 2 * MARGIN, ROW).fill('#f1f3f5').fillColor('#000000')
      const cells = [isoDay(e.createdAt), winAnsi(e.orderNumber), String(e.level), KIND_DE[e.kind], eurosDe(e.baseCents), `${percentDe(e.rateBp)} %`, eurosDe(e.amountCents)]
      for (const [j, c] of COLUMNS.entries()) put(cells[j]!, c.x, y, c.w, c.align)
      y += ROW
    }
    y += 12
  }

  // The sums: per level, then in all.
  room(ROW * (s.perLevel.length + 6), false)
  font(true, 11)
  put('Summen', MARGIN, y, 200)
  y += ROW + 4
  const sumColumns = [
    { title: 'Ebene', x: MARGIN, w: 60, align: 'left' as const },
    { title: 'Bestellungen', x: 150, w: 90, align: 'right' as const },
    { title: 'Umsatz (Basis)', x: 260, w: 120, align: 'right' as const },
    { title: 'Provision', x: 400, w: A4.width - MARGIN - 400, align: 'right' as const },
  ]
  font(true, 9)
  for (const c of sumColumns) put(c.title, c.x, y, c.w, c.align)
  y += ROW
  font(false, 9)
  for (const l of s.perLevel) {
    room(ROW, false)
    const cells = [`Ebene ${l.level}`, String(l.orders), eurosDe(l.salesCents), eurosDe(l.amountCents)]
    for (const [j, c] of sumColumns.entries()) put(cells[j]!, c.x, y, c.w, c.align)
    y += ROW
  }
  room(ROW * 4, false)
  y += 4
  doc.moveTo(MARGIN, y - 3).lineTo(A4.width - MARGIN, y - 3).lineWidth(0.6).strokeColor('#333333').stroke()
  const last = sumColumns[3]!
  for (const [label, cents, bold] of [['Gutschriften', s.creditsCents, false], ['Stornos', s.reversalsCents, false], ['Gesamt', s.totalCents, true]] as const) {
    font(bold, bold ? 11 : 9)
    put(label, MARGIN, y, 200)
    put(eurosDe(cents), last.x, y, last.w, 'right')
    y += ROW + (bold ? 2 : 0)
  }

  // Footers, now that the page count is known. The bottom margin goes to zero while writing
  // below it, or pdfkit would start a new page for the footer text.
  const { start, count } = doc.bufferedPageRange()
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i)
    const margins = doc.page.margins
    doc.page.margins = { ...margins, bottom: 0 }
    font(false, 8)
    doc.fillColor('#555555')
    put(`${company} · Provisionsabrechnung ${s.period} · @${s.member.handle}`, MARGIN, FOOTER_Y, 380)
    put(`Seite ${i - start + 1} von ${count}`, A4.width - MARGIN - 100, FOOTER_Y, 100, 'right')
    doc.fillColor('#000000')
    doc.page.margins = margins
  }
  doc.end()
  return done
}

// --- Exports ----------------------------------------------------------------------------------

export interface ExportFile {
  filename: string
  contentType: string
  body: string | Buffer
}

/** A statement file: the same access rules as the JSON statement (own, or any for admins). */
export async function statementExport(ctx: ServiceContext, actor: Actor, memberId: string, period: string, format: 'csv' | 'pdf'): Promise<ExportFile> {
  const s = await statement(ctx, actor, memberId, period)
  const company = ctx.config.root.displayName
  const filename = `provisionsabrechnung-${period}-${s.member.handle}.${format}`
  if (format === 'csv') return { filename, contentType: 'text/csv; charset=utf-8', body: statementCsv(s, company) }
  return { filename, contentType: 'application/pdf', body: await statementPdf(s, { company }) }
}

/** Everyone listed in the period's payees stream, each once (a crash may have listed one twice), oldest first. */
async function payeeIds(ctx: ServiceContext, period: string): Promise<Types.ObjectId[]> {
  const ids: Types.ObjectId[] = []
  const seen = new Set<string>()
  let cursor: string | undefined
  do {
    const page = await readStream(ctx, payeesStream(period), { cursor, limit: 500, maxProbe: 1000 }, async (refs) => refs)
    for (const id of page.items) {
      if (seen.has(id.toString())) continue
      seen.add(id.toString())
      ids.push(id)
    }
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return ids.reverse()
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

/**
 * Everyone with entries in the period and what they earned there. The payees stream may list a
 * partner twice (a crash between listing and marking); each is counted once. Each partner's
 * entries come from their own period stream, by _id.
 */
export async function periodPayouts(ctx: ServiceContext, period: string): Promise<PayoutRow[]> {
  const ids = await payeeIds(ctx, period)

  const rows: PayoutRow[] = []
  const BATCH = 50 // partners summed at once; each is a few round trips
  for (let i = 0; i < ids.length; i += BATCH) {
    rows.push(...await Promise.all(ids.slice(i, i + BATCH).map(async (id): Promise<PayoutRow> => {
      const [member, entries] = await Promise.all([
        ctx.models.Member.findById(id, { handle: 1, displayName: 1, email: 1 }).lean(),
        periodEntries(ctx, id, period),
      ])
      let creditsCents = 0
      let reversalsCents = 0
      for (const e of entries) {
        if (e.kind === 'credit') creditsCents += e.amountCents
        else reversalsCents += e.amountCents
      }
      return {
        memberId: id.toString(), handle: member?.handle ?? '', displayName: member?.displayName ?? '(gelöscht)', email: member?.email ?? '',
        creditsCents, reversalsCents, totalCents: creditsCents + reversalsCents, entries: entries.length,
      }
    })))
  }
  return rows
}

function requireAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an administrator can see the payouts of a period.')
}

/** The payouts of a closed period as CSV for the accounting system; open periods may still change. */
export async function payoutsCsv(ctx: ServiceContext, actor: Actor, period: string): Promise<ExportFile> {
  requireAdmin(actor)
  const closed = await ctx.models.Period.findById(period).lean()
  if (!closed) throw new AppError('PERIOD_OPEN', `${period} is not closed yet; payouts are exported for closed periods only, whose amounts no longer change.`)
  const rows = await periodPayouts(ctx, period)
  rows.sort((a, b) => a.handle.localeCompare(b.handle))
  const body = toCsv([
    ['Partner-ID', 'Handle', 'Name', 'E-Mail', 'Gutschriften (EUR)', 'Stornos (EUR)', 'Auszahlung (EUR)', 'Buchungen'],
    ...rows.map((r) => [r.memberId, textCell(r.handle), textCell(r.displayName), textCell(r.email), decimalDe(r.creditsCents), decimalDe(r.reversalsCents), decimalDe(r.totalCents), r.entries]),
  ])
  return { filename: `auszahlungen-${period}.csv`, contentType: 'text/csv; charset=utf-8', body }
}

// --- The periods overview ---------------------------------------------------------------------

interface PeriodTotalsDoc extends PeriodTotals {
  _id: string
  computedAt: Date
}

/**
 * Totals of closed periods never change, so they are computed once and kept in a small
 * collection of their own (read by _id). A period is cached only a minute after its close, so a
 * credit that was already on its way when the admin closed it is counted too.
 */
const totalsCache = (ctx: ServiceContext) => ctx.models.Period.db.collection<PeriodTotalsDoc>('period_totals')
const CACHE_AFTER_CLOSE_MS = 60_000

const emptyTotals = (): PeriodTotals => ({ creditsCents: 0, reversalsCents: 0, totalCents: 0, payees: 0, entries: 0 })

/**
 * The totals of several periods, summed live. Reading every entry by _id through the partners'
 * streams (as the payout export does) costs a round trip per entry: minutes for a month of
 * 250,000 entries. A grouped scan is one round trip; on FerretDB it reads the whole ledger,
 * which is why closed months are cached and only the open ones are summed on every visit.
 * The groups are few on purpose: FerretDB 1.24 fills only the first accumulator of a $group
 * (hence sums and counts are two passes), and with one group per partner the pass took over
 * 20 minutes for 250,000 entries in the benchmark. Partners are counted by their listings in
 * the payees stream (its head, one read); a crash between listing and marking may have listed
 * one twice, so closed months count them exactly once, when they are cached.
 */
export async function sumPeriods(ctx: ServiceContext, periods: string[], exactPayees: ReadonlySet<string> = new Set()): Promise<Map<string, PeriodTotals>> {
  const out = new Map(periods.map((p) => [p, emptyTotals()]))
  if (periods.length === 0) return out
  const match = { $match: { period: { $in: periods } } }
  const [sums, counts, payees] = await Promise.all([
    ctx.models.LedgerEntry.aggregate<{ _id: { p: string; k: string }; cents: number }>([match, { $group: { _id: { p: '$period', k: '$kind' }, cents: { $sum: '$amountCents' } } }]),
    ctx.models.LedgerEntry.aggregate<{ _id: string; n: number }>([match, { $group: { _id: '$period', n: { $sum: 1 } } }]),
    Promise.all(periods.map(async (p) => (exactPayees.has(p) ? (await payeeIds(ctx, p)).length : headOf(ctx, payeesStream(p))))),
  ])
  for (const g of sums) {
    const t = out.get(g._id.p)
    if (!t) continue
    if (g._id.k === 'credit') t.creditsCents += g.cents
    else t.reversalsCents += g.cents
    t.totalCents += g.cents
  }
  for (const c of counts) {
    const t = out.get(c._id)
    if (t) t.entries = c.n
  }
  periods.forEach((p, i) => (out.get(p)!.payees = payees[i]!))
  return out
}

/** The current month and the twelve before it, newest first, with their status and totals. */
export async function listPeriods(ctx: ServiceContext, actor: Actor, now = new Date()): Promise<PeriodList> {
  requireAdmin(actor)
  const current = periodOf(now)
  const periods = [current]
  while (periods.length < 13) periods.push(previousPeriod(periods.at(-1)!))
  const closed = await Promise.all(periods.map((p) => ctx.models.Period.findById(p).lean()))
  const cacheable = (i: number) => !!closed[i] && now.getTime() - closed[i].closedAt.getTime() >= CACHE_AFTER_CLOSE_MS
  const cached = await Promise.all(periods.map((p, i) => (cacheable(i) ? totalsCache(ctx).findOne({ _id: p }) : null)))
  const live = await sumPeriods(ctx, periods.filter((_, i) => !cached[i]), new Set(periods.filter((_, i) => cacheable(i) && !cached[i])))
  await Promise.all(periods.map(async (p, i) => {
    if (cacheable(i) && !cached[i]) await totalsCache(ctx).updateOne({ _id: p }, { $set: { ...live.get(p)!, computedAt: now } }, { upsert: true })
  }))
  return {
    items: periods.map((period, i) => {
      const c = cached[i]
      const doc = closed[i]
      return {
        period, status: doc ? ('closed' as const) : ('open' as const), closedAt: doc?.closedAt.toISOString() ?? null, closable: !doc && period < current,
        totals: c ? { creditsCents: c.creditsCents, reversalsCents: c.reversalsCents, totalCents: c.totalCents, payees: c.payees, entries: c.entries } : live.get(period)!,
      }
    }),
  }
}
