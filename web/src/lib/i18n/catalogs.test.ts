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

  it('translates every API error code, in German and English', async () => {
    const { ERROR_STATUS } = await import('@vernetzt/shared/errors')
    for (const code of Object.keys(ERROR_STATUS)) {
      expect(Object.hasOwn(de, `errors.${code}`), code).toBe(true)
      expect(Object.hasOwn(en, `errors.${code}`), code).toBe(true)
    }
  })
})
