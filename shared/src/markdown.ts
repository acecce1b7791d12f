import { Marked } from 'marked'
import sanitizeHtml from 'sanitize-html'

/**
 * The one markdown renderer of Vernetzt: marked turns text into HTML, then an allow-list
 * sanitizer keeps only harmless tags and attributes. Server (at write time) and web (live
 * preview) both call this, so what a user previews is exactly what is stored.
 */
const marked = new Marked({ gfm: true, breaks: true, async: false })

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'hr',
    'strong',
    'b',
    'em',
    'i',
    's',
    'del',
    'code',
    'pre',
    'blockquote',
    'ul',
    'ol',
    'li',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'a',
    'img',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title'],
    th: ['align'],
    td: ['align'],
    ol: ['start'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['https'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Every link leaves with rel=noopener and never carries the referrer of a private page.
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer', target: '_blank' }),
  },
}
// transformTags adds attributes after filtering, so allow the two it sets.
SANITIZE.allowedAttributes = { ...SANITIZE.allowedAttributes, a: ['href', 'title', 'rel', 'target'] }

export const MARKDOWN_MAX = 20_000

/** The tags marked writes for markdown that the allow-list keeps exactly as they are: bare, without attributes. */
const BARE_TAGS = /<\/?(?:p|br|hr|strong|em|del|code|pre|blockquote|ul|ol|li|h[1-6]|table|thead|tbody|tr|th|td)>/g

export function renderMarkdown(source: string): string {
  const html = marked.parse(source) as string
  return bareHtml(source, html) ?? sanitizeHtml(html, SANITIZE)
}

/**
 * Without raw HTML or entities in the source, marked writes only well-formed tags of its own.
 * When every one is a bare allowed tag (no link, image, class or other attribute), the sanitizer
 * would keep them all and only respell quotes and void tags: done here directly, or null when
 * the sanitizer must run. The sanitizer was most of a chat message's rendering time; the unit
 * tests hold both paths equal.
 */
export function bareHtml(source: string, html = marked.parse(source) as string): string | null {
  if (/[<&]/.test(source) || html.replace(BARE_TAGS, '').includes('<')) return null
  return html
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/<(br|hr)>/g, '<$1 />')
}

/** Always through the sanitizer: what renderMarkdown's shortcut must equal (for the tests). */
export function renderMarkdownSanitized(source: string): string {
  return sanitizeHtml(marked.parse(source) as string, SANITIZE)
}

/** Sanitises HTML from any source with the same allow-list (used by tests and for stored HTML). */
export function sanitize(html: string): string {
  return sanitizeHtml(html, SANITIZE)
}

/**
 * Whether rendered HTML shows nothing: no text, no image, no rule. A text made only of what the
 * sanitizer removes (a script, an iframe, a style block) renders to this.
 */
export function isBlankHtml(html: string): boolean {
  if (/<(img|hr)\b/i.test(html)) return false
  return (
    html
      .replace(/<[^>]*>/g, '')
      .replace(/&nbsp;|&#160;/g, ' ')
      .trim() === ''
  )
}
