import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { localPath, parseOrigin } from './urls.ts'

describe('parseOrigin', () => {
  it('accepts http and https origins and answers null for anything else, never throwing', () => {
    expect(parseOrigin('http://localhost:3000')).toEqual({ origin: 'http://localhost:3000', host: 'localhost:3000' })
    expect(parseOrigin('https://anna.vernetzt.de')).toEqual({ origin: 'https://anna.vernetzt.de', host: 'anna.vernetzt.de' })
    for (const bad of ['null', 'x', 'http://a.127.0.0.1:3000', 'javascript:alert(1)', 'file:///etc/passwd', '', undefined, null, 'http://[::1']) {
      expect(parseOrigin(bad), String(bad)).toBeNull()
    }
  })

  it('never throws, whatever the header holds', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseOrigin(s)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('localPath', () => {
  it('keeps paths on this site, with query and fragment', () => {
    expect(localPath('/messages/abc?x=1#m5')).toBe('/messages/abc?x=1#m5')
    expect(localPath('/')).toBe('/')
    // An encoded tab stays encoded: a harmless local path, not a way out.
    expect(localPath('/%09/evil.example')).toBe('/%09/evil.example')
  })

  it('refuses every way out of the site that browsers accept', () => {
    for (const bad of [
      '//evil.example/x',
      '/\\evil.example/x',
      '/\t/evil.example',
      '\\\\evil.example',
      'https://evil.example',
      'evil.example',
      '/\n/evil.example',
      ' //evil.example',
      'javascript:alert(1)',
      '',
      null,
      undefined,
      42,
    ]) {
      expect(localPath(bad), JSON.stringify(bad)).toBe('/')
    }
  })

  it('answers a same-origin path for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const path = localPath(s)
        const resolved = new URL(path, 'https://vernetzt.example')
        expect(resolved.origin).toBe('https://vernetzt.example')
        // What a browser does with the Location header: the same resolution, after dropping tabs and newlines.
        expect(new URL(path.replace(/[\t\n\r]/g, ''), 'https://vernetzt.example').origin).toBe('https://vernetzt.example')
      }),
      { numRuns: 3000 },
    )
  })
})
