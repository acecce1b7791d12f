/**
 * Fills an empty database with a believable German demo network: a few hundred partners and
 * customers over seven levels, with bios, places, languages and generated avatars.
 *
 *   npm run seed:demo            (refuses if members other than the root/admins exist)
 *   npm run seed:demo -- --size 600
 *
 * Every demo member signs in with <handle>@demo.vernetzt.test and the password "vernetzt-demo".
 */
import { createHash } from 'node:crypto'
import sharp from 'sharp'
import { renderMarkdown } from '@vernetzt/shared/markdown'
import { findRoot } from '../../server/src/modules/accounts/lookup.ts'
import { insertMember } from '../../server/src/modules/referrals/index.ts'
import type { ServiceContext } from '../../server/src/context.ts'
import type { MemberDoc } from '../../server/src/modules/accounts/model.ts'
import { hashPassword } from '../../server/src/modules/accounts/passwords.ts'
import { AVATAR_SIZE } from '../../server/src/modules/media/index.ts'
import { CITIES, CUSTOMER_BIOS, FIRST_NAMES, LAST_NAMES, PARTNER_BIOS, TOPICS } from './data.ts'

export const DEMO_PASSWORD = 'vernetzt-demo'
export const DEMO_LEADERS = ['anna', 'markus', 'sabine', 'thomas']

/** Deterministic pseudo-random numbers, so every seeded database looks the same. */
export function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A symmetric 5×5 identicon in the member's colour: a generated avatar, no photo needed. */
async function identicon(handle: string): Promise<Buffer> {
  const hash = createHash('sha256').update(handle).digest()
  const hue = Math.round((hash[0]! / 255) * 360)
  const cell = AVATAR_SIZE / 6
  const rects: string[] = []
  for (let y = 0; y < 5; y++) {
    for (let x = 0; x < 3; x++) {
      if ((hash[1 + y * 3 + x]! & 1) === 0) continue
      for (const cx of new Set([x, 4 - x])) {
        rects.push(`<rect x="${cell / 2 + cx * cell}" y="${cell / 2 + y * cell}" width="${cell}" height="${cell}"/>`)
      }
    }
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${AVATAR_SIZE}" height="${AVATAR_SIZE}">
    <rect width="100%" height="100%" fill="hsl(${hue} 45% 92%)"/><g fill="hsl(${hue} 55% 40%)">${rects.join('')}</g></svg>`
  return sharp(Buffer.from(svg)).webp({ quality: 80 }).toBuffer()
}

/** Seeds the demo network into ctx's database; returns how many members it created. */
export async function seedDemo(ctx: ServiceContext, size: number): Promise<{ created: number; depth: number }> {
  const { Member, Media } = ctx.models
  const random = rng(20_241_122)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const root = await findRoot(ctx)
  const passwordHash = await hashPassword(DEMO_PASSWORD)
  const used = new Set<string>()
  const now = Date.now()
  const start = now - 540 * 86_400_000

  const create = async (sponsor: MemberDoc, first: string, last: string, role: 'partner' | 'customer', handle?: string, joinedAt?: number) => {
    const base =
      handle ??
      `${first}-${last}`
        .toLowerCase()
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/ß/g, 'ss')
        .replace(/[^a-z0-9-]/g, '')
    let candidate = base
    for (let n = 2; used.has(candidate); n++) candidate = `${base}-${n}`
    used.add(candidate)
    const topic = pick(TOPICS)
    const city = pick(CITIES)
    const bioTemplate = role === 'partner' ? pick(PARTNER_BIOS) : pick(CUSTOMER_BIOS)
    const bio = bioTemplate
      .replace('{topic}', topic)
      .replace('{city}', city)
      .replace('{years}', String(2 + Math.floor(random() * 12)))
    const member = await insertMember(ctx, {
      handle: candidate,
      email: `${candidate}@demo.vernetzt.test`,
      passwordHash,
      displayName: `${first} ${last}`,
      role,
      sponsor,
      createdAt: new Date(joinedAt ?? start + random() * (now - start)),
      // The demo's addresses are made up (.test): nobody can confirm them, and no mail goes there.
      emailVerifiedAt: new Date(),
    })
    const avatar = await Media.create({
      ownerId: member._id,
      kind: 'avatar',
      contentType: 'image/webp',
      data: await identicon(candidate),
      width: AVATAR_SIZE,
      height: AVATAR_SIZE,
      publishedAt: new Date(),
    })
    await Member.updateOne(
      { _id: member._id },
      {
        $set: {
          bio,
          bioHtml: renderMarkdown(bio),
          location: city,
          languages: random() < 0.35 ? ['de', 'en'] : ['de'],
          links: role === 'partner' && random() < 0.4 ? [{ label: 'Mein Blog', url: `https://${candidate}.blog.example` }] : [],
          avatarId: avatar._id,
        },
      },
    )
    return member
  }

  // Four team leaders under the company, then recruits level by level, older members first.
  const leaderNames: Array<[string, string]> = [
    ['Anna', 'Berger'],
    ['Markus', 'Huber'],
    ['Sabine', 'Keller'],
    ['Thomas', 'Wagner'],
  ]
  let frontier: MemberDoc[] = []
  for (const [i, [first, last]] of leaderNames.entries()) {
    frontier.push(await create(root as MemberDoc, first, last, 'partner', DEMO_LEADERS[i], start + i * 86_400_000))
  }
  let total = frontier.length
  let depth = 1
  let clock = start + leaderNames.length * 86_400_000
  const step = (2 * (now - clock)) / size
  while (total < size && frontier.length > 0 && depth < 12) {
    const next: MemberDoc[] = []
    for (const sponsor of frontier) {
      const recruits = depth < 3 ? 3 + Math.floor(random() * 3) : Math.floor(random() * 4)
      for (let r = 0; r < recruits && total < size; r++) {
        const role = random() < 0.28 ? 'customer' : 'partner'
        // Joins happen in the order they are written (level lists are in join order), spread
        // over the last eighteen months, always after the sponsor's own join.
        clock = Math.min(now, Math.max(clock, sponsor.createdAt.getTime()) + random() * step)
        const member = await create(sponsor, pick(FIRST_NAMES), pick(LAST_NAMES), role, undefined, clock)
        total++
        if (role === 'partner') next.push(member)
      }
    }
    frontier = next
    depth++
  }
  const deepest = await Member.findOne({}).sort({ depth: -1 }).lean()
  return { created: total, depth: deepest!.depth }
}
