/** The ad detector's rules: German and English patterns of advertising, each with its weight (see ad-detector.ts). */
export type AdSignal = 'price' | 'currency' | 'discount' | 'discount_code' | 'call_to_action' | 'shop_link' | 'urgency' | 'contact_to_buy' | 'free_offer'

// Weights are per match; a signal counts with its strongest match. Every weight stays below
// AD_THRESHOLD so that one kind of evidence alone never labels a post as an ad.
export const W = {
  weak: 0.1,
  faint: 0.2,
  medium: 0.25,
  price: 0.35,
  /** "nur 29 €", "ab 9,99 €", "2 € pro Tag": the amount is being sold, not reported */
  salesPrice: 0.45,
  discount: 0.4,
  code: 0.45,
  cta: 0.45,
  softCta: 0.35,
  shopLink: 0.4,
  urgency: 0.3,
  contact: 0.45,
  free: 0.3,
} as const

/**
 * Beyond this many hits of one pattern neither the capped repeat bonus nor the first snippets can
 * change, so a pathological text ("€€€€…") need not be scanned to its end.
 */
export const MAX_HITS_PER_RULE = 50

// --- pattern building blocks (sources for `new RegExp(..., 'giu')`) ---------------------------

/** Word boundaries that, unlike \b, treat umlauts and ß as letters. */
const B = String.raw`(?<![\p{L}\p{N}])`

const E = String.raw`(?![\p{L}\p{N}])`

/** Gap between two words; bounded so adjacent gaps cannot multiply backtracking. */
const S = String.raw`\s{1,3}`

const OS = String.raw`\s{0,2}`

const AE = '(?:ä|ae)'

const UE = '(?:ü|ue)'

const SZ = '(?:ß|ss)'

/** 29,90 · 19.99 · 1.250 · 49,- ; repetitions are bounded, the leading lookbehind stops mid-number starts. */
const AMOUNT = String.raw`(?<![\p{N}.,])\d{1,7}(?:[.,'\u2009\u202f]\d{3}){0,3}(?:[.,](?:\d{1,2}|--?|–))?`

const CUR_PRE = String.raw`(?:€|\$|£|&euro;|${B}(?:eur|usd|chf|gbp))`

const CUR_POST = String.raw`(?:€|\$|£|&euro;|(?:euros?|eur|usd|chf|gbp|dollars?|franken|cents?)${E})`

const PRICE_CORE = String.raw`(?:${CUR_PRE}${OS}${AMOUNT}|${AMOUNT}${OS}${CUR_POST})`

const PERCENT = String.raw`(?<![\p{N}.,])\d{1,3}(?:[.,]\d{1,2})?${OS}(?:%|(?:prozent|percent|per${S}cent)${E})`

export interface Hit {
  signal: AdSignal
  weight: number
  start: number
  end: number
  /** URLs are already whole tokens and must not be widened into neighbouring words. */
  exact?: boolean
}

export interface Rule {
  signal: AdSignal
  re: RegExp
  /** A fixed weight, or a judgement of the match that returns 0 to reject it. */
  weight: number | ((m: RegExpExecArray, text: string) => number)
}

function rule(signal: AdSignal, weight: Rule['weight'], source: string): Rule {
  return { signal, weight, re: new RegExp(source, 'giu') }
}

export const RULES: readonly Rule[] = [
  // --- price ------------------------------------------------------------------------------
  rule(
    'price',
    (m) => (m.groups?.['qual'] !== undefined || m.groups?.['unit'] !== undefined ? W.salesPrice : W.price),
    String.raw`(?:(?<qual>${B}(?:ab|nur|only|just|from|f${UE}r${S}nur|for${S}(?:only|just)|statt|anstatt|instead${S}of|starting${S}at|jetzt${S}nur|now${S}only|zum${S}preis${S}von))${S})?` +
      PRICE_CORE +
      String.raw`(?:${OS}(?<unit>(?:(?:pro|per|je|a|im)${S}|/${OS})(?:tag|day|monat|month|woche|week|jahr|year|st${UE}ck|stk|piece|flasche|bottle|dose|can|portion|serving|person|kg|liter|mo)${E}))?`,
  ),

  // --- currency without an amount ------------------------------------------------------------
  // A hyphen compound ("Euro-Schein", "Euro-Zone") names a thing, not a price.
  rule('currency', W.weak, String.raw`(?:€|\$|£|&euro;|${B}(?:euros?|eur|usd|chf|gbp|dollars?)(?![\p{L}\p{N}-]))`),

  // --- discount -----------------------------------------------------------------------------
  // Compounds are common ("Sommerrabatt", "Geschenkgutschein"), hence no leading boundary.
  rule(
    'discount',
    W.discount,
    String.raw`(?:rabatt|gutschein|coupon|schn${AE}ppchen|sonderangebot|preisnachlass|preissenkung|preisreduziert|preis-?hammer|preiskracher)`,
  ),
  rule('discount', W.discount, String.raw`${B}(?:sonder|aktions|angebots|einf${UE}hrungs|vorzugs|kennenlern|rabatt|tiefst?|best)preis`),
  rule(
    'discount',
    W.discount,
    String.raw`${B}(?:sale|discount(?:ed|s)?|bargains?|clearance|ausverkauf|schlussverkauf|r${AE}umungsverkauf|black[\s-]?friday|cyber[\s-]?monday|(?:special|exclusive)${S}offers?)${E}`,
  ),
  rule(
    'discount',
    W.discount,
    String.raw`${PERCENT}${OS}(?:rabatt|off|nachlass|discount|erm${AE}${SZ}igung|reduziert|g${UE}nstiger|billiger|sparen|ersparnis|auf${S}(?:alles|alle|das${S}gesamte|den${S}gesamten|jede[ns]?|deine[nr]?|your|all|everything))${E}`,
  ),
  rule(
    'discount',
    W.discount,
    String.raw`${B}(?:spar(?:e|en|st|t)?|save|saving)(?:${S}(?:du|dir|ihr|euch|you|bis${S}zu|up${S}to|jetzt|now|extra|satte|${UE}ber|glatte)){0,3}${S}(?:${PERCENT}|${PRICE_CORE})`,
  ),
  rule(
    'discount',
    W.discount,
    String.raw`${B}(?:statt|anstatt|uvp|normalpreis|normalerweise|regul${AE}r|was|regularly|instead${S}of)${S}${PRICE_CORE}[\s,;–-]{1,4}(?:nur|jetzt|f${UE}r|now|only|just|heute|bei${S}mir)(?:${S}noch)?${S}${PRICE_CORE}`,
  ),
  rule('discount', W.discount, String.raw`~~${OS}${PRICE_CORE}${OS}~~`),
  rule('discount', W.discount, String.raw`${B}(?:\d${OS}f${UE}r${OS}\d|\d${OS}for${OS}\d|buy${S}one${S}get${S}one|bogo|\d${OS}\+${OS}\d${S}gratis)${E}`),
  rule('discount', W.discount, String.raw`${B}(?:stark|jetzt|alles|radikal|heute)${S}reduziert`),
  // A bare "-30 %" may be a sales figure; a bare "reduziert" may be about paper use.
  rule('discount', W.medium, String.raw`${B}[-–−]${OS}\d{1,2}${OS}%`),
  rule('discount', W.faint, String.raw`${B}reduziert`),
  rule('discount', W.medium, String.raw`${B}promo(?:tion)?${E}`),
  // "Angebot"/"Aktion" usually mean "range of offerings"/"campaign" in PR posts.
  rule('discount', W.weak, String.raw`${B}(?:angebot|aktion|offer|deal)(?:en|e|s)?${E}`),

  // --- discount code --------------------------------------------------------------------------
  rule(
    'discount_code',
    judgeCode,
    String.raw`(?:(?<prefix>gutschein|rabatt|promo|aktions|discount|coupon|voucher|spar)[\s-]?|(?<![\p{L}\p{N}-]))(?<kw>code)${E}[\s:=*_]{1,4}["'„“”‚‘’»«*_\x60]{0,2}(?<token>[\p{L}\p{N}][\p{L}\p{N}_-]{1,24})`,
  ),

  // --- call to action ---------------------------------------------------------------------------
  rule(
    'call_to_action',
    W.cta,
    String.raw`${B}jetzt(?:${S}(?:direkt|gleich|sofort|hier|online|schnell|bei${S}mir|einfach))?${S}(?:bestellen|kaufen|shoppen|ordern|vorbestellen|zuschlagen|zugreifen|sichern)${E}`,
  ),
  rule(
    'call_to_action',
    W.cta,
    String.raw`${B}hier(?:${S}(?:direkt|gleich|online|einfach))?${S}(?:bestellen|kaufen|shoppen|ordern|vorbestellen|erh${AE}ltlich)${E}`,
  ),
  rule(
    'call_to_action',
    W.cta,
    String.raw`${B}(?:bestell|kauf|shoppe?)(?:e|t|st)?${S}(?:jetzt|hier|bei${S}mir|bei${S}uns|gleich|direkt|noch${S}heute|online|sofort)${E}`,
  ),
  rule('call_to_action', W.cta, String.raw`${B}(?:(?:in${S}den|zum|ab${S}in${S}den)${S}warenkorb|zur${S}kasse)${E}`),
  rule('call_to_action', W.cta, String.raw`${B}(?:zum|in${S}meinem|in${S}unserem|zu${S}meinem|meinen|unseren)${S}(?:online-?|web)?shop${E}`),
  rule('call_to_action', W.cta, String.raw`${B}link${S}(?:in|im)${S}(?:der${S}|meiner${S}|my${S})?(?:bio|profil|profile)${E}`),
  rule('call_to_action', W.cta, String.raw`${B}greif(?:t)?${S}zu${E}`),
  rule('call_to_action', W.cta, String.raw`${B}(?:buy|order|shop|purchase)${S}(?:now|today|here|online|yours)${E}`),
  rule(
    'call_to_action',
    W.cta,
    String.raw`${B}(?:(?:get|grab|claim)${S}yours|(?:add|put)${S}(?:it${S})?to${S}(?:your${S})?(?:cart|basket|bag)|check${S}?out${S}now|(?:visit|check${S}out)${S}(?:my|our)${S}(?:online${S})?(?:shop|store))${E}`,
  ),
  // Also used to book a seat at a workshop, so it is only a soft call to action.
  rule('call_to_action', W.softCta, String.raw`${B}(?:sicher(?:e|t)?${S}(?:dir|euch)|sichern${S}sie${S}sich)${E}`),
  rule('call_to_action', W.softCta, String.raw`${B}jetzt${S}(?:im${S}shop${S}|online${S})?erh${AE}ltlich${E}`),

  // --- urgency --------------------------------------------------------------------------------
  rule(
    'urgency',
    W.urgency,
    String.raw`${B}nur${S}(?:noch|heute|morgen|bis|(?:diese[nrs]?|dieses)${S}(?:woche|wochenende|monat)|f${UE}r${S}kurze${S}zeit|solange|wenige)${E}`,
  ),
  rule('urgency', W.urgency, String.raw`${B}(?:solange|so${S}lange)${S}(?:der${S})?(?:vorrat${S}reicht|verf${UE}gbar)`),
  rule('urgency', W.urgency, String.raw`${B}(?:limitiert|limited)`),
  rule(
    'urgency',
    W.urgency,
    String.raw`${B}(?:(?:last|final)${S}chance|letzte${S}(?:chance|gelegenheit)|(?:today|tonight)${S}only|only${S}(?:today|tonight|this${S}(?:week|weekend|month))|this${S}(?:week|weekend|month)${S}only|only${S}\d{1,3}${S}(?:left|remaining))${E}`,
  ),
  rule('urgency', W.urgency, String.raw`${B}(?:endet|l${AE}uft)${S}(?:bald|heute|morgen|in${S}k${UE}rze|schon${S}bald)${E}`),
  rule('urgency', W.urgency, String.raw`${B}ends${S}(?:soon|today|tonight|tomorrow|at${S}midnight)${E}`),
  rule('urgency', W.urgency, String.raw`${B}while${S}(?:stocks?|supplies|supply)${S}lasts?${E}`),
  rule(
    'urgency',
    W.urgency,
    String.raw`${B}(?:hurry|beeil${S}dich|beeilt${S}euch|schnell${S}sein|don[’']?t${S}miss${S}out|nicht${S}verpassen|sold${S}out|almost${S}gone|fast${S}weg|restposten|ausverkauft)${E}`,
  ),

  // --- contact to buy ---------------------------------------------------------------------------
  // The gap is a bounded, sentence-local run before a purchase word, so it stays linear.
  rule(
    'contact_to_buy',
    W.contact,
    String.raw`${B}(?:schreib(?:e|t)?${S}(?:mir|uns)|meld(?:e|et)?${S}(?:dich|euch)(?:${S}bei${S}(?:mir|uns))?|kontaktier(?:e|t)?${S}(?:mich|uns))[^.!?\n]{0,50}?(?:bestell|kauf|preis|order)`,
  ),
  rule(
    'contact_to_buy',
    W.contact,
    String.raw`${B}(?:dm|pm|messag(?:e|es|ing)|text|contact|inbox|e-?mail|write(?:${S}to)?)${S}(?:me|us)[^.!?\n]{0,50}?(?:order|buy|purchase|pric(?:e|es|ing))`,
  ),
  rule(
    'contact_to_buy',
    W.contact,
    String.raw`${B}bei${S}interesse${S}(?:(?:gerne?|einfach|bitte)${S})?(?:(?:per${S})?(?:pn|pm|dm|whatsapp)|(?:private?${S})?nachricht|privatnachricht|direktnachricht)${E}`,
  ),
  rule(
    'contact_to_buy',
    W.contact,
    String.raw`${B}(?:preise?|price|prices|pricing)${S}(?:per|via|in|auf|on)${S}(?:pn|pm|dm|anfrage|request|whatsapp|nachricht)${E}`,
  ),
  rule('contact_to_buy', W.contact, String.raw`${B}(?:pn|pm|dm|inbox)${S}(?:f${UE}r|for)${S}(?:preise?|prices?|pricing|bestellungen?|orders?)${E}`),
  rule(
    'contact_to_buy',
    W.contact,
    String.raw`${B}bestell(?:ung(?:en)?|e|t|en)?${S}(?:(?:gerne?|einfach)${S})?(?:${UE}ber${S}mich|per${S}(?:pn|dm|whatsapp|nachricht)|bei${S}mir)${E}`,
  ),
  rule('contact_to_buy', W.contact, String.raw`${B}(?:order|buy)${S}(?:from|through|via)${S}me${E}`),

  // --- free offer -------------------------------------------------------------------------------
  rule(
    'free_offer',
    W.free,
    String.raw`${B}(?:gratis|kostenlose?[nrms]?|umsonst|free)${S}(?:[\p{L}\p{N}-]{1,30}${S})?(?:proben?|probepackung|probe-?set|muster|samples?|testpaket|testpackung|trial|versand|shipping|lieferung|delivery|geschenk|gift|zugabe)${E}`,
  ),
  rule('free_offer', W.free, String.raw`(?:versandkosten|porto|liefer|versand)frei`),
  rule('free_offer', W.free, String.raw`${B}gratis(?:probe|versand|muster|geschenk|zugabe)`),
  rule(
    'free_offer',
    W.free,
    String.raw`${B}(?:(?:proben?|muster|samples?)${S}(?:gratis|kostenlos|for${S}free|free)|(?:try|test)${S}(?:it${S})?(?:for${S})?free|(?:kostenlos|gratis)${S}(?:testen|probieren|ausprobieren)|(?:gratis|kostenlos|geschenkt|free)${S}(?:dazu|obendrauf|on${S}top))${E}`,
  ),
]

/**
 * "Code" is common outside shopping ("QR-Code", "Code of Conduct", "Code-Review"), so a bare
 * "Code X" only counts when X looks like a voucher or the phrasing is about redeeming it.
 */
const REDEEM_LEAD =
  /(?:mit\s{1,3}(?:dem|meinem|unserem)|use|using|enter|apply|gib\s{1,3}(?:den|meinen)|nutze\s{1,3}(?:den|meinen)|verwende\s{1,3}(?:den|meinen))\s{1,3}$/iu

const REDEEM_BENEFIT =
  /(?:spar|save|rabatt|discount|%|prozent|percent|off(?![\p{L}])|gratis|free|g(?:ü|ue)nstiger|bekommst|erh(?:ä|ae)ltst|get(?![\p{L}])|checkout|kasse)/iu

function judgeCode(m: RegExpExecArray, text: string): number {
  const groups = m.groups ?? {}
  if (groups['prefix'] !== undefined) return W.code
  const token = groups['token'] ?? ''
  const keyword = groups['kw'] ?? ''
  if (/\p{N}/u.test(token) && /\p{L}/u.test(token)) return W.code
  // An all-caps token is a voucher only when the sentence itself is not shouted.
  if (/^\p{Lu}{4,}$/u.test(token) && keyword !== keyword.toUpperCase()) return W.code
  // "mit dem Code von Anna" is about software; "mit dem Code sparst du 20 %" is a voucher.
  const start = m.index
  const before = text.slice(Math.max(0, start - 25), start)
  const tokenStart = start + m[0].length - token.length
  const after = text.slice(tokenStart, tokenStart + 50)
  if (REDEEM_LEAD.test(before) && REDEEM_BENEFIT.test(after)) return W.code
  return 0
}

const URL_RE = /(?:https?:\/\/|www\.)[^\s<>()[\]{}"'`]{1,2000}/giu

const SHOP_URL_RE =
  /(?<![a-z])(?:(?:web|online|my)?shop(?:s|ping|ify)?|(?:web|online)?stores?|checkout|cart|warenkorb|kasse|bestell[a-z]{0,10}|orders?|produkte?n?|products?|kaufen|buy|amzn|amazon)(?![a-z])/u

const AFFILIATE_URL_RE =
  /(?:[?&#](?:ref|aff|affid|aff_id|affiliate|affiliate_id|partner|partnerid|partner_id|tag|referral|refid|ref_id|sponsor|coupon|discount|promo)=|\/(?:ref|aff|affiliate)\/)/u

export function findShopLinks(text: string, hits: Hit[]): void {
  for (const m of text.matchAll(URL_RE)) {
    const url = m[0].replace(/[.,;:!?*_~]+$/u, '')
    const lower = url.toLowerCase()
    if (SHOP_URL_RE.test(lower) || AFFILIATE_URL_RE.test(lower)) {
      hits.push({ signal: 'shop_link', weight: W.shopLink, start: m.index, end: m.index + url.length, exact: true })
    }
  }
}
