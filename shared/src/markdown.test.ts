import { describe, expect, it } from 'vitest'
import { bareHtml, renderMarkdown, renderMarkdownSanitized } from './markdown.ts'

/**
 * A corpus of XSS payloads (OWASP filter-evasion cheat sheet and common markdown tricks).
 * None may leave anything executable in the rendered HTML.
 */
const PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<img src="javascript:alert(1)">',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="JaVaScRiPt:alert(1)">x</a>',
  '<a href="jav&#x09;ascript:alert(1)">x</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
  '<a href=" javascript:alert(1)">x</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
  '[click](javascript:alert(1))',
  '[click](JAVASCRIPT:alert(1))',
  '[click](javascript&#58;alert(1))',
  '[click](<javascript:alert(1)>)',
  '![img](javascript:alert(1))',
  '![img](x" onerror="alert(1))',
  '[x](https://example.org "title" onmouseover="alert(1)")',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<p style="x:expression(alert(1))">x</p>',
  '<body onload=alert(1)>',
  '<input autofocus onfocus=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<form action="javascript:alert(1)"><button>x</button></form>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<link rel="stylesheet" href="javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<style>@import "javascript:alert(1)";</style>',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '<<script>script>alert(1)<</script>/script>',
  '<img """><script>alert(1)</script>">',
  '<a href="https://ok.example" onclick="alert(1)">ok</a>',
  '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
  '<video><source onerror="alert(1)"></video>',
  '<audio src=x onerror=alert(1)>',
  '<marquee onstart=alert(1)>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '```\n</code><script>alert(1)</script>\n```',
  '`<script>alert(1)</script>`',
  '<a href="//evil.example/x">protocol relative</a>',
  '<img src="http://insecure.example/x.png">',
  '<template><script>alert(1)</script></template>',
  '<x onclick=alert(1)>x</x>',
  '<textarea><script>alert(1)</script></textarea>',
]

// Only markup counts: the same words as visible text are harmless, so patterns look inside tags.
const TAG = (inner: string) => new RegExp(`<[^>]*${inner}[^>]*>`, 'i')
const DANGEROUS = [
  /<script/i,
  /<iframe/i,
  /<object/i,
  /<embed/i,
  /<svg/i,
  /<math/i,
  /<style/i,
  /<form/i,
  /<input/i,
  /<meta/i,
  /<link/i,
  /<base/i,
  /<body/i,
  /<video/i,
  /<audio/i,
  /<template/i,
  /<textarea/i,
  /<details/i,
  TAG('\\son\\w+\\s*='),
  TAG('(href|src)\\s*=\\s*"?\\s*(javascript|vbscript|data):'),
  TAG('\\sstyle\\s*='),
  TAG('href="//'),
  TAG('src="http:'),
  TAG('background='),
]

describe('markdown rendering', () => {
  it.each(PAYLOADS)('leaves nothing executable from %s', (payload) => {
    const html = renderMarkdown(payload)
    for (const pattern of DANGEROUS) expect(html, `${pattern} in ${html}`).not.toMatch(pattern)
  })

  it('keeps ordinary formatting', () => {
    const html = renderMarkdown('# Hallo\n\n**fett** und _kursiv_\n\n- eins\n- zwei\n\n[Shop](https://example.org)')
    expect(html).toContain('<h1>Hallo</h1>')
    expect(html).toContain('<strong>fett</strong>')
    expect(html).toContain('<em>kursiv</em>')
    expect(html).toContain('<li>eins</li>')
    expect(html).toContain('<a href="https://example.org" rel="nofollow noopener noreferrer" target="_blank">Shop</a>')
  })

  it('shows code as text, not markup', () => {
    expect(renderMarkdown('`<b>x</b>`')).toContain('&lt;b&gt;x&lt;/b&gt;')
  })

  it('allows https images and relative media only', () => {
    expect(renderMarkdown('![a](https://example.org/a.png)')).toContain('<img src="https://example.org/a.png" alt="a" />')
    expect(renderMarkdown('![a](/media/abc)')).toContain('src="/media/abc"')
  })

  it('renders everyday chat text exactly as the sanitizer would, shortcut or not', () => {
    // Fragments of ordinary messages and markdown, joined at random (seeded: the same cases each run).
    const parts = [
      'Hallo',
      ' ',
      'Büro',
      '😀',
      '**fett**',
      '*kursiv*',
      '_auch_',
      '~~weg~~',
      '`code`',
      '\n',
      '\n\n',
      '# ',
      '## ',
      '- ',
      '1. ',
      '3. ',
      '> ',
      '```\nblock\n```\n',
      '```js\nx\n```\n',
      '| a | b |\n|---|---|\n| 1 | 2 |\n',
      '|:-|-:|\n',
      "it's",
      '"zitiert"',
      '>',
      '\\',
      '---',
      '***',
      '   ',
      '\t',
      ':',
      '19:30',
      'https://example.org',
      'www.example.org',
      'anna@example.org',
      '[x](https://example.org)',
      '![i](https://example.org/a.png)',
      '- [ ] offen',
      '&amp;',
      '&nbsp;',
      '<b>',
      '<br>',
    ]
    let seed = 42
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
    let shortcuts = 0
    for (let i = 0; i < 3000; i++) {
      const source = Array.from({ length: 1 + Math.floor(next() * 8) }, () => parts[Math.floor(next() * parts.length)]).join('')
      const sanitized = renderMarkdownSanitized(source)
      expect(renderMarkdown(source), JSON.stringify(source)).toBe(sanitized)
      const short = bareHtml(source)
      if (short !== null) {
        shortcuts++
        expect(short, JSON.stringify(source)).toBe(sanitized)
      }
    }
    // Most cases are plain enough to take the shortcut, so the comparison covers it.
    expect(shortcuts).toBeGreaterThan(1000)
  })
})
