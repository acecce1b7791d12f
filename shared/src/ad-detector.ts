/**
 * Heuristic advertising score for a post. Every post is flagged PR ("Öffentlichkeitsarbeit")
 * or ad ("Werbung"), and ads belong only in dedicated areas; the composer uses this score to
 * warn an author whose "PR" post reads like an ad, and the server stores it for moderation.
 *
 * It is deliberately conservative: no single kind of signal can reach the threshold on its own,
 * however often it repeats, because a lone price, "Angebot" or "Aktion" is everyday language in
 * a community of sellers. Only corroborating signals (price + call to action, code + discount …)
 * make a post a likely ad.
 *
 * Every pattern is linear: quantifiers are bounded or separated by literals, so there is no
 * nested repetition over overlapping character classes that could backtrack catastrophically.
 */

import { MAX_HITS_PER_RULE, RULES, W, findShopLinks, type AdSignal, type Hit } from './ad-rules.ts'

export type { AdSignal }

export interface AdScore {
  /** 0..1, rounded to two decimals */
  score: number
  /** true when score >= AD_THRESHOLD */
  likelyAd: boolean
  /** distinct signals found, in a stable order */
  signals: AdSignal[]
  /** the matched snippets (max 10, each at most 60 chars), so the UI can highlight them */
  matches: string[]
}

export const AD_THRESHOLD = 0.5

const SIGNAL_ORDER: readonly AdSignal[] = [
  'price',
  'currency',
  'discount',
  'discount_code',
  'call_to_action',
  'shop_link',
  'urgency',
  'contact_to_buy',
  'free_offer',
]

/** Repeats only reinforce a post that already has two independent non-weak signals. */
const REPEAT_BONUS = 0.03

const REPEAT_BONUS_CAP = 0.1

const STRONG_SIGNAL_MIN = W.medium

const MAX_MATCHES = 10

const MAX_SNIPPET = 60

/** How far a snippet may grow to cover the rest of a compound word ("Sommer|rabatt"). */
const MAX_WORD_EXPANSION = 30

const WORD_CHAR = /[\p{L}\p{N}]/u

/** Widen a hit to whole words so "Sommerrabatt" is highlighted, not just "rabatt". */
function widen(text: string, hit: Hit): [number, number] {
  let start = hit.start
  let end = hit.end
  if (!hit.exact) {
    const minStart = Math.max(0, start - MAX_WORD_EXPANSION)
    while (start > minStart && WORD_CHAR.test(text.charAt(start - 1))) start--
    const maxEnd = Math.min(text.length, end + MAX_WORD_EXPANSION)
    while (end < maxEnd && WORD_CHAR.test(text.charAt(end))) end++
  }
  return [start, end]
}

/**
 * Snippets in text order; a span inside another one ("promo" in "promo code X") adds nothing to
 * highlight, so only the outermost spans are kept.
 */
function snippets(text: string, evidence: readonly Hit[]): string[] {
  const spans = evidence.map((h) => widen(text, h)).sort((a, b) => a[0] - b[0] || b[1] - a[1])
  const out: string[] = []
  let coveredTo = -1
  for (const [start, end] of spans) {
    if (out.length >= MAX_MATCHES) break
    if (end <= coveredTo) continue
    coveredTo = end
    const s = text.slice(start, end).trim().slice(0, MAX_SNIPPET).trimEnd()
    if (s !== '' && !out.includes(s)) out.push(s)
  }
  return out
}

/** Overlapping hits of one signal are one piece of evidence, not a repeat. */
function mergeOverlaps(hits: Hit[]): Hit[] {
  const sorted = [...hits].sort((a, b) => a.start - b.start || b.end - a.end)
  const merged: Hit[] = []
  for (const hit of sorted) {
    const last = merged.at(-1)
    if (last !== undefined && last.signal === hit.signal && hit.start < last.end) {
      last.end = Math.max(last.end, hit.end)
      last.weight = Math.max(last.weight, hit.weight)
      last.exact = last.exact === true && hit.exact === true
    } else {
      merged.push({ ...hit })
    }
  }
  return merged
}

export function scoreAd(input: string): AdScore {
  // Decomposed umlauts (a + U+0308) would otherwise slip past the patterns.
  const text = input.normalize('NFC')
  const raw: Hit[] = []
  for (const r of RULES) {
    let kept = 0
    let top = 0
    for (const m of text.matchAll(r.re)) {
      const weight = typeof r.weight === 'number' ? r.weight : r.weight(m, text)
      if (weight <= 0 || m[0].length === 0) continue
      if (kept >= MAX_HITS_PER_RULE) {
        // Past the cap only a stronger match could still change the score.
        if (typeof r.weight === 'number') break
        if (weight <= top) continue
      }
      kept++
      top = Math.max(top, weight)
      raw.push({ signal: r.signal, weight, start: m.index, end: m.index + m[0].length })
    }
  }
  findShopLinks(text, raw)

  // The currency of a detected price is already part of that price. A coverage map keeps this
  // linear even for a text made of thousands of prices and currency signs.
  const priced = new Uint8Array(text.length)
  for (const h of raw) if (h.signal === 'price') priced.fill(1, h.start, h.end)
  const hits = raw.filter((h) => h.signal !== 'currency' || !priced.subarray(h.start, h.end).includes(1))

  const perSignal = new Map<AdSignal, Hit[]>()
  for (const hit of hits) {
    const list = perSignal.get(hit.signal)
    if (list) list.push(hit)
    else perSignal.set(hit.signal, [hit])
  }

  const evidence: Hit[] = []
  const best = new Map<AdSignal, number>()
  for (const [signal, list] of perSignal) {
    const merged = mergeOverlaps(list)
    evidence.push(...merged)
    best.set(
      signal,
      merged.reduce((max, h) => Math.max(max, h.weight), 0),
    )
  }

  let miss = 1
  let strong = 0
  for (const weight of best.values()) {
    miss *= 1 - weight
    if (weight >= STRONG_SIGNAL_MIN) strong++
  }
  const repeats = evidence.length - best.size
  const bonus = strong >= 2 ? Math.min(REPEAT_BONUS_CAP, REPEAT_BONUS * repeats) : 0
  const score = Math.round(Math.min(1, 1 - miss + bonus) * 100) / 100

  const matches = snippets(text, evidence)

  return {
    score,
    likelyAd: score >= AD_THRESHOLD,
    signals: SIGNAL_ORDER.filter((s) => best.has(s)),
    matches,
  }
}
