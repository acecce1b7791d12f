import { describe, expect, it } from 'vitest'
import { LocalCache, etagOf, type CachedAnswer } from './store.ts'

const answer = (text: string, tags: string[], storedAt = 0): CachedAnswer => {
  const body = Buffer.from(text)
  return { status: 200, headers: { 'content-type': 'text/html' }, body, etag: etagOf(body), tags, storedAt, expiresAt: storedAt + 30_000 }
}

describe('the in-process public cache', () => {
  it('drops the least recently used answers first, by count and by bytes', () => {
    let now = 0
    const cache = new LocalCache({ entries: 2, bytes: 1_000, ttlMs: 30_000 }, () => now)
    cache.set('a', answer('A', []))
    cache.set('b', answer('B', []))
    expect(cache.get('a')?.body.toString()).toBe('A') // a is now the most recent
    cache.set('c', answer('C', []))
    expect(cache.get('b')).toBeNull()
    expect(cache.get('a')).not.toBeNull()
    cache.set('big', answer('x'.repeat(120), []))
    cache.set('big2', answer('y'.repeat(120), []))
    expect(cache.size.bytes).toBeLessThanOrEqual(1_000)
    expect(cache.size.entries).toBe(2)
    now = 30_000
    expect(cache.get('big2')).toBeNull() // expired
  })

  it('forgets every answer with a tag, and refuses a render that started before the invalidation', () => {
    let now = 1_000
    const cache = new LocalCache({ entries: 10, bytes: 10_000, ttlMs: 30_000 }, () => now)
    cache.set('profile', answer('P', ['profile:anna']))
    cache.set('group', answer('G', ['group:team', 'profile:anna']))
    cache.set('other', answer('O', ['profile:bert']))
    cache.forget(['profile:anna'])
    expect(cache.get('profile')).toBeNull()
    expect(cache.get('group')).toBeNull()
    expect(cache.get('other')).not.toBeNull()
    expect(cache.current(['profile:anna'], 999)).toBe(false) // rendered before the edit
    now = 1_001
    expect(cache.current(['profile:anna'], 1_001)).toBe(true)
    now = 40_000
    cache.forget(['profile:bert'])
    expect(cache.current(['profile:anna'], 999)).toBe(true) // anything that old has expired anyway
  })

  it('gives the same body the same ETag and another body another', () => {
    expect(etagOf(Buffer.from('x'))).toBe(etagOf(Buffer.from('x')))
    expect(etagOf(Buffer.from('x'))).not.toBe(etagOf(Buffer.from('y')))
  })
})
