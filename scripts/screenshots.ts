/**
 * The README's screenshots and the web app manifest's: home, profile and chat of Anna in the demo
 * network, at 1280×800 and 390×844, in German. Writes docs/screenshots/<page>-<desktop|phone>.png
 * and copies the manifest's three to web/static/screenshots/.
 *
 *   npm run build && npm run screenshots
 */
import { copyFile, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { startDemoServer } from './demo/serve.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const docs = path.join(root, 'docs/screenshots')
const statics = path.join(root, 'web/static/screenshots')
const log = (line: string) => console.error(`[screenshots] ${line}`)
const server = await startDemoServer('screenshots', log)
const cookie = await server.cookieFor('anna')
const chats = (await (await fetch(`${server.url}/api/v1/conversations?limit=10`, { headers: { cookie } })).json()) as {
  items: Array<{ id: string; unread: number }>
}
// A chat with an answer from a recruit: the first one she has read.
const chat = chats.items.find((c) => c.unread === 0) ?? chats.items[0]
if (!chat) throw new Error('anna has no conversation')

await mkdir(docs, { recursive: true })
await mkdir(statics, { recursive: true })
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
try {
  for (const [width, viewport] of [
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    const context = await browser.newContext({ locale: 'de-DE', viewport, ...(width === 'phone' ? { isMobile: true, hasTouch: true } : {}) })
    await context.addCookies(
      cookie.split('; ').map((pair) => {
        const [name, value] = pair.split('=') as [string, string]
        return { name, value, url: server.url }
      }),
    )
    const page = await context.newPage()
    for (const [name, where] of [
      ['home', '/home'],
      ['profile', '/p/anna'],
      ['chat', `/messages/${chat.id}`],
    ] as const) {
      await page.goto(`${server.url}${where}`, { waitUntil: 'networkidle' })
      const file = path.join(docs, `${name}-${width}.png`)
      await page.screenshot({ path: file })
      log(`wrote ${path.relative(root, file)}`)
    }
    await context.close()
  }
} finally {
  await browser.close()
  await server.stop()
}
for (const name of ['home-desktop', 'home-phone', 'chat-phone']) await copyFile(path.join(docs, `${name}.png`), path.join(statics, `${name}.png`))
log(`copied the manifest's screenshots to ${path.relative(root, statics)}`)
process.exit(0)
