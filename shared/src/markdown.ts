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

export function renderMarkdown(source: string): string {
  const html = marked.parse(source) as string
  return sanitizeHtml(html, SANITIZE)
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
