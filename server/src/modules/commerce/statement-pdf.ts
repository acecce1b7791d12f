/**
 * A partner's statement as an A4 PDF, laid out by hand with pdfkit. Every word on it comes from
 * the catalogs (`statements.*`, in German unless asked otherwise).
 */
import { translate, type Lang, type MessageKey, type ParamsOf } from '@vernetzt/shared/i18n'
import type { Statement } from '@vernetzt/shared/schemas/commerce'
import PDFDocument from 'pdfkit'
import { euros, isoDay, percent, periodLabel } from './statement-format.ts'

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
interface Column {
  title: MessageKey
  x: number
  w: number
  align: Align
}
/** Entry table columns: left edge, width, alignment; they span the 495 pt between the margins. */
const COLUMNS: readonly Column[] = [
  { title: 'statements.date', x: MARGIN, w: 62, align: 'left' },
  { title: 'statements.order', x: 116, w: 96, align: 'left' },
  { title: 'statements.level', x: 214, w: 36, align: 'right' },
  { title: 'statements.kind', x: 262, w: 62, align: 'left' },
  { title: 'statements.base', x: 326, w: 78, align: 'right' },
  { title: 'statements.rate', x: 406, w: 46, align: 'right' },
  { title: 'statements.amount', x: 454, w: A4.width - MARGIN - 454, align: 'right' },
]
/** The sums table below the entries. */
const SUM_COLUMNS: readonly Column[] = [
  { title: 'statements.level', x: MARGIN, w: 60, align: 'left' },
  { title: 'statements.orders', x: 150, w: 90, align: 'right' },
  { title: 'statements.sales', x: 260, w: 120, align: 'right' },
  { title: 'statements.commission', x: 400, w: A4.width - MARGIN - 400, align: 'right' },
]

export interface PdfOptions {
  company: string
  /** Printed as the creation date (and set as the file's creation date). */
  now?: Date
  /** Deflate the page contents (default). Off only to read the raw PDF by eye. */
  compress?: boolean
  /** The language of the words on it (default German). */
  lang?: Lang
}

/**
 * A partner's statement as an A4 PDF: head with company, partner and status, every entry in a
 * table that continues over as many pages as needed (with its header repeated), the sums per
 * level and in all, and "Seite x von y" in every page's footer.
 */
export function statementPdf(s: Statement, options: PdfOptions): Promise<Buffer> {
  const now = options.now ?? new Date()
  const lang = options.lang ?? 'de'
  const t = <K extends MessageKey>(key: K, ...params: ParamsOf<K>) => winAnsi(translate(lang, key, ...params))
  const company = winAnsi(options.company)
  const partner = winAnsi(`${s.member.displayName} (@${s.member.handle})`)
  const title = t('statements.titleOf', { period: s.period })
  const kind = { credit: t('statements.kind.credit'), reversal: t('statements.kind.reversal') }
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    compress: options.compress ?? true,
    autoFirstPage: true,
    info: { Title: `${title} – ${partner}`, Author: company, Creator: company, CreationDate: now },
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
  const row = (columns: readonly Column[], cells: readonly string[]) => {
    for (const [j, c] of columns.entries()) put(cells[j]!, c.x, y, c.w, c.align)
  }

  const tableHead = () => {
    font(true, 8.5)
    row(
      COLUMNS,
      COLUMNS.map((c) => t(c.title)),
    )
    y += ROW - 2
    doc
      .moveTo(MARGIN, y - 2)
      .lineTo(A4.width - MARGIN, y - 2)
      .lineWidth(0.6)
      .strokeColor('#333333')
      .stroke()
    y += 2
    font(false, 8.5)
  }
  const newPage = (withTableHead: boolean) => {
    doc.addPage()
    y = MARGIN
    font(false, 8)
    doc.fillColor('#555555')
    put(`${company} · ${title} · ${partner}`, MARGIN, y, A4.width - 2 * MARGIN)
    doc.fillColor('#000000')
    y += ROW + 6
    if (withTableHead) tableHead()
  }
  const room = (height: number, withTableHead: boolean) => {
    if (y + height > BOTTOM) newPage(withTableHead)
  }

  // Head of the first page.
  const month = winAnsi(periodLabel(lang, s.period))
  font(true, 16)
  put(company, MARGIN, y, 300)
  font(false, 9)
  put(t('statements.createdOn', { date: isoDay(now) }), A4.width - MARGIN - 200, y + 4, 200, 'right')
  y += 30
  font(true, 13)
  put(t('statements.titleOf', { period: month }), MARGIN, y, 400)
  y += 22
  font(false, 10)
  const head: Array<[string, string]> = [
    [t('statements.partner'), partner],
    [t('statements.period'), `${month} (${s.period})`],
    [t('statements.status'), t(s.closed ? 'statements.closedNote' : 'statements.provisionalNote')],
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
    put(t('statements.noEntries'), MARGIN, y, 400)
    y += ROW + 6
  } else {
    tableHead()
    for (const [i, e] of s.entries.entries()) {
      room(ROW, true)
      if (i % 2 === 1)
        doc
          .rect(MARGIN, y - 2.5, A4.width - 2 * MARGIN, ROW)
          .fill('#f1f3f5')
          .fillColor('#000000')
      row(COLUMNS, [
        isoDay(e.createdAt),
        winAnsi(e.orderNumber),
        String(e.level),
        kind[e.kind],
        euros(lang, e.baseCents),
        percent(lang, e.rateBp),
        euros(lang, e.amountCents),
      ])
      y += ROW
    }
    y += 12
  }

  // The sums: per level, then in all.
  room(ROW * (s.perLevel.length + 6), false)
  font(true, 11)
  put(t('statements.sums'), MARGIN, y, 200)
  y += ROW + 4
  font(true, 9)
  row(
    SUM_COLUMNS,
    SUM_COLUMNS.map((c) => t(c.title)),
  )
  y += ROW
  font(false, 9)
  for (const l of s.perLevel) {
    room(ROW, false)
    row(SUM_COLUMNS, [t('statements.levelN', { level: l.level }), String(l.orders), euros(lang, l.salesCents), euros(lang, l.amountCents)])
    y += ROW
  }
  room(ROW * 4, false)
  y += 4
  doc
    .moveTo(MARGIN, y - 3)
    .lineTo(A4.width - MARGIN, y - 3)
    .lineWidth(0.6)
    .strokeColor('#333333')
    .stroke()
  const last = SUM_COLUMNS[3]!
  const totals = [
    [t('statements.credits'), s.creditsCents, false],
    [t('statements.reversals'), s.reversalsCents, false],
    [t('statements.total'), s.totalCents, true],
  ] as const
  for (const [label, cents, bold] of totals) {
    font(bold, bold ? 11 : 9)
    put(label, MARGIN, y, 200)
    put(euros(lang, cents), last.x, y, last.w, 'right')
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
    put(`${company} · ${title} · @${s.member.handle}`, MARGIN, FOOTER_Y, 380)
    put(t('statements.pageOf', { page: i - start + 1, pages: count }), A4.width - MARGIN - 100, FOOTER_Y, 100, 'right')
    doc.fillColor('#000000')
    doc.page.margins = margins
  }
  doc.end()
  return done
}
