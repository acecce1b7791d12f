// Every mail's shape: a greeting, paragraphs, at most one button, a sign-off and a footer that
// says why it came. Text and HTML from the same parts, the HTML's styles inlined by juice (mail
// programs drop <style> blocks or parts of them).
import juice from 'juice'
import { translate, type Lang } from '@vernetzt/shared/i18n'

export interface MailParts {
  subject: string
  /** The recipient's name for the greeting; none: no greeting. */
  name?: string
  paragraphs: string[]
  /** Headed lists after the paragraphs (a digest's recruits, lessons, posts); an item may link. */
  sections?: Array<{ heading: string; items: Array<{ text: string; url?: string }> }>
  action?: { label: string; url: string }
  /** Lines after the button (how long a link works, what to do if it was not you). */
  after?: string[]
  /** Non-essential mail: a footer link to switch this kind off (and the List-Unsubscribe header). */
  unsubscribe?: { label: string; url: string }
}

export interface RenderedMail {
  subject: string
  text: string
  html: string
}

const STYLE = `
body { margin: 0; padding: 0; background: #f4f1ec; }
.outer { width: 100%; background: #f4f1ec; padding: 24px 0; }
.card { max-width: 560px; margin: 0 auto; background: #ffffff; border-radius: 12px; padding: 32px; font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; font-size: 16px; line-height: 1.5; color: #1f2933; }
.brand { font-size: 14px; font-weight: 700; letter-spacing: .04em; color: #0f766e; margin: 0 0 24px; }
p { margin: 0 0 16px; }
h2 { font-size: 17px; margin: 24px 0 8px; color: #1f2933; }
ul { margin: 0 0 16px; padding-left: 20px; }
li { margin: 0 0 6px; }
li a { color: #0f766e; }
.button { display: inline-block; background: #0f766e; color: #ffffff; text-decoration: none; font-weight: 600; padding: 12px 22px; border-radius: 8px; }
.fallback { font-size: 13px; color: #52606d; word-break: break-all; }
.fallback a { color: #0f766e; }
.footer { max-width: 560px; margin: 16px auto 0; font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; font-size: 12px; line-height: 1.5; color: #7b8794; text-align: center; }
.footer a { color: #52606d; }
`

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

function section(s: NonNullable<MailParts['sections']>[number]): string {
  const item = (i: (typeof s.items)[number]) => `<li>${i.url ? `<a href="${escape(i.url)}">${escape(i.text)}</a>` : escape(i.text)}</li>`
  return `<h2>${escape(s.heading)}</h2>\n<ul>${s.items.map(item).join('')}</ul>`
}

/** The mail in `lang`: `site` is the company's name as the footer and sign-off say it. */
export function renderMail(lang: Lang, site: string, parts: MailParts): RenderedMail {
  const greeting = parts.name ? translate(lang, 'mail.greeting', { name: parts.name }) : null
  const signature = translate(lang, 'mail.signature', { site })
  const why = translate(lang, 'mail.why', { site })

  const text = [
    ...(greeting ? [greeting] : []),
    ...parts.paragraphs,
    ...(parts.sections ?? []).map((s) => [s.heading, ...s.items.map((i) => `- ${i.text}${i.url ? `\n  ${i.url}` : ''}`)].join('\n')),
    ...(parts.action ? [`${parts.action.label}:\n${parts.action.url}`] : []),
    ...(parts.after ?? []),
    signature,
    '-- ',
    why + (parts.unsubscribe ? `\n${parts.unsubscribe.label}: ${parts.unsubscribe.url}` : ''),
  ].join('\n\n')

  const button = parts.action
    ? `<p><a class="button" href="${escape(parts.action.url)}">${escape(parts.action.label)}</a></p>
<p class="fallback">${escape(translate(lang, 'mail.linkFallback'))}<br><a href="${escape(parts.action.url)}">${escape(parts.action.url)}</a></p>`
    : ''
  const html = `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(parts.subject)}</title><style>${STYLE}</style></head>
<body>
<div class="outer">
<div class="card">
<p class="brand">${escape(site)}</p>
${greeting ? `<p>${escape(greeting)}</p>` : ''}
${parts.paragraphs.map((p) => `<p>${escape(p)}</p>`).join('\n')}
${(parts.sections ?? []).map(section).join('\n')}
${button}
${(parts.after ?? []).map((p) => `<p>${escape(p)}</p>`).join('\n')}
<p>${escape(signature)}</p>
</div>
<div class="footer"><p>${escape(why)}${parts.unsubscribe ? `<br><a href="${escape(parts.unsubscribe.url)}">${escape(parts.unsubscribe.label)}</a>` : ''}</p></div>
</div>
</body>
</html>`
  return { subject: parts.subject, text, html: juice(html) }
}
