import jsQRModule from 'jsqr'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, startTestServer, type TestServer } from '../../../test/harness.ts'

// jsqr is CommonJS whose types declare an ES default export; unwrap whichever shape arrives.
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule.default }).default ?? jsQRModule) as unknown as typeof jsQRModule.default

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ config: { publicUrl: 'https://vernetzt.example', baseDomain: 'vernetzt.example' } })
})
afterAll(async () => {
  await server.close()
})

async function upload(client: Client, image: Buffer, field = 'avatar', type = 'image/jpeg') {
  const form = new FormData()
  form.append(field, new Blob([new Uint8Array(image)], { type }), 'me.jpg')
  const res = await fetch(`${server.url}/api/v1/me/avatar`, { method: 'PUT', body: form, headers: { cookie: client.cookie } })
  return { status: res.status, body: (await res.json()) as any }
}

describe('public profile', () => {
  it('shows a member by handle, case-insensitively, with both addresses and the sponsor', async () => {
    await makeMember(server, { handle: 'anna', displayName: 'Anna Schmidt' })
    await makeMember(server, { handle: 'paul', sponsor: 'anna' })
    const res = await new Client(server.url).get('/api/v1/profiles/PAUL')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      handle: 'paul',
      role: 'partner',
      profileUrl: 'https://vernetzt.example/p/paul',
      subdomainUrl: 'https://paul.vernetzt.example',
      sponsor: { handle: 'anna', displayName: 'Anna Schmidt' },
    })
    expect(res.body).not.toHaveProperty('email')
  })

  it('answers 404 with a code for an unknown handle', async () => {
    const res = await new Client(server.url).get('/api/v1/profiles/niemand')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('PROFILE_NOT_FOUND')
  })

  it('updates the own profile and stores the bio as sanitized HTML', async () => {
    const { client } = await makeMember(server, { handle: 'bea' })
    const res = await client.patch('/api/v1/me/profile', {
      displayName: 'Bea Berger',
      bio: 'Ich bin **Bea**.<script>alert(1)</script> [x](javascript:alert(1))',
      location: 'Graz',
      languages: ['de', 'en'],
      links: [{ label: 'Blog', url: 'https://bea.example' }],
    })
    expect(res.status).toBe(200)
    expect(res.body.bioHtml).toContain('<strong>Bea</strong>')
    expect(res.body.bioHtml).not.toMatch(/<script|javascript:/)
    const again = await new Client(server.url).get('/api/v1/profiles/bea')
    expect(again.body).toMatchObject({
      displayName: 'Bea Berger',
      location: 'Graz',
      languages: ['de', 'en'],
      links: [{ label: 'Blog', url: 'https://bea.example' }],
    })
  })

  it('rejects bad profile input field by field and keeps what was stored', async () => {
    const { client } = await makeMember(server, { handle: 'carl' })
    await client.patch('/api/v1/me/profile', { location: 'Wien' })
    for (const [patch, field] of [
      [{ links: [{ label: 'x', url: 'javascript:alert(1)' }] }, 'links.0.url'],
      [{ languages: ['Deutsch'] }, 'languages.0'],
      [{ displayName: '   ' }, 'displayName'],
      [{ bio: 'x'.repeat(5001) }, 'bio'],
      [{}, 'body'],
    ] as const) {
      const res = await client.patch('/api/v1/me/profile', patch)
      expect(res.status, JSON.stringify(patch)).toBe(400)
      expect(res.body.error.details[0].field, JSON.stringify(patch)).toBe(field)
    }
    expect((await client.get('/api/v1/profiles/carl')).body.location).toBe('Wien')
    expect((await new Client(server.url).patch('/api/v1/me/profile', { location: 'x' })).status).toBe(401)
  })
})

describe('avatar', () => {
  it('stores an upload as a 400×400 WebP without EXIF, and replaces the previous one', async () => {
    const { client } = await makeMember(server, { handle: 'dana' })
    const photo = await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#c33' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'SecretCam', Artist: 'Dana' } })
      .toBuffer()
    expect((await sharp(photo).metadata()).exif).toBeDefined()
    const res = await upload(client, photo)
    expect(res.status).toBe(200)
    expect(res.body.avatarUrl).toMatch(/^\/media\/[A-Za-z0-9_-]{22}$/)
    const img = await fetch(`${server.url}${res.body.avatarUrl}`)
    expect(img.headers.get('content-type')).toBe('image/webp')
    const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata()
    expect(meta).toMatchObject({ format: 'webp', width: 400, height: 400 })
    expect(meta.exif).toBeUndefined()

    const second = await upload(
      client,
      await sharp({ create: { width: 300, height: 300, channels: 3, background: '#3c3' } })
        .png()
        .toBuffer(),
      'avatar',
      'image/png',
    )
    expect(second.body.avatarUrl).not.toBe(res.body.avatarUrl)
    expect((await fetch(`${server.url}${res.body.avatarUrl}`)).status).toBe(404)
  })

  it('refuses files that are not images', async () => {
    const { client } = await makeMember(server, { handle: 'emil' })
    const res = await upload(client, Buffer.from('%PDF-1.4 not an image'))
    expect(res.status).toBe(415)
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA')
    const wrongField = await upload(client, Buffer.from('x'), 'picture')
    expect(wrongField.status).toBe(400)
    expect((await client.get('/api/v1/profiles/emil')).body.avatarUrl).toBeNull()
  })
})

describe('referral card', () => {
  it('serves a QR code, as SVG and PNG, that leads to the profile address', async () => {
    await makeMember(server, { handle: 'frida' })
    const png = await fetch(`${server.url}/api/v1/profiles/frida/qr.png`)
    expect(png.headers.get('content-type')).toBe('image/png')
    const { data, info } = await sharp(Buffer.from(await png.arrayBuffer()))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true })
    const decoded = jsQR(new Uint8ClampedArray(data), info.width, info.height)
    expect(decoded?.data).toBe('https://frida.vernetzt.example')
    const svg = await fetch(`${server.url}/api/v1/profiles/frida/qr.svg`)
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/)
    const text = await svg.text()
    expect(text).toMatch(/^<svg[^>]+viewBox/)
    expect(text).not.toMatch(/<script/i)
  })

  it('has no card for customers or unknown handles', async () => {
    await makeMember(server, { handle: 'gustav', role: 'customer' })
    expect((await fetch(`${server.url}/api/v1/profiles/gustav/qr.svg`)).status).toBe(404)
    expect((await fetch(`${server.url}/api/v1/profiles/nobody-here/qr.svg`)).status).toBe(404)
  })
})
