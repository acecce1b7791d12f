import { describe, expect, it } from 'vitest'
import { formatRate, hundredthsToText, parseHundredths } from './money.ts'

describe('parseHundredths (euros → cents, percent → basis points)', () => {
  it('reads German amounts with a decimal comma and thousands dots', () => {
    expect(parseHundredths('12,90')).toBe(1290)
    expect(parseHundredths('12,9')).toBe(1290)
    expect(parseHundredths('0,05')).toBe(5)
    expect(parseHundredths('1.234,50')).toBe(123_450)
    expect(parseHundredths('1.290')).toBe(129_000)
    expect(parseHundredths(' 100 € ')).toBe(10_000)
    expect(parseHundredths('2,5 %')).toBe(250)
  })

  it('reads English amounts with a decimal point', () => {
    expect(parseHundredths('12.90')).toBe(1290)
    expect(parseHundredths('12.9')).toBe(1290)
    expect(parseHundredths('1,234.50')).toBe(123_450)
    expect(parseHundredths('10')).toBe(1000)
  })

  it('refuses what is not an amount rather than guessing', () => {
    for (const bad of ['', 'abc', '-5', '12,999', '1,2,3', '12.3.4', '1.23,4.5', '12,90,', ',', '1.2345', '1e3']) {
      expect(parseHundredths(bad), bad).toBeNull()
    }
  })

  it('round-trips with hundredthsToText in both languages', () => {
    for (const cents of [0, 5, 90, 1290, 100_000, 123_456]) {
      expect(parseHundredths(hundredthsToText(cents, 'de'))).toBe(cents)
      expect(parseHundredths(hundredthsToText(cents, 'en'))).toBe(cents)
      expect(parseHundredths(hundredthsToText(cents, 'de', { trim: true }))).toBe(cents)
    }
    expect(hundredthsToText(1000, 'de', { trim: true })).toBe('10')
    expect(hundredthsToText(250, 'de', { trim: true })).toBe('2,5')
    expect(hundredthsToText(1290, 'de')).toBe('12,90')
  })
})

describe('formatRate', () => {
  it('shows basis points as a percentage', () => {
    expect(formatRate(1000)).toBe('10 %')
    expect(formatRate(250)).toBe('2,5 %')
    expect(formatRate(25, 'en')).toBe('0.25%')
  })
})
