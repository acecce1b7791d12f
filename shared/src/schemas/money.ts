// Field schemas the commerce and ledger schemas share.
export const cents = { type: 'integer', minimum: 0, maximum: 100_000_000 } as const
export const objectId = { type: 'string', pattern: '^[0-9a-f]{24}$' } as const
/** Calendar months, "2026-11"; periods follow Europe/Berlin time. */
export const PERIOD_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])$'
