import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HANDLE_MAX, HANDLE_MIN, MENTIONS_MAX, RESERVED_HANDLES, checkHandle, extractMentions, normalizeHandle } from './handles.ts'

describe('handle rules', () => {
  it('accepts ordinary names', () => {
    for (const ok of ['anna', 'max-mustermann', 'team42', 'a1b', 'x'.repeat(30)]) expect(checkHandle(ok), ok).toBeNull()
  })

  it('explains what is wrong with a bad handle', () => {
    expect(checkHandle('ab')?.code).toBe('HANDLE_INVALID')
    expect(checkHandle('x'.repeat(31))?.code).toBe('HANDLE_INVALID')
    expect(checkHandle('-anna')?.reason).toMatch(/start or end/)
    expect(checkHandle('anna-')?.code).toBe('HANDLE_INVALID')
    expect(checkHandle('an_na')?.reason).toMatch(/a–z/)
    expect(checkHandle('änna')?.code).toBe('HANDLE_INVALID')
    expect(checkHandle('xn--nna-qla')?.code).toBe('HANDLE_INVALID')
    expect(checkHandle('www')).toEqual({ code: 'HANDLE_RESERVED', reason: 'is reserved' })
  })

  it('compares case-insensitively: upper case input is the same handle', () => {
    expect(normalizeHandle('  Anna ')).toBe('anna')
    expect(checkHandle('ANNA')).toBeNull()
    expect(checkHandle('WWW')?.code).toBe('HANDLE_RESERVED')
  })

  it('reserves the host names and routes the app uses itself', () => {
    for (const word of ['www', 'api', 'admin', 'app', 'mail', 'static', 'assets', 'socket', 'media']) {
      expect(RESERVED_HANDLES.has(word), word).toBe(true)
    }
  })

  it('every accepted handle is a valid DNS label and URL path segment', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_.Ä '.split('')), maxLength: 40 }), (s) => {
        if (checkHandle(s) !== null) return
        const h = normalizeHandle(s)
        expect(h.length).toBeGreaterThanOrEqual(HANDLE_MIN)
        expect(h.length).toBeLessThanOrEqual(HANDLE_MAX)
        expect(h).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/)
        expect(encodeURIComponent(h)).toBe(h)
        expect(new URL(`https://${h}.example.org/`).hostname).toBe(`${h}.example.org`)
      }),
    )
  })
})

describe('extractMentions', () => {
  it('finds @handles once each, lower-cased, in order', () => {
    expect(extractMentions('Hallo @Anna und @ben-k, danke @anna!')).toEqual(['anna', 'ben-k'])
    expect(extractMentions('@carla: bitte schauen')).toEqual(['carla'])
  })

  it('ignores e-mail addresses, code and over-long names', () => {
    expect(extractMentions('Schreib an info@firma.de oder `@anna` oder ```\n@ben\n```')).toEqual([])
    expect(extractMentions(`@${'a'.repeat(31)}`)).toEqual([])
  })

  it('stops at ten people so a message cannot page a whole team', () => {
    const text = Array.from({ length: 15 }, (_, i) => `@user${i}`).join(' ')
    expect(extractMentions(text)).toHaveLength(MENTIONS_MAX)
  })
})
