import { Types, type AnyBulkWriteOperation } from 'mongoose'
import type { ServiceContext } from '../../context.ts'
import type { ConversationDoc, ConversationIndexDoc, IndexEntry, ParticipantDoc } from './model.ts'
import type { ConversationHead } from './writer-parts.ts'
import { effectiveRead } from './state.ts'

/**
 * A member's conversations as their list shows them, in a few documents keyed by _id: the list
 * is INDEX_CHUNKS reads however many conversations there are. On FerretDB anything else is a
 * scan or one read per conversation (a participant, a conversation and its people each): 250
 * round trips and 350 ms for a page of 50. Rooms are not here (one message would touch every
 * member's index); they come from the member's groups.
 *
 * Every write to an entry is a field-level $set or $max keyed by _id, so two nodes (or a head
 * flush and a read mark) writing the same entry at once both land, and numbers never go back.
 */
export const INDEX_CHUNKS = 4

/** An entry that a head flush made before the conversation's own entry (see completeEntries). */
export const isComplete = (e: IndexEntry) => e.kind !== undefined && e.members !== undefined && e.status !== undefined

/** The chunk is a function of the conversation's id, so a writer needs no read to find the entry. */
const chunkOf = (conversationId: string) => parseInt(conversationId.slice(-6), 16) % INDEX_CHUNKS
export const indexId = (memberId: string, chunk: number) => `${memberId}:${chunk}`

export interface EntryChange {
  set?: Partial<Pick<IndexEntry, 'kind' | 'title' | 'members' | 'preview' | 'status' | 'muted'>>
  max?: Partial<Pick<IndexEntry, 'lastSeq' | 'at' | 'read'>>
}

/** One atomic update of a member's entry (made if missing). */
export function entryUpdate(memberId: string, conversationId: string, change: EntryChange): AnyBulkWriteOperation<ConversationIndexDoc> {
  const path = (field: string) => `c.${conversationId}.${field}`
  const fields = (values: object = {}) => Object.fromEntries(Object.entries(values).map(([k, v]) => [path(k), v as unknown]))
  const update: Record<string, Record<string, unknown>> = {}
  if (change.set && Object.keys(change.set).length) update.$set = fields(change.set)
  if (change.max && Object.keys(change.max).length) update.$max = fields(change.max)
  return { updateOne: { filter: { _id: indexId(memberId, chunkOf(conversationId)) }, update, upsert: true } }
}

export async function writeEntries(ctx: ServiceContext, ops: Array<AnyBulkWriteOperation<ConversationIndexDoc>>): Promise<void> {
  // The driver directly: the updates are already in their final form (and _ids are strings).
  if (ops.length) await ctx.models.ConversationIndex.collection.bulkWrite(ops as never, { ordered: false })
}

export const changeEntry = (ctx: ServiceContext, memberId: string, conversationId: string, change: EntryChange) =>
  writeEntries(ctx, [entryUpdate(memberId, conversationId, change)])

/** All of a member's entries: INDEX_CHUNKS reads by _id, in parallel. */
export async function readIndex(ctx: ServiceContext, memberId: string): Promise<Map<string, IndexEntry>> {
  const chunks = await Promise.all(
    Array.from(
      { length: INDEX_CHUNKS },
      (_, i) => ctx.models.ConversationIndex.collection.findOne({ _id: indexId(memberId, i) as never }) as Promise<ConversationIndexDoc | null>,
    ),
  )
  return new Map(chunks.flatMap((chunk) => Object.entries(chunk?.c ?? {})))
}

/** What a head flush writes into its participants' entries: the newest message, and each writer's own read mark. */
export function headEntries(conversationId: string, head: ConversationHead): Array<AnyBulkWriteOperation<ConversationIndexDoc>> {
  return head.members.map((member) =>
    entryUpdate(member, conversationId, {
      set: { preview: head.lastPreview },
      max: {
        lastSeq: head.lastSeq,
        ...(head.lastPreview ? { at: new Date(head.lastPreview.at).getTime() } : {}),
        ...(head.wrote[member] ? { read: head.wrote[member] } : {}),
      },
    }),
  )
}

/** Conversation heads into their documents: one bulk write, idempotent ($max, $set), so a round that fails is written again whole. */
export async function writeConversationHeads(ctx: ServiceContext, heads: Array<[string, ConversationHead]>): Promise<void> {
  if (!heads.length) return
  await ctx.models.Conversation.bulkWrite(
    heads.map(([id, head]) => ({
      updateOne: {
        filter: { _id: new Types.ObjectId(id) },
        update: {
          $max: { lastSeq: head.lastSeq, ...Object.fromEntries(Object.entries(head.wrote).map(([member, seq]) => [`wrote.${member}`, seq])) },
          $set: { lastPreview: head.lastPreview },
        },
      },
    })),
    { ordered: false },
  )
}

/** Conversation heads into their participants' lists: one bulk write, idempotent like the heads. */
export async function writeListHeads(ctx: ServiceContext, heads: Array<[string, ConversationHead]>): Promise<void> {
  await writeEntries(
    ctx,
    heads.flatMap(([id, head]) => headEntries(id, head)),
  )
}

export const activityOf = (c: Pick<ConversationDoc, 'lastPreview' | 'createdAt'>) => new Date(c.lastPreview?.at ?? c.createdAt).getTime()

/** A member's whole entry, from the conversation and their own state in it. */
export function fullEntry(c: ConversationDoc, me: ParticipantDoc, memberId: string): EntryChange {
  return {
    set: {
      kind: c.kind as 'direct' | 'group',
      title: c.title,
      members: c.participantIds.map(String),
      preview: c.lastPreview,
      status: me.status,
      muted: me.muted ?? false,
    },
    max: { lastSeq: c.lastSeq, at: activityOf(c), read: effectiveRead(c, me, memberId) },
  }
}

/**
 * Entries a head flush made before their conversation was in the index (data stored before the
 * index, written on a node that had not migrated yet) are filled in from the conversation and
 * the member's state in it, once: two reads each, then they are complete.
 */
export async function completeEntries(ctx: ServiceContext, memberId: string, entries: Map<string, IndexEntry>): Promise<void> {
  const incomplete = [...entries].filter(([, e]) => !isComplete(e)).map(([id]) => id)
  const repaired = await Promise.all(
    incomplete.map(async (id) => {
      const [c, me] = await Promise.all([
        ctx.models.Conversation.findById(id).lean() as Promise<ConversationDoc | null>,
        ctx.models.Participant.findById(`${id}:${memberId}`).lean() as Promise<ParticipantDoc | null>,
      ])
      if (!c || !me || c.kind === 'room') {
        entries.delete(id)
        return null
      }
      const change = fullEntry(c, me, memberId)
      const known = entries.get(id)!
      // A newer preview the flush wrote stays.
      if ((known.lastSeq ?? 0) > c.lastSeq) delete change.set!.preview
      entries.set(id, { ...change.set, ...known, ...maxOf(known, change.max!) })
      return entryUpdate(memberId, id, change)
    }),
  )
  await writeEntries(
    ctx,
    repaired.filter((op) => op !== null),
  )
}

function maxOf(known: IndexEntry, max: NonNullable<EntryChange['max']>): Partial<IndexEntry> {
  const out: Partial<IndexEntry> = {}
  for (const key of ['lastSeq', 'at', 'read'] as const) out[key] = Math.max(known[key] ?? 0, max[key] ?? 0)
  return out
}

const MIGRATED = 'migrated'

/**
 * Conversations stored before the index existed are put into their participants' lists once, at
 * start-up: one scan of the participants and one of the conversations (FerretDB has no other
 * way to find them), then bulk writes of $set/$max, so a message flushed meanwhile on another
 * node is not undone. A marker document says it is done.
 */
export async function migrateConversationIndex(ctx: ServiceContext): Promise<void> {
  const { Conversation, ConversationIndex, Participant } = ctx.models
  if (await ConversationIndex.collection.findOne({ _id: MIGRATED as never })) return
  const states = new Map<string, ParticipantDoc>()
  for await (const p of Participant.find({}).lean().cursor()) states.set(p._id, p as ParticipantDoc)
  let ops: Array<AnyBulkWriteOperation<ConversationIndexDoc>> = []
  for await (const c of Conversation.find({ kind: { $ne: 'room' } })
    .lean()
    .cursor()) {
    for (const member of (c as ConversationDoc).participantIds.map(String)) {
      const me = states.get(`${c._id.toString()}:${member}`)
      if (me) ops.push(entryUpdate(member, c._id.toString(), fullEntry(c as ConversationDoc, me, member)))
    }
    if (ops.length >= 500) {
      await writeEntries(ctx, ops)
      ops = []
    }
  }
  await writeEntries(ctx, ops)
  await ConversationIndex.collection.insertOne({ _id: MIGRATED, c: {} } as never).catch(() => {})
}
