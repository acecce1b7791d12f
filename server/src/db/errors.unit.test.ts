import { describe, expect, it } from 'vitest'
import { perDocumentErrors } from './errors.ts'

describe('perDocumentErrors', () => {
  it('reads duplicates of an unordered insertMany when every document is accounted for', () => {
    const error = { writeErrors: [{ index: 1, code: 11000 }], insertedCount: 2 }
    expect(perDocumentErrors(error, 3)).toEqual([{ index: 1, code: 11000 }])
  })

  it('refuses to read a lost connection as "everything written"', () => {
    // What the driver throws when the server goes away mid-command.
    expect(perDocumentErrors({ name: 'MongoBulkWriteError', writeErrors: [], insertedCount: 0 }, 5)).toBeNull()
    expect(perDocumentErrors({ writeErrors: [{ index: 0, code: 11000 }], insertedCount: 1 }, 5)).toBeNull()
    expect(perDocumentErrors(new Error('connection closed'), 1)).toBeNull()
  })
})
