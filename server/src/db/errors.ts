/** MongoDB's (and FerretDB's) duplicate-key error: how an insert learns that a unique key is taken. */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number } | null)?.code === 11000
}
