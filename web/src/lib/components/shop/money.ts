/**
 * Amounts typed by people ("12,90", "1.234,50", "12.90", "2,5") into integer hundredths: euros
 * into cents, percent into basis points. No float ever touches the result.
 *
 * A comma is a decimal comma (German first). A lone dot is a decimal point when one or two
 * digits follow it ("12.90"), a thousands separator when three do ("1.290"). With both, the
 * last one is the decimal separator. More than two decimals, signs or letters: null.
 */
export function parseHundredths(text: string): number | null {
  const s = text.trim().replace(/[\s\u00a0€%]/g, '')
  if (!/^[0-9.,]+$/.test(s) || !/[0-9]/.test(s)) return null
  const lastComma = s.lastIndexOf(',')
  const lastDot = s.lastIndexOf('.')
  let decimal: ',' | '.' | null = null
  if (lastComma >= 0 && lastDot >= 0) decimal = lastComma > lastDot ? ',' : '.'
  else if (lastComma >= 0) decimal = ','
  else if (lastDot >= 0 && s.indexOf('.') === lastDot && s.length - lastDot - 1 <= 2) decimal = '.'
  const thousands = decimal === ',' ? '.' : ','
  let whole = s
  let fraction = ''
  if (decimal) {
    const at = s.lastIndexOf(decimal)
    whole = s.slice(0, at)
    fraction = s.slice(at + 1)
    if (fraction.includes(decimal) || whole.includes(decimal) || fraction.includes(thousands)) return null
  }
  if (fraction.length > 2) return null
  // Thousands separators must sit between groups of three ("1.234.567"), not anywhere.
  if (whole.includes(thousands) || (!decimal && whole.includes('.'))) {
    const sep = whole.includes(thousands) ? thousands : '.'
    if (!new RegExp(`^[0-9]{1,3}(\\${sep}[0-9]{3})+$`).test(whole)) return null
    whole = whole.split(sep).join('')
  }
  if (!/^[0-9]*$/.test(whole) || !/^[0-9]*$/.test(fraction) || (whole === '' && fraction === '')) return null
  const value = Number(whole || '0') * 100 + Number(fraction.padEnd(2, '0') || '0')
  return Number.isSafeInteger(value) ? value : null
}

/** Hundredths back into the form's text: 1290 → "12,90" (de) / "12.90" (en); whole numbers stay short for rates. */
export function hundredthsToText(value: number, lang: 'de' | 'en' = 'de', { trim = false } = {}): string {
  const whole = Math.trunc(value / 100)
  const fraction = String(Math.abs(value % 100)).padStart(2, '0')
  if (trim && fraction === '00') return String(whole)
  const short = trim ? fraction.replace(/0$/, '') : fraction
  return `${whole}${lang === 'de' ? ',' : '.'}${short}`
}

/** Basis points as a percentage: 1000 → "10 %" (de) / "10%" (en), 250 → "2,5 %". */
export function formatRate(bp: number, lang: 'de' | 'en' = 'de'): string {
  const number = new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB', { maximumFractionDigits: 2 }).format(bp / 100)
  return lang === 'de' ? `${number} %` : `${number}%`
}
