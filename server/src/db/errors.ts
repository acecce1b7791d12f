/** MongoDB's (and FerretDB's) duplicate-key error: how an insert learns that a unique key is taken. */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number } | null)?.code === 11000
}

/**
 * The write errors of an unordered insertMany of `count` documents, or null when the error is
 * not only about single documents. A connection lost mid-command arrives as a bulk write error
 * with no write errors and nothing inserted: that must never read as "everything written".
 */
export function perDocumentErrors(error: unknown, count: number): Array<{ index: number; code: number }> | null {
  const bulk = error as { writeErrors?: unknown; insertedCount?: number; result?: { insertedCount?: number } } | null
  if (!bulk || bulk.writeErrors === undefined) return null
  const raw = (Array.isArray(bulk.writeErrors) ? bulk.writeErrors : [bulk.writeErrors]) as Array<{ index: number; code?: number; err?: { code?: number } }>
  const inserted = bulk.insertedCount ?? bulk.result?.insertedCount
  if (raw.length === 0 || typeof inserted !== 'number' || inserted + raw.length !== count) return null
  return raw.map((e) => ({ index: e.index, code: e.code ?? e.err?.code ?? 0 }))
}

/**
 * insertMany that writes what it can: index in `docs` → 'duplicate' or 'failed' for those it could
 * not. It answers only when every document is accounted for: the driver reports a connection
 * lost mid-command as a bulk write error with no write errors and nothing inserted, and reading
 * that as "all written" acknowledged chat messages the database never stored. Such an error is thrown.
 */
export async function insertAll(
  collection: { insertMany(docs: object[], options: { ordered: false }): Promise<unknown> },
  docs: object[],
): Promise<Map<number, 'duplicate' | 'failed'>> {
  const failed = new Map<number, 'duplicate' | 'failed'>()
  if (!docs.length) return failed
  try {
    await collection.insertMany(docs, { ordered: false })
  } catch (error) {
    const writeErrors = perDocumentErrors(error, docs.length)
    if (!writeErrors) throw error
    for (const e of writeErrors) failed.set(e.index, e.code === 11000 ? 'duplicate' : 'failed')
  }
  return failed
}
