/**
 * The shape of a feature catalog. Each feature file holds German (`de`, the first language,
 * `as const satisfies Catalog`) and English (`en: Translation<typeof de>`) side by side, so a
 * key missing or extra in English, or a plural that is a plain text there, does not compile.
 */

/** The plural categories Intl.PluralRules answers with. */
export type PluralCategory = Intl.LDMLPluralRule

/**
 * One text in several forms, chosen by `params.n` through Intl.PluralRules:
 * `{ one: '1 Kommentar', other: '{n} Kommentare' }`. German and English need `one` and `other`;
 * the other categories are there for languages that use them.
 */
export type Plural = { readonly one: string; readonly other: string } & { readonly [C in Exclude<PluralCategory, 'one' | 'other'>]?: string }

export type Entry = string | Plural

export type Catalog = Readonly<Record<string, Entry>>

/** What another language gives for a German catalog: every key, a text where German has a text, forms where it has forms. */
export type Translation<T extends Catalog> = { readonly [K in keyof T]: T[K] extends string ? string : Plural }
