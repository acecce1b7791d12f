import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ERROR_STATUS } from './errors.ts'
import { LANGS, LOCALES, hasMessage, inBoth, pickLang, translate, type Catalog, type Entry, type Lang, type MessageKey } from './i18n.ts'

/** Every feature file in ./i18n/ (read from the folder, so one that is not joined in i18n.ts shows up). */
const features = await Promise.all(
  readdirSync(new URL('./i18n/', import.meta.url))
    .filter((file) => file.endsWith('.ts') && file !== 'catalog.ts')
    .map((file) => file.slice(0, -'.ts'.length))
    .map(async (file) => ({ file, ...((await import(`./i18n/${file}.ts`)) as Record<Lang, Catalog>) })),
)

const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort()
const forms = (entry: Entry): Record<string, string> => (typeof entry === 'string' ? { text: entry } : entry)

describe('i18n catalogs', () => {
  it('has feature files, each joined into the catalog, with no key in two of them', () => {
    expect(features.length).toBeGreaterThan(5)
    const owner = new Map<string, string>()
    for (const { file, de } of features) {
      for (const key of Object.keys(de)) {
        expect(owner.get(key), `${key} is in ${owner.get(key)} and ${file}`).toBeUndefined()
        owner.set(key, file)
        expect(hasMessage(key), `${file}: ${key} is not joined in i18n.ts`).toBe(true)
      }
    }
  })

  it('has every key in both languages, with the same kind of entry, the same placeholders and no empty text', () => {
    for (const { file, de, en } of features) {
      expect(Object.keys(en).sort(), file).toEqual(Object.keys(de).sort())
      for (const [key, german] of Object.entries(de)) {
        const english = en[key]!
        expect(typeof english, key).toBe(typeof german)
        const deForms = forms(german)
        const enForms = forms(english)
        for (const [form, text] of [...Object.entries(deForms), ...Object.entries(enForms)]) expect(text.trim(), `${key} (${form})`).not.toBe('')
        for (const form of Object.keys(deForms).filter((f) => f in enForms)) {
          expect(placeholders(enForms[form]!), `${key} (${form})`).toEqual(placeholders(deForms[form]!))
        }
      }
    }
  })

  it('gives every plural the forms Intl.PluralRules picks from, in German and in English', () => {
    for (const lang of LANGS) {
      const needed = new Intl.PluralRules(LOCALES[lang]).resolvedOptions().pluralCategories
      expect(needed, lang).toEqual(expect.arrayContaining(['one', 'other']))
      const allowed = new Set<string>(['zero', 'one', 'two', 'few', 'many', 'other'])
      for (const { [lang]: catalog } of features) {
        for (const [key, entry] of Object.entries(catalog)) {
          if (typeof entry === 'string') continue
          for (const category of needed) expect(entry[category], `${lang} ${key}: ${category}`).toBeTypeOf('string')
          for (const category of Object.keys(entry)) expect(allowed.has(category), `${lang} ${key}: ${category}`).toBe(true)
        }
      }
    }
  })

  it('translates every API error code, in German and English', () => {
    for (const code of Object.keys(ERROR_STATUS)) {
      const key = `errors.${code}`
      expect(hasMessage(key), code).toBe(true)
      for (const { de, en } of features) if (key in de) expect(Object.hasOwn(en, key), code).toBe(true)
    }
  })
})

describe('translate', () => {
  it('picks the plural form by n, in German and English', () => {
    expect([0, 1, 2].map((n) => translate('de', 'post.comments', { n }))).toEqual(['0 Kommentare', '1 Kommentar', '2 Kommentare'])
    expect([0, 1, 2].map((n) => translate('en', 'post.comments', { n }))).toEqual(['0 comments', '1 comment', '2 comments'])
  })

  it('takes the general form when n is not a number', () => {
    expect(translate('de', 'messages.unread', { n: '99+' })).toBe('99+ ungelesen')
    expect(translate('en', 'messages.unread', { n: '1' })).toBe('1 unread')
  })

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('de', 'landing.welcomeBack', { name: 'Anna' })).toBe('Willkommen zurück, Anna!')
    expect(translate('en', 'landing.welcomeBack')).toBe('Welcome back, {name}!')
  })

  it('falls back to German for a language it does not know, and to the key for a key it does not know', () => {
    expect(translate('fr' as Lang, 'nav.home')).toBe('Start')
    expect(translate('fr' as Lang, 'post.comments', { n: 1 })).toBe('1 Kommentar')
    expect(translate('en', 'nav.nowhere' as MessageKey)).toBe('nav.nowhere')
  })

  it('gives a text in both languages at once', () => {
    expect(inBoth('post.comments', { n: 3 })).toEqual({ de: '3 Kommentare', en: '3 comments' })
    expect(inBoth('nav.home')).toEqual({ de: 'Start', en: 'Home' })
  })
})

describe('pickLang', () => {
  it('takes the cookie, then the browser, then German', () => {
    expect(pickLang('en', 'de-DE')).toBe('en')
    expect(pickLang(undefined, 'fr-FR, en-US;q=0.8')).toBe('en')
    expect(pickLang('xx', 'fr-FR')).toBe('de')
    expect(pickLang(undefined, null)).toBe('de')
  })
})
