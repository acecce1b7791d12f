import { describe, expect, it } from 'vitest'
import { de } from './de.ts'
import { en } from './en.ts'

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('i18n catalogs', () => {
  it('has every German key in English, with the same placeholders and no empty text', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(de).sort())
    for (const [key, text] of Object.entries(de)) {
      const english = en[key as keyof typeof de]
      expect(text.trim(), key).not.toBe('')
      expect(english.trim(), key).not.toBe('')
      expect(placeholders(english), key).toEqual(placeholders(text))
    }
  })

  it('translates every API error code the forms can show', async () => {
    const { ERROR_STATUS } = await import('@vernetzt/shared/errors')
    const shown = ['VALIDATION_FAILED', 'INVALID_CREDENTIALS', 'HANDLE_TAKEN', 'EMAIL_TAKEN', 'HANDLE_INVALID', 'HANDLE_RESERVED', 'SPONSOR_NOT_FOUND', 'SPONSOR_NOT_PARTNER', 'RATE_LIMITED', 'UNSUPPORTED_MEDIA', 'PAYLOAD_TOO_LARGE', 'UNAUTHENTICATED', 'INTERNAL']
    for (const code of shown) {
      expect(Object.hasOwn(ERROR_STATUS, code), code).toBe(true)
      expect(Object.hasOwn(de, `errors.${code}`), code).toBe(true)
    }
  })
})
