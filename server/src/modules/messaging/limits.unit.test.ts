import { describe, expect, it } from 'vitest'
import { AppError } from '@vernetzt/shared/errors'
import { SenderLimiter } from './limits.ts'

describe('SenderLimiter', () => {
  it('allows a burst of a quarter minute, then one per refill interval, per sender', () => {
    const limiter = new SenderLimiter(60, 'messages') // burst 15, one a second
    const t0 = 1_000_000
    for (let i = 0; i < 15; i++) limiter.take('anna', t0)
    expect(() => limiter.take('anna', t0)).toThrowError(AppError)
    limiter.take('ben', t0) // another sender has their own bucket
    limiter.take('anna', t0 + 1000) // one second refills one token
    try {
      limiter.take('anna', t0 + 1000)
      expect.unreachable()
    } catch (error) {
      expect((error as AppError).code).toBe('RATE_LIMITED')
      expect((error as AppError).details).toEqual({ retryAfter: 1 })
    }
  })

  it('never stores more than the burst however long the sender was quiet', () => {
    const limiter = new SenderLimiter(60, 'messages')
    limiter.take('anna', 0)
    const later = 3_600_000
    for (let i = 0; i < 15; i++) limiter.take('anna', later)
    expect(() => limiter.take('anna', later)).toThrowError(/too fast/)
  })
})
