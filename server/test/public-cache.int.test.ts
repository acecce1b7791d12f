import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WEB_HEADERS, type NodeHandler } from '../src/plugins/web.ts'
import { makeMember, settle, startTestServer, type TestServer } from './harness.ts'

/**
 * The public cache with the built web app in the process (as main.ts runs it): anonymous pages
 * and API reads are stored, revalidated with their ETag, forgotten by the events that change
 * them, and never shown to a signed-in member (nor a member's page to anyone).
 */
const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web')
let server: TestServer
let anna: Awaited<ReturnType<typeof makeMember>>

beforeAll(async () => {
  process.env.PROTOCOL_HEADER = WEB_HEADERS.protocol
  process.env.HOST_HEADER = WEB_HEADERS.host
  process.env.ADDRESS_HEADER = WEB_HEADERS.address
  const { handler } = (await import(pathToFileURL(path.join(webDir, 'build', 'handler.js')).href)) as { handler: NodeHandler }
  server = await startTestServer({ webHandler: handler })
  anna = await makeMember(server, { handle: 'pc-anna', displayName: 'Anna Sonnenschein' })
})
afterAll(async () => {
  await server?.close()
})

const visit = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${server.url}${url}`, { headers: { 'accept-language': 'de', ...headers } })
  return { status: res.status, headers: res.headers, html: await res.text() }
}

describe('anonymous public pages', () => {
  it('renders a profile once, then serves it from the cache with an ETag that revalidates', async () => {
    const first = await visit('/p/pc-anna')
    expect(first.status).toBe(200)
    expect(first.html).toContain('Anna Sonnenschein')
    expect(first.headers.get('x-vernetzt-cache')).toBe('miss')
    expect(first.headers.get('cache-control')).toBe('public, max-age=10, s-maxage=30')
    expect(first.headers.get('vary')).toBe('cookie, accept-language')
    expect(first.headers.get('content-security-policy')).toContain("script-src 'self' 'sha256-")
    const second = await visit('/p/pc-anna')
    expect(second.headers.get('x-vernetzt-cache')).toBe('hit')
    expect(second.html).toBe(first.html)
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'))
    const again = await fetch(`${server.url}/p/pc-anna`, { headers: { 'accept-language': 'de', 'if-none-match': first.headers.get('etag')! } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    // Another language is another page.
    const english = await visit('/p/pc-anna', { 'accept-language': 'en-GB,en;q=0.9' })
    expect(english.headers.get('x-vernetzt-cache')).toBe('miss')
    expect(english.html).toContain('lang="en"')
  })

  it('shows a profile edit and a new post at once, and a deleted post no longer', async () => {
    await visit('/p/pc-anna')
    expect((await visit('/p/pc-anna')).headers.get('x-vernetzt-cache')).toBe('hit')
    expect((await anna.client.patch('/api/v1/me/profile', { displayName: 'Anna Regenbogen' })).status).toBe(200)
    const edited = await visit('/p/pc-anna')
    expect(edited.html).toContain('Anna Regenbogen')
    expect(edited.html).not.toContain('Anna Sonnenschein')
    const post = await anna.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'feed' }, body: 'Heute neu im Sortiment: Kräutertee' })
    expect(post.status).toBe(201)
    expect((await visit('/p/pc-anna')).html).toContain('Kräutertee')
    const api = await fetch(`${server.url}/api/v1/profiles/pc-anna/posts?kind=pr&limit=20`)
    expect(api.headers.get('x-vernetzt-cache')).toBe('hit') // the page's own read, stored with it
    expect((await anna.client.patch(`/api/v1/posts/${post.body.id}`, { body: 'Heute neu: Pfefferminztee' })).status).toBe(200)
    expect((await visit('/p/pc-anna')).html).toContain('Pfefferminztee')
    expect((await anna.client.request('DELETE', `/api/v1/posts/${post.body.id}`)).status).toBe(200)
    const after = await visit('/p/pc-anna')
    expect(after.html).not.toContain('Pfefferminztee')
    expect((await fetch(`${server.url}/api/v1/posts/${post.body.id}`)).status).toBe(404)
    await settle(server)
  })

  it('never gives a signed-in member the anonymous copy, and never stores a signed-in page', async () => {
    const anonymous = await visit('/p/pc-anna')
    expect((await visit('/p/pc-anna')).headers.get('x-vernetzt-cache')).toBe('hit')
    const bert = await makeMember(server, { handle: 'pc-bert', displayName: 'Bert Beispiel' })
    await bert.client.post('/api/v1/profiles/pc-anna/follow')
    const res = await fetch(`${server.url}/p/pc-anna`, { headers: { cookie: bert.client.cookie, 'accept-language': 'de' } })
    const html = await res.text()
    expect(res.headers.get('x-vernetzt-cache')).toBeNull()
    expect(res.headers.get('cache-control')).toBe('private, no-cache')
    expect(html).toContain('Bert Beispiel') // his own account menu
    expect(html).not.toBe(anonymous.html)
    // …and what he saw is not what the next anonymous visitor gets.
    const next = await visit('/p/pc-anna')
    expect(next.html).not.toContain('Bert Beispiel')
    const api = await fetch(`${server.url}/api/v1/profiles/pc-anna/follow`, { headers: { cookie: bert.client.cookie } })
    expect(api.headers.get('x-vernetzt-cache')).toBeNull()
    expect(((await api.json()) as { following: boolean }).following).toBe(true)
    const anonFollow = await fetch(`${server.url}/api/v1/profiles/pc-anna/follow`)
    expect(((await anonFollow.json()) as { following: boolean }).following).toBe(false)
  })

  it('does not store a page that sets a cookie, an error page, or a page with an unknown query', async () => {
    const consented = { cookie: 'vz_consent=all' }
    const referral = await fetch(`${server.url}/p/pc-anna`, { headers: consented })
    expect(referral.headers.getSetCookie().join(';')).toContain('vz_ref=pc-anna')
    const twice = await fetch(`${server.url}/p/pc-anna`, { headers: consented })
    expect(twice.headers.getSetCookie().join(';')).toContain('vz_ref=pc-anna') // remembered again, not from a copy
    expect(twice.headers.get('x-vernetzt-cache')).toBeNull()
    for (let i = 0; i < 2; i += 1) {
      const missing = await visit('/p/pc-nobody')
      expect(missing.status).toBe(404)
      expect(missing.headers.get('x-vernetzt-cache')).toBeNull()
    }
    expect((await visit('/p/pc-anna?utm_source=flyer')).headers.get('x-vernetzt-cache')).toBeNull()
    expect((await visit('/p/pc-anna?utm_source=flyer')).headers.get('x-vernetzt-cache')).toBeNull()
  })

  it('keeps the landing page and caches the anonymous profile API read', async () => {
    await visit('/')
    expect((await visit('/')).headers.get('x-vernetzt-cache')).toBe('hit')
    await fetch(`${server.url}/api/v1/profiles/pc-anna`)
    const hit = await fetch(`${server.url}/api/v1/profiles/pc-anna`)
    expect(hit.headers.get('x-vernetzt-cache')).toBe('hit')
    expect(hit.headers.get('content-type')).toContain('application/json')
    expect(((await hit.json()) as { displayName: string }).displayName).toBe('Anna Regenbogen')
    const etag = hit.headers.get('etag')!
    expect((await fetch(`${server.url}/api/v1/profiles/pc-anna`, { headers: { 'if-none-match': etag } })).status).toBe(304)
  })
})

describe("a member's own feed page", () => {
  const feedOf = async (member: { client: { cookie: string } }) => {
    const res = await fetch(`${server.url}/feed`, { headers: { cookie: member.client.cookie, 'accept-language': 'de' }, redirect: 'manual' })
    return { status: res.status, state: res.headers.get('x-vernetzt-cache'), cacheControl: res.headers.get('cache-control'), html: await res.text() }
  }

  it('is kept for that member alone, and forgotten by a delivery, an edit, a notification and a sign-out', async () => {
    const author = await makeMember(server, { handle: 'pcf-author', displayName: 'Alma Autorin' })
    const bert = await makeMember(server, { handle: 'pcf-bert', displayName: 'Bruno Leser' })
    const carla = await makeMember(server, { handle: 'pcf-carla', displayName: 'Clara Leserin' })
    for (const reader of [bert, carla]) await reader.client.post('/api/v1/profiles/pcf-author/follow')
    await settle(server)
    const first = await feedOf(bert)
    expect(first.state).toBe('miss')
    expect(first.cacheControl).toBe('private, no-cache')
    const again = await feedOf(bert)
    expect(again.state).toBe('hit')
    expect(again.html).toContain('Bruno Leser')
    // Another member on the same address gets their own page, never Bert's.
    const hers = await feedOf(carla)
    expect(hers.html).toContain('Clara Leserin')
    expect(hers.html).not.toContain('Bruno Leser')

    const post = await author.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'feed' }, body: 'Frisch aus der Küche: Apfelkuchen' })
    await settle(server)
    const delivered = await feedOf(bert)
    expect(delivered.state).toBe('miss')
    expect(delivered.html).toContain('Apfelkuchen')
    expect((await feedOf(bert)).state).toBe('hit')
    await author.client.patch(`/api/v1/posts/${post.body.id}`, { body: 'Frisch aus der Küche: Zwetschgenkuchen' })
    expect((await feedOf(bert)).html).toContain('Zwetschgenkuchen')

    expect((await feedOf(bert)).state).toBe('hit')
    const mine = await bert.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'feed' }, body: 'Bruno sagt hallo' })
    expect((await feedOf(bert)).html).toContain('Bruno sagt hallo') // the author's own feed, at once
    await carla.client.post(`/api/v1/posts/${mine.body.id}/comments`, { body: 'Hallo Bruno!' })
    expect((await feedOf(bert)).state).toBe('miss') // a notification (and a comment count) changed

    expect((await feedOf(bert)).state).toBe('hit')
    const signedOut = bert.client.cookie // the old session cookie, as a stolen copy would carry it
    expect((await bert.client.post('/api/v1/auth/logout')).status).toBeLessThan(300)
    const out = await fetch(`${server.url}/feed`, { headers: { cookie: signedOut }, redirect: 'manual' })
    expect(out.status).toBe(303)
    expect(out.headers.get('location')).toContain('/login')
  })
})
