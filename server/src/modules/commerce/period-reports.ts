/**
 * Stored per-period totals: what the income disclosure and the admins' periods overview need,
 * kept current by the ledger's `ledger.entry_listed` events instead of being added up on a visit.
 *
 * A period's totals are spread over CHUNKS documents `<period>:<k>` (payee → chunk by the id's
 * last hex digits), each holding `p.m<payee> = { s, c, r, n }`: the payee's credits `c`,
 * reversals `r` and entry count `n` over the first `s` numbers of their ledger stream of that
 * period. A view reads at most CHUNKS documents by `_id` per period, whatever the number of
 * partners; one document per period would be rewritten whole on every ledger line.
 *
 * Crash safety without transactions (FerretDB answers only a bare `{ _id }` filter from an index,
 * so there is no cheap "update if still at s"): a payee's state is only ever replaced (`$set`)
 * by a state computed from the stream, never incremented. `s` says how far the sums go, so an
 * event for a number already counted changes nothing (a replay, a repair's repeat), and an
 * event that finds a gap reads the missing numbers from the stream first (an event lost in a
 * crash or a failed subscriber is made up by the payee's next line, and by finalisation, which
 * catches every payee up). Stream number k counts only if its line says it is listed at k: a
 * line listed twice (a crash between listing and marking) counts at its final number alone. Two
 * writers racing on one payee (other nodes) can at worst put back an older state, whose `s` is
 * older too; the next catch-up continues from there. One node runs a payee's updates in turn.
 */
import type { Collection } from 'mongodb'
import type { Types } from 'mongoose'
import type { ServiceContext } from '../../context.ts'
import type { DomainEvents } from '../../events/index.ts'
import { headOf, readStream, streamEntryId } from '../../db/streams.ts'
import { ledgerStream, payeesStream } from './ledger.ts'

export const CHUNKS = 16

/** A payee's sums over the first `s` numbers of their period stream. */
export interface PayeeState {
  s: number
  c: number
  r: number
  n: number
}
export interface ReportChunkDoc {
  _id: string
  p: Record<string, PayeeState>
}

export const reportChunks = (ctx: ServiceContext) => ctx.models.Period.db.collection<ReportChunkDoc>('period_reports') as unknown as Collection<ReportChunkDoc>

const chunkOf = (period: string, payee: string) => `${period}:${parseInt(payee.slice(-6), 16) % CHUNKS}`
const field = (payee: string) => `m${payee}`

/** Per node: a payee's updates run one after another (a parallel one would only redo the work). */
const queues = new WeakMap<ServiceContext, Map<string, Promise<unknown>>>()
function serially<T>(ctx: ServiceContext, key: string, work: () => Promise<T>): Promise<T> {
  const byKey = queues.get(ctx) ?? new Map<string, Promise<unknown>>()
  queues.set(ctx, byKey)
  const run = (byKey.get(key) ?? Promise.resolve()).catch(() => {}).then(work)
  byKey.set(key, run)
  void run.finally(() => byKey.get(key) === run && byKey.delete(key)).catch(() => {})
  return run
}

async function stateOf(ctx: ServiceContext, payee: string, period: string): Promise<PayeeState> {
  const f = field(payee)
  const doc = await reportChunks(ctx).findOne({ _id: chunkOf(period, payee) }, { projection: { [`p.${f}`]: 1 } })
  return doc?.p?.[f] ?? { s: 0, c: 0, r: 0, n: 0 }
}

const store = (ctx: ServiceContext, payee: string, period: string, state: PayeeState) =>
  reportChunks(ctx).updateOne({ _id: chunkOf(period, payee) }, { $set: { [`p.${field(payee)}`]: state } }, { upsert: true })

/**
 * Adds the stream numbers after `state.s` that are there and final. Stops at a number whose
 * entry or line is not written yet (a listing in flight): its own event comes after it.
 */
async function advance(ctx: ServiceContext, payee: string, period: string, state: PayeeState): Promise<PayeeState> {
  const stream = ledgerStream(payee, period)
  const head = await headOf(ctx, stream)
  const next = { ...state }
  while (next.s < head) {
    const seqs = Array.from({ length: Math.min(100, head - next.s) }, (_, i) => next.s + 1 + i)
    const refs = await Promise.all(seqs.map((n) => ctx.models.StreamEntry.findById(streamEntryId(stream, n)).lean()))
    const lines = await Promise.all(refs.map((e) => (e ? ctx.models.LedgerEntry.findById(e.ref, { listed: 1, kind: 1, amountCents: 1 }).lean() : null)))
    for (const [i, n] of seqs.entries()) {
      const line = lines[i]
      if (!line || line.listed === null) return next
      if (line.listed === n) addLine(next, line.kind, line.amountCents)
      next.s = n
    }
  }
  return next
}

function addLine(state: PayeeState, kind: string, amountCents: number): void {
  if (kind === 'credit') state.c += amountCents
  else state.r += amountCents
  state.n += 1
}

/**
 * The subscriber: the common case (the line right after the stored state) costs one read and
 * one write; a number already counted costs the read alone; a gap is read from the stream.
 */
export function applyListed(ctx: ServiceContext, e: DomainEvents['ledger.entry_listed']): Promise<unknown> {
  return serially(ctx, `${e.period}:${e.beneficiaryId}`, async () => {
    const state = await stateOf(ctx, e.beneficiaryId, e.period)
    if (e.seq <= state.s) return // counted already
    let next = { ...state }
    if (e.seq === state.s + 1) {
      addLine(next, e.kind, e.amountCents)
      next.s = e.seq
    } else next = await advance(ctx, e.beneficiaryId, e.period, state)
    await store(ctx, e.beneficiaryId, e.period, next)
  })
}

/** Every payee's stored sums of a period: CHUNKS reads by `_id`. */
export async function storedPayees(ctx: ServiceContext, period: string): Promise<Map<string, PayeeState>> {
  const docs = await Promise.all(Array.from({ length: CHUNKS }, (_, k) => reportChunks(ctx).findOne({ _id: `${period}:${k}` })))
  const out = new Map<string, PayeeState>()
  for (const doc of docs) for (const [f, state] of Object.entries(doc?.p ?? {})) out.set(f.slice(1), state)
  return out
}

/** Everyone listed in the period's payees stream, each once. */
export async function listedPayees(ctx: ServiceContext, period: string): Promise<Types.ObjectId[]> {
  const ids = new Map<string, Types.ObjectId>()
  let cursor: string | undefined
  do {
    const page = await readStream(ctx, payeesStream(period), { cursor, limit: 500, maxProbe: 1000 }, async (refs) => refs)
    for (const id of page.items) ids.set(id.toString(), id)
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  return [...ids.values()]
}

/**
 * Catches up every payee of a period (finalisation, the start-up catch-up): the chunks are read
 * once, each payee costs one head read (plus its new lines), 50 at a time, and each changed
 * chunk is written once. The states written are prefix states like any other, so an event
 * handled meanwhile and overwritten here is counted again by the payee's next catch-up.
 */
export async function catchUpPeriod(ctx: ServiceContext, period: string): Promise<Map<string, PayeeState>> {
  const [payees, states] = await Promise.all([listedPayees(ctx, period), storedPayees(ctx, period)])
  const changes = new Map<string, Record<string, PayeeState>>()
  for (let i = 0; i < payees.length; i += 50) {
    await Promise.all(
      payees.slice(i, i + 50).map(async (id) => {
        const payee = id.toString()
        const before = states.get(payee) ?? { s: 0, c: 0, r: 0, n: 0 }
        const after = await advance(ctx, payee, period, before)
        if (after.s === before.s) return
        states.set(payee, after)
        const chunk = chunkOf(period, payee)
        changes.set(chunk, { ...changes.get(chunk), [`p.${field(payee)}`]: after })
      }),
    )
  }
  await Promise.all([...changes].map(([chunk, set]) => reportChunks(ctx).updateOne({ _id: chunk }, { $set: set }, { upsert: true })))
  return states
}
