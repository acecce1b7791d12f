/**
 * The demo network's social life, written the way members write it: through the API (every
 * rule, event and notification of a real action), signed in as the demo members. Posts (some
 * with pictures) in the feed and ads in the marketplace, likes, comments and follows, each
 * leader's team group and a training course with lessons, welcome chats with the newest
 * recruits. Deterministic for a seeded `random`.
 */
import type { FastifyInstance, InjectOptions } from 'fastify'
import { Types } from 'mongoose'
import sharp from 'sharp'
import type { MemberDoc } from '../../server/src/modules/accounts/index.ts'
import { SESSION_COOKIE, createSession } from '../../server/src/modules/accounts/sessions.ts'
import { uploadImage } from '../../server/src/modules/media/uploads.ts'
import { DEMO_LEADERS } from './seed.ts'
import { AD_TEXTS, COMMENTS, LESSONS, PICTURES, PR_TEXTS, WELCOME_REPLIES } from './social-data.ts'

type Member = Pick<MemberDoc, '_id' | 'handle' | 'displayName' | 'role' | 'sponsorId' | 'createdAt'>

export interface SocialCounts {
  posts: number
  ads: number
  likes: number
  comments: number
  follows: number
  groups: number
  lessons: number
  chats: number
}

/** A picture for a post: a calm gradient with a few shapes and a caption, as a PNG. */
async function picture(caption: string, hue: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="hsl(${hue} 55% 72%)"/><stop offset="1" stop-color="hsl(${(hue + 40) % 360} 50% 48%)"/>
    </linearGradient></defs>
    <rect width="1200" height="800" fill="url(#g)"/>
    <circle cx="930" cy="230" r="140" fill="hsl(${(hue + 180) % 360} 70% 92%)" opacity="0.55"/>
    <circle cx="260" cy="600" r="220" fill="#fff" opacity="0.18"/>
    <rect x="80" y="560" width="1040" height="150" rx="24" fill="#0b1220" opacity="0.55"/>
    <text x="120" y="655" font-family="DejaVu Sans, sans-serif" font-size="64" font-weight="700" fill="#fff">${caption}</text>
  </svg>`
  return sharp(Buffer.from(svg)).png().toBuffer()
}

export async function seedSocial(app: FastifyInstance, random: () => number): Promise<SocialCounts> {
  const { ctx } = app
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
  const counts: SocialCounts = { posts: 0, ads: 0, likes: 0, comments: 0, follows: 0, groups: 0, lessons: 0, chats: 0 }
  const members = (await ctx.models.Member.find(
    { isRoot: false, role: { $ne: 'admin' } },
    { handle: 1, displayName: 1, role: 1, sponsorId: 1, createdAt: 1 },
  ).lean()) as Member[]
  const byId = new Map(members.map((m) => [m._id.toString(), m]))
  const partners = members.filter((m) => m.role === 'partner')
  const leaders = DEMO_LEADERS.map((h) => members.find((m) => m.handle === h)!).filter(Boolean)

  // One session per member who acts, as if each signed in on their own device.
  const cookies = new Map<string, string>()
  const cookieOf = async (m: Member) => {
    let cookie = cookies.get(m.handle)
    if (!cookie) {
      const { token } = await createSession(ctx, m._id as Types.ObjectId, { userAgent: 'demo seed' })
      cookie = `${SESSION_COOKIE}=${token}`
      cookies.set(m.handle, cookie)
    }
    return cookie
  }
  const call = async <T = { id: string }>(m: Member, method: InjectOptions['method'], url: string, payload?: unknown): Promise<T> => {
    const res = await app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { cookie: await cookieOf(m), origin: ctx.config.publicUrl, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    })
    if (res.statusCode >= 300) throw new Error(`${m.handle} ${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json() as T
  }
  const recruitsOf = (leader: Member) => members.filter((m) => m.sponsorId?.toString() === leader._id.toString())

  // Follows: partners follow their sponsor and a few others; everyone follows a leader or two.
  const followed = new Set<string>()
  const follow = async (who: Member, whom: Member) => {
    const key = `${who.handle}>${whom.handle}`
    if (who.handle === whom.handle || followed.has(key)) return
    followed.add(key)
    await call(who, 'POST', `/profiles/${whom.handle}/follow`)
    counts.follows++
  }
  for (const m of members.slice(0, 160)) {
    const sponsor = m.sponsorId ? byId.get(m.sponsorId.toString()) : undefined
    if (sponsor) await follow(m, sponsor)
    await follow(m, pick(leaders))
    if (m.role === 'partner') for (let i = 0; i < 2; i++) await follow(m, pick(partners))
  }

  // Each leader's team group (membership follows the join graph) and a course with lessons.
  const courses: Array<{ leader: Member; slug: string; lessonIds: string[] }> = []
  const teamGroups: Array<{ leader: Member; id: string }> = []
  for (const leader of leaders) {
    const first = leader.displayName.split(' ')[0]!
    const team = await call(leader, 'POST', '/groups', {
      name: `Team ${first}`,
      slug: `team-${leader.handle}`,
      kind: 'team',
      visibility: 'private',
      teamDepth: 3,
      description: `Unser Raum fürs Team: Termine, Erfolge, Fragen. Hier helfen wir uns gegenseitig.`,
    })
    teamGroups.push({ leader, id: team.id })
    const slug = `starterkurs-${leader.handle}`
    await call(leader, 'POST', '/groups', {
      name: `Starterkurs mit ${first}`,
      slug,
      kind: 'training',
      visibility: 'public',
      description: 'In fünf Lektionen vom ersten Profil zum ersten Kundengespräch – in deinem Tempo.',
    })
    counts.groups += 2
    const lessonIds: string[] = []
    for (const lesson of LESSONS) {
      lessonIds.push((await call(leader, 'POST', `/groups/${slug}/lessons`, lesson)).id)
      counts.lessons++
    }
    courses.push({ leader, slug, lessonIds })
    // Recruits take the course; some are further along than others.
    for (const recruit of recruitsOf(leader).filter((m) => m.role === 'partner')) {
      await call(recruit, 'POST', `/groups/${slug}/join`)
      const done = Math.floor(random() * (lessonIds.length + 1))
      for (const id of lessonIds.slice(0, done)) await call(recruit, 'POST', `/lessons/${id}/progress`, { done: true })
    }
  }

  // Posts: PR in the feed (a third with a picture), ads only in the marketplace, news in the teams.
  const postIds: string[] = []
  const authors = [...leaders, ...partners.slice(0, 40)]
  for (const [i, text] of PR_TEXTS.entries()) {
    const author = authors[i % authors.length]!
    let body = text
    if (i % 3 === 0) {
      const [caption, hue] = PICTURES[i % PICTURES.length]!
      const image = await uploadImage(ctx, { id: author._id.toString(), handle: author.handle, role: author.role }, await picture(caption, hue))
      body = `${text}\n\n![${caption}](${image.url})`
    }
    postIds.push((await call(author, 'POST', '/posts', { kind: 'pr', area: { type: 'feed' }, body })).id)
    counts.posts++
  }
  for (const [i, text] of AD_TEXTS.entries()) {
    await call(partners[(i * 7) % partners.length]!, 'POST', '/posts', { kind: 'ad', area: { type: 'marketplace' }, body: text })
    counts.ads++
  }
  for (const { leader, id } of teamGroups) {
    const body = `Liebes Team, am Donnerstag um 19 Uhr ist unser Teamabend online. Bringt eure Fragen mit – und erzählt, was im Monat gut lief!`
    await call(leader, 'POST', '/posts', { kind: 'pr', area: { type: 'group', groupId: id }, body })
    counts.posts++
  }

  // Likes and comments on the public posts, from across the network.
  for (const id of postIds) {
    const likers = new Set(Array.from({ length: 2 + Math.floor(random() * 9) }, () => pick(members.slice(0, 160))))
    for (const who of likers) {
      await call(who, 'PUT', `/posts/${id}/like`)
      counts.likes++
    }
    if (random() < 0.6) {
      await call(pick(partners), 'POST', `/posts/${id}/comments`, { body: pick(COMMENTS) })
      counts.comments++
    }
  }

  // Welcome chats: each leader with their five newest recruits, the recruit answering; the
  // newest answers wait unread for the leader.
  for (const leader of leaders) {
    const newest = recruitsOf(leader)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, 5)
    for (const [i, recruit] of newest.entries()) {
      const conversation = await call(leader, 'POST', '/conversations', { participants: [recruit.handle] })
      const hello =
        recruit.role === 'customer'
          ? `Hallo ${recruit.displayName.split(' ')[0]}, schön, dass du da bist! Bei Fragen zu Produkten oder deiner Bestellung schreib mir einfach hier.`
          : `Hallo ${recruit.displayName.split(' ')[0]}, herzlich willkommen in meinem Team! Schreib mir jederzeit – morgen zeige ich dir die ersten Schritte.`
      const send = (m: Member, body: string, n: number) =>
        call(m, 'POST', `/conversations/${conversation.id}/messages`, { body, clientMessageId: `demo-${conversation.id}-${n}` })
      await send(leader, hello, 1)
      await send(recruit, WELCOME_REPLIES[i % WELCOME_REPLIES.length]!, 2)
      if (i >= 2) await call(leader, 'POST', `/conversations/${conversation.id}/read`, { seq: 2 })
      counts.chats++
    }
  }
  return counts
}
