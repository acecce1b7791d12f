import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AD_THRESHOLD, type AdSignal, scoreAd } from './ad-detector.ts'

interface AdExample {
  text: string
  signals: AdSignal[]
  snippet: string
}

const GERMAN_ADS: AdExample[] = [
  {
    text: 'Nur heute: 20 % Rabatt auf alle Aloe-Vera-Produkte! Jetzt bestellen: https://shop.example.de/aloe',
    signals: ['discount', 'call_to_action', 'shop_link', 'urgency'],
    snippet: 'Jetzt bestellen',
  },
  {
    text: 'Die neue Pflegeserie für nur 29,90 € – bestell jetzt bei mir!',
    signals: ['price', 'call_to_action'],
    snippet: '29,90 €',
  },
  {
    text: 'Mit dem Code SOMMER20 sparst du 20 %. Link in Bio.',
    signals: ['discount', 'discount_code', 'call_to_action'],
    snippet: 'SOMMER20',
  },
  {
    text: 'Solange der Vorrat reicht: Starter-Set statt 59 € nur 39 €!',
    signals: ['price', 'discount', 'urgency'],
    snippet: 'statt 59 € nur 39 €',
  },
  {
    text: 'Schreib mir für deine Bestellung, versandkostenfrei ab 50 €.',
    signals: ['price', 'contact_to_buy', 'free_offer'],
    snippet: 'versandkostenfrei',
  },
  // Own examples.
  {
    text: 'Neu im Sortiment: Kollagen-Drink, 30 Portionen für 49,90 € – hier bestellen: https://partner.example.de/produkt/kollagen?ref=anna',
    signals: ['price', 'call_to_action', 'shop_link'],
    snippet: 'hier bestellen',
  },
  {
    text: 'Black-Friday-Deal: 30 % auf alles mit dem Gutscheincode BF30 – greif zu!',
    signals: ['discount', 'discount_code', 'call_to_action'],
    snippet: 'Gutscheincode BF30',
  },
  {
    text: 'Unser Vitamin-Set kostet nur 2 € pro Tag. Bei Interesse PN!',
    signals: ['price', 'contact_to_buy'],
    snippet: 'nur 2 € pro Tag',
  },
  {
    text: 'Gratis Probe gefällig? Nur noch 5 Sets da – melde dich, wenn du bestellen willst.',
    signals: ['urgency', 'contact_to_buy', 'free_offer'],
    snippet: 'Gratis Probe',
  },
  {
    text: '## Sommer-Sale 🌞\n\n- Sommerrabatt auf alle Cremes\n- [Zum Shop](https://example.de/shop)\n\nAktion endet bald!',
    signals: ['discount', 'call_to_action', 'shop_link', 'urgency'],
    snippet: 'Sommerrabatt',
  },
]

const ENGLISH_ADS: AdExample[] = [
  {
    text: 'Buy now and save 30% – today only!',
    signals: ['discount', 'call_to_action', 'urgency'],
    snippet: 'Buy now',
  },
  {
    text: 'Use code SAVE15 at checkout: https://store.example.com/cart',
    signals: ['discount_code', 'shop_link'],
    snippet: 'https://store.example.com/cart',
  },
  {
    text: 'DM me to order, only $19.99 while stocks last',
    signals: ['price', 'urgency', 'contact_to_buy'],
    snippet: '$19.99',
  },
  {
    text: 'Free shipping on all orders this week only – shop now!',
    signals: ['call_to_action', 'urgency', 'free_offer'],
    snippet: 'Free shipping',
  },
  // Own examples.
  {
    text: 'Only 3 left! Grab yours now for just $24.99: https://example.com/products/serum?aff=42',
    signals: ['price', 'call_to_action', 'shop_link', 'urgency'],
    snippet: 'Grab yours',
  },
  {
    text: 'Get 15% off your first order with promo code WELCOME15',
    signals: ['discount', 'discount_code'],
    snippet: 'WELCOME15',
  },
  {
    text: 'Try it for free – free samples for everyone who messages me to order this week!',
    signals: ['contact_to_buy', 'free_offer'],
    snippet: 'free samples',
  },
  {
    text: 'Our protein shake is just 29.90 EUR per month. Add it to your cart before it is sold out!',
    signals: ['price', 'call_to_action', 'urgency'],
    snippet: '29.90 EUR per month',
  },
]

const GERMAN_PR = [
  'Wir haben den Preis für das beste Team 2026 gewonnen! Danke an alle.',
  'Heute Schulung im Team: wie man Kunden ehrlich berät. Wer ist dabei?',
  'Unsere Aktion im Kindergarten war ein voller Erfolg – 40 Kinder haben mitgemacht.',
  'Das Angebot an Workshops im Herbst ist groß – hier unser Kalender: https://example.org/kalender',
  'Der Kurs kostet nichts, komm einfach vorbei.',
  'Ich habe 5 kg abgenommen und fühle mich super.',
  'Meine Tochter hat heute ihren Euro-Schein für die Spardose bekommen.',
  '# Teammeeting März\n\n## Agenda\n\n- Rückblick auf Q1\n- Neue Partner begrüßen\n- **Schulungsplan** für April\n\n1. Anna stellt die Onboarding-Checkliste vor\n2. Fragen & Antworten\n\nBis Donnerstag um 19 Uhr!',
  // Own examples.
  'Beim Spendenlauf kamen 1.250 € für das Kinderhospiz zusammen – danke!',
  'Heute haben wir im Team über Code-Reviews und QR-Codes gesprochen.',
  'Tolle Aktion! Das Angebot der Stadt für Familien ist super.',
  'Wir haben den Papierverbrauch reduziert und brauchen nur noch halb so viel.',
  'Sichere dir deinen Platz im Webinar am Donnerstag!',
  'Danke für 20 Prozent mehr Teilnehmer als letztes Jahr!',
  'Mit dem Code von Anna haben wir unsere Team-App gebaut.',
]

const ENGLISH_PR = [
  "I learned so much at today's training. Order and structure matter in a team!",
  'Our team won the 2026 award for best onboarding.',
  // Own examples.
  'Our workshop schedule is online: https://example.org/workshops',
  'We reduced our paper use by half this year – great teamwork!',
  'Please read our Code of Conduct before the meetup: https://example.org/code-of-conduct',
  'We raised $500 for the local animal shelter. Thank you all!',
  'The offer to mentor new partners still stands – just ask in the group.',
]

describe('scoreAd', () => {
  describe('German ads', () => {
    it.each(GERMAN_ADS)('flags "$text"', ({ text, signals, snippet }) => {
      const result = scoreAd(text)
      expect(result.likelyAd).toBe(true)
      expect(result.score).toBeGreaterThanOrEqual(AD_THRESHOLD)
      expect(result.signals).toEqual(expect.arrayContaining(signals))
      expect(
        result.matches.some((m) => m.includes(snippet)),
        result.matches.join(' | '),
      ).toBe(true)
    })
  })

  describe('English ads', () => {
    it.each(ENGLISH_ADS)('flags "$text"', ({ text, signals, snippet }) => {
      const result = scoreAd(text)
      expect(result.likelyAd).toBe(true)
      expect(result.score).toBeGreaterThanOrEqual(AD_THRESHOLD)
      expect(result.signals).toEqual(expect.arrayContaining(signals))
      expect(
        result.matches.some((m) => m.includes(snippet)),
        result.matches.join(' | '),
      ).toBe(true)
    })
  })

  describe('German PR posts', () => {
    it.each(GERMAN_PR)('keeps "%s" below the threshold', (text) => {
      const result = scoreAd(text)
      expect(result.likelyAd).toBe(false)
      expect(result.score).toBeLessThan(AD_THRESHOLD)
    })
  })

  describe('English PR posts', () => {
    it.each(ENGLISH_PR)('keeps "%s" below the threshold', (text) => {
      const result = scoreAd(text)
      expect(result.likelyAd).toBe(false)
      expect(result.score).toBeLessThan(AD_THRESHOLD)
    })
  })

  it('flags a German price with a call to action', () => {
    const result = scoreAd('Die neue Pflegeserie für nur 29,90 € – bestell jetzt bei mir!')
    expect(result.signals).toEqual(['price', 'call_to_action'])
    expect(result.matches).toContain('bestell jetzt')
  })

  it('finds the discount code in the SOMMER20 post', () => {
    const result = scoreAd('Mit dem Code SOMMER20 sparst du 20 %. Link in Bio.')
    expect(result.signals).toContain('discount_code')
    expect(result.matches).toContain('Code SOMMER20')
    expect(result.matches).toContain('Link in Bio')
  })

  it('recognises a code introduced by "mit dem Code" even without digits', () => {
    expect(scoreAd('Mit dem Code sparst du 15 % auf alles.').signals).toContain('discount_code')
  })

  it('does not read QR codes, source code or a code of conduct as a discount code', () => {
    for (const text of [
      'Scan den QR-Code am Eingang.',
      'Please read the Code of Conduct.',
      'Mit dem Code von Anna haben wir die App gebaut.',
      'CODE REVIEW am Freitag',
    ]) {
      expect(scoreAd(text).signals, text).not.toContain('discount_code')
    }
  })

  it.each([['29,90 €'], ['€ 29.90'], ['EUR 49'], ['49 Euro'], ['$19.99'], ['19.99 USD'], ['CHF 30'], ['ab 9,99 €'], ['nur 2 € pro Tag'], ['49,- €']])(
    'recognises the price %s',
    (price) => {
      const result = scoreAd(`Das Set: ${price}`)
      expect(result.signals).toContain('price')
      expect(result.matches.some((m) => m.includes(price))).toBe(true)
    },
  )

  it('counts the currency of a price as part of the price, not as a second signal', () => {
    expect(scoreAd('Kostet 29,90 €').signals).toEqual(['price'])
    expect(scoreAd('Alles in Euro abgerechnet').signals).toEqual(['currency'])
  })

  it('does not treat numbers without a currency as prices', () => {
    expect(scoreAd('2026 waren wir 40 Leute, 5 kg leichter und 100 % motiviert.').signals).not.toContain('price')
  })

  it.each([
    ['Angebot'],
    ['Aktion'],
    ['Preis'],
    ['29 €'],
    ['Unser Angebot im Herbst'],
    ['Tolle Aktion, tolles Angebot, noch eine Aktion und ein Angebot!'],
    ['Wir sammelten 100 €, dann 200 €, dann 300 € und am Ende 1.000 € für die Tafel.'],
    ['Jetzt bestellen! Jetzt kaufen! Hier bestellen! Buy now!'],
  ])('never reaches the threshold with one kind of signal: %s', (text) => {
    const result = scoreAd(text)
    expect(result.signals.length).toBeLessThanOrEqual(1)
    expect(result.likelyAd).toBe(false)
  })

  it('scores an empty or blank text as 0 with no signals', () => {
    expect(scoreAd('')).toEqual({ score: 0, likelyAd: false, signals: [], matches: [] })
    expect(scoreAd('   \n\t ')).toEqual({ score: 0, likelyAd: false, signals: [], matches: [] })
  })

  it('keeps every score within [0, 1] and rounded to two decimals', () => {
    const all = [...GERMAN_ADS.map((a) => a.text), ...ENGLISH_ADS.map((a) => a.text), ...GERMAN_PR, ...ENGLISH_PR]
    for (const text of all) {
      const { score, likelyAd } = scoreAd(text)
      expect(score).toBeGreaterThanOrEqual(0)
      expect(score).toBeLessThanOrEqual(1)
      expect(Math.round(score * 100) / 100).toBe(score)
      expect(likelyAd).toBe(score >= AD_THRESHOLD)
    }
  })

  it('caps the combined score at 1 for an ad that uses every trick', () => {
    const text = GERMAN_ADS.map((a) => a.text).join('\n') + '\n' + ENGLISH_ADS.map((a) => a.text).join('\n')
    expect(scoreAd(text).score).toBe(1)
  })

  it('never lowers the score when an ad sentence is appended to a PR text', () => {
    for (const pr of [...GERMAN_PR, ...ENGLISH_PR]) {
      const before = scoreAd(pr).score
      for (const ad of [...GERMAN_ADS, ...ENGLISH_ADS]) {
        const combined = scoreAd(`${pr}\n\n${ad.text}`)
        expect(combined.score, `${pr} + ${ad.text}`).toBeGreaterThanOrEqual(before)
        expect(combined.score, `${pr} + ${ad.text}`).toBeGreaterThanOrEqual(scoreAd(ad.text).score)
        expect(combined.likelyAd).toBe(true)
      }
    }
  })

  it('gives repeated evidence a small bonus only on top of two independent signals', () => {
    const once = scoreAd('Nur 9,99 € – jetzt bestellen!').score
    const thrice = scoreAd('Nur 9,99 € – jetzt bestellen! Oder 19,99 € – hier bestellen! Oder 29,99 € – bestell jetzt!').score
    expect(thrice).toBeGreaterThan(once)
    expect(thrice - once).toBeLessThanOrEqual(0.1 + 1e-9)
  })

  it('handles a 20,000-character input', () => {
    const base = [...GERMAN_PR, ...ENGLISH_ADS.map((a) => a.text)].join('\n\n')
    const text = base.repeat(Math.ceil(20_000 / base.length)).slice(0, 20_000)
    expect(text).toHaveLength(20_000)
    const result = scoreAd(text)
    expect(result.likelyAd).toBe(true)
    expect(result.matches.length).toBeLessThanOrEqual(10)
  })

  it('handles 20,000 characters of inputs built to provoke regex backtracking', () => {
    for (const unit of ['a', '1.', '1 ', '€', ' ', 'statt 5 € ', 'schreib mir ', 'free ', 'code ', '~~', 'spar du du ']) {
      const result = scoreAd(unit.repeat(Math.ceil(20_000 / unit.length)))
      expect(result.score).toBeGreaterThanOrEqual(0)
      expect(result.score).toBeLessThanOrEqual(1)
    }
  })

  it.each([
    ['JETZT BESTELLEN', 'call_to_action'],
    ['Jetzt Bestellen', 'call_to_action'],
    ['jetzt bestellen', 'call_to_action'],
    ['Rabatt', 'discount'],
    ['rabatt', 'discount'],
    ['RABATT', 'discount'],
    ['SCHNÄPPCHEN', 'discount'],
    ['Schnaeppchen', 'discount'],
    ['Schna\u0308ppchen', 'discount'],
    ['VERSANDKOSTENFREI', 'free_offer'],
    ['Gratis Probe', 'free_offer'],
    ['BUY NOW', 'call_to_action'],
    ['Solange der Vorrat reicht', 'urgency'],
    ['Bei Interesse PN', 'contact_to_buy'],
    ['schreib mir für eine Bestellung', 'contact_to_buy'],
    ['FÜR NUR 9,99 €', 'price'],
    ['fuer nur 9,99 EUR', 'price'],
  ] as const)('detects "%s" regardless of case and umlaut spelling', (text, signal) => {
    expect(scoreAd(`Hallo! ${text}`).signals).toContain(signal)
  })

  it('highlights whole compound words', () => {
    expect(scoreAd('Der Sommerrabatt gilt bis Sonntag.').matches).toContain('Sommerrabatt')
  })

  it('recognises shop and affiliate links, also inside markdown links', () => {
    expect(scoreAd('[Hier geht es lang](https://example.com/checkout)').signals).toContain('shop_link')
    expect(scoreAd('Schau mal: https://example.com/tee?ref=anna42').signals).toContain('shop_link')
    expect(scoreAd('www.example.de/produkte/aloe').signals).toContain('shop_link')
    expect(scoreAd('[Zum Shop](https://example.com/warenkorb)').signals).toEqual(['call_to_action', 'shop_link'])
  })

  it('does not mistake workshops or borders in a URL for a shop', () => {
    expect(scoreAd('https://example.org/workshops').signals).toEqual([])
    expect(scoreAd('https://example.org/border-collie-treffen').signals).toEqual([])
  })

  it('lists distinct signals in a stable order', () => {
    const result = scoreAd('Link in Bio! Rabatt 20 % off, nur heute, 9,99 € – Code ANNA10 https://shop.example.com')
    const order: AdSignal[] = ['price', 'currency', 'discount', 'discount_code', 'call_to_action', 'shop_link', 'urgency', 'contact_to_buy', 'free_offer']
    expect(result.signals).toEqual(order.filter((s) => result.signals.includes(s)))
    expect(new Set(result.signals).size).toBe(result.signals.length)
  })

  it('returns at most 10 snippets of at most 60 characters, in text order', () => {
    const longUrl = `https://shop.example.com/${'a'.repeat(120)}`
    const text = `${longUrl}\n` + [...GERMAN_ADS, ...ENGLISH_ADS].map((a) => a.text).join('\n')
    const { matches } = scoreAd(text)
    expect(matches).toHaveLength(10)
    for (const m of matches) expect(m.length).toBeLessThanOrEqual(60)
    expect(matches[0]).toBe(longUrl.slice(0, 60))
    const positions = matches.map((m) => text.indexOf(m))
    expect(positions).toEqual([...positions].sort((a, b) => a - b))
  })

  it('keeps its invariants for arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const { score, likelyAd, signals, matches } = scoreAd(text)
        expect(score).toBeGreaterThanOrEqual(0)
        expect(score).toBeLessThanOrEqual(1)
        expect(likelyAd).toBe(score >= AD_THRESHOLD)
        expect(new Set(signals).size).toBe(signals.length)
        expect(matches.length).toBeLessThanOrEqual(10)
        for (const m of matches) expect(m.length).toBeLessThanOrEqual(60)
      }),
    )
  })
})
