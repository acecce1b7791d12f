// Draws the installable app's maskable icon (web/static/icon-maskable-512.png) from the logo's
// shapes: a full-bleed brand square, the mark inside the central 60 % that every launcher's mask
// keeps (https://web.dev/articles/maskable-icon). Run again after the logo changes:
//   node scripts/pwa/icons.ts
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
// The favicon's mark (web/static/favicon.svg) without its rounded square, scaled from its 64-unit box.
const mark =
  '<circle cx="20" cy="22" r="7" fill="#fff"/><circle cx="44" cy="22" r="7" fill="#fff"/><circle cx="32" cy="44" r="7" fill="#fff"/><path d="M20 22L32 44L44 22" stroke="#fff" stroke-width="4" fill="none"/>'
const size = 512
const inner = size * 0.6
const offset = (size - inner) / 2
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">
  <rect width="${size}" height="${size}" fill="#0f766e"/>
  <g transform="translate(${offset} ${offset}) scale(${inner / 64})">${mark}</g>
</svg>`
const out = path.join(root, 'web/static/icon-maskable-512.png')
await sharp(Buffer.from(svg)).png().toFile(out)
console.log(`wrote ${path.relative(root, out)}`)
