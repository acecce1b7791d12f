import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, startTestServer, type TestServer } from '../../../test/harness.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

const body = (handle: string, extra: Record<string, unknown> = {}) => ({
  email: `${handle}@example.org`,
  password: 'a long enough password',
  handle,
  displayName: `Name ${handle}`,
  role: 'partner',
  ...extra,
})

describe('registration', () => {
  it('creates a partner under the company root when nobody referred them, and signs them in', async () => {
    const client = new Client(server.url)
    const res = await client.post('/api/v1/auth/register', body('lena'))
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ handle: 'lena', role: 'partner', depth: 1, sponsor: { handle: 'vernetzt' } })
    expect(res.body).not.toHaveProperty('passwordHash')
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('vz_session='))!
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    expect(cookie).not.toMatch(/Secure/i) // the test server is plain http
    const me = await client.get('/api/v1/me')
    expect(me.status).toBe(200)
    expect(me.body.handle).toBe('lena')
  })

  it('attributes a member to the sponsor named in the body, else to the referral', async () => {
    const anna = await makeMember(server, { handle: 'anna' })
    const bySponsor = await new Client(server.url).post('/api/v1/auth/register', body('ben', { sponsor: 'Anna' }))
    expect(bySponsor.status).toBe(201)
    expect(bySponsor.body.sponsor.handle).toBe(anna.handle)
    const byReferral = await new Client(server.url).post('/api/v1/auth/register', body('cara', { referral: 'anna', role: 'customer' }))
    expect(byReferral.status).toBe(201)
    expect(byReferral.body).toMatchObject({ role: 'customer', sponsor: { handle: 'anna' }, depth: 2 })
    const both = await new Client(server.url).post('/api/v1/auth/register', body('dora', { sponsor: 'ben', referral: 'anna' }))
    expect(both.body.sponsor.handle).toBe('ben')
  })

  it('refuses an unknown or non-partner sponsor with 422 instead of falling back', async () => {
    const unknown = await new Client(server.url).post('/api/v1/auth/register', body('eva', { sponsor: 'nobody-here' }))
    expect(unknown.status).toBe(422)
    expect(unknown.body.error.code).toBe('SPONSOR_NOT_FOUND')
    await makeMember(server, { handle: 'kunde1', role: 'customer' })
    const customer = await new Client(server.url).post('/api/v1/auth/register', body('eva', { referral: 'kunde1' }))
    expect(customer.status).toBe(422)
    expect(customer.body.error.code).toBe('SPONSOR_NOT_PARTNER')
    // Nothing was stored: the handle is still free.
    const retry = await new Client(server.url).post('/api/v1/auth/register', body('eva'))
    expect(retry.status).toBe(201)
  })

  it('keeps handles and emails unique regardless of case', async () => {
    await makeMember(server, { handle: 'frieda' })
    const sameHandle = await new Client(server.url).post('/api/v1/auth/register', body('FRIEDA', { email: 'other@example.org' }))
    expect(sameHandle.status).toBe(409)
    expect(sameHandle.body.error.code).toBe('HANDLE_TAKEN')
    const sameEmail = await new Client(server.url).post('/api/v1/auth/register', body('frieda2', { email: 'Frieda@Example.org' }))
    expect(sameEmail.status).toBe(409)
    expect(sameEmail.body.error.code).toBe('EMAIL_TAKEN')
  })

  it('rejects invalid and reserved handles with the reason', async () => {
    for (const [handle, code] of [
      ['ab', 'HANDLE_INVALID'],
      ['-anna', 'HANDLE_INVALID'],
      ['anna-', 'HANDLE_INVALID'],
      ['an_na', 'HANDLE_INVALID'],
      ['www', 'HANDLE_RESERVED'],
      ['admin', 'HANDLE_RESERVED'],
      ['socket', 'HANDLE_RESERVED'],
    ] as const) {
      const res = await new Client(server.url).post('/api/v1/auth/register', body(handle, { email: `x${Math.random()}@example.org` }))
      expect(res.status, handle).toBe(422)
      expect(res.body.error.code, handle).toBe(code)
      expect(res.body.error.details).toEqual({ field: 'handle' })
    }
  })

  it('names the field and rule of a validation error', async () => {
    const res = await new Client(server.url).post('/api/v1/auth/register', { ...body('gina'), password: 'short' })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION_FAILED')
    expect(res.body.error.details[0]).toMatchObject({ field: 'password', rule: 'minLength' })
    const extra = await new Client(server.url).post('/api/v1/auth/register', { ...body('gina'), isAdmin: true })
    expect(extra.status).toBe(400)
    expect(extra.body.error.details[0]).toMatchObject({ field: 'isAdmin', rule: 'additionalProperties' })
    const adminRole = await new Client(server.url).post('/api/v1/auth/register', { ...body('gina'), role: 'admin' })
    expect(adminRole.status).toBe(400)
    expect(adminRole.body.error.details[0].field).toBe('role')
  })

  it('stores passwords as argon2id hashes', async () => {
    await makeMember(server, { handle: 'hanna' })
    const doc = await server.app.ctx.models.Member.findOne({ handle: 'hanna' }).lean()
    expect(doc!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
  })
})

describe('sessions', () => {
  it('logs in, logs out and revokes the session on the server', async () => {
    const { email, password } = await makeMember(server, { handle: 'ida' })
    const client = new Client(server.url)
    expect((await client.post('/api/v1/auth/login', { email: email.toUpperCase(), password })).status).toBe(200)
    const stolen = client.cookie
    expect((await client.get('/api/v1/me')).status).toBe(200)
    expect((await client.post('/api/v1/auth/logout')).status).toBe(200)
    expect((await client.get('/api/v1/me')).status).toBe(401)
    // The old token no longer works even if someone kept a copy.
    const replay = new Client(server.url)
    replay.cookie = stolen
    const res = await replay.get('/api/v1/me')
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('UNAUTHENTICATED')
  })

  it('refuses a wrong password without saying whether the account exists', async () => {
    const { email } = await makeMember(server, { handle: 'jana' })
    const wrong = await new Client(server.url).post('/api/v1/auth/login', { email, password: 'not the password' })
    const missing = await new Client(server.url).post('/api/v1/auth/login', { email: 'nobody@example.org', password: 'not the password' })
    expect(wrong.status).toBe(401)
    expect(missing.status).toBe(401)
    expect(wrong.body.error).toEqual(missing.body.error)
  })

  it('stores only a keyed hash of the session token', async () => {
    const { client } = await makeMember(server, { handle: 'karl' })
    const token = /vz_session=([^;]+)/.exec(client.cookie)![1]!
    const sessions = await server.app.ctx.models.Session.find({}).lean()
    expect(sessions.length).toBeGreaterThan(0)
    expect(sessions.some((s) => s._id === token)).toBe(false)
  })

  it('refuses state-changing requests from another origin', async () => {
    const { client } = await makeMember(server, { handle: 'lars' })
    const res = await client.patch('/api/v1/me/profile', { bio: 'x' })
    expect(res.status).toBe(200)
    const evil = await client.request('PATCH', '/api/v1/me/profile', { bio: 'hacked' }, { origin: 'https://evil.example' })
    expect(evil.status).toBe(403)
    expect(evil.body.error.code).toBe('CROSS_ORIGIN_REFUSED')
    const crossSite = await client.request('POST', '/api/v1/auth/logout', {}, { 'sec-fetch-site': 'cross-site' })
    expect(crossSite.status).toBe(403)
    const profile = await client.get('/api/v1/profiles/lars')
    expect(profile.body.bio).toBe('x')
    const sameOrigin = await client.request('PATCH', '/api/v1/me/profile', { bio: 'y' }, { origin: server.url })
    expect(sameOrigin.status).toBe(200)
  })
})

describe('the server', () => {
  it('answers health checks with the database state', async () => {
    const res = await new Client(server.url).get('/healthz')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ status: 'ok', db: 'up' })
  })

  it('publishes an OpenAPI document that lists the routes', async () => {
    const res = await new Client(server.url).get('/api/docs/json')
    expect(res.status).toBe(200)
    expect(res.body.openapi).toMatch(/^3\./)
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/register', '/api/v1/profiles/{handle}', '/api/v1/me/downline/stats']))
    const ui = await fetch(`${server.url}/api/docs`, { redirect: 'follow' })
    expect(ui.status).toBe(200)
  })

  it('answers unknown API routes with the error shape', async () => {
    const res = await new Client(server.url).get('/api/v1/does-not-exist')
    expect(res.status).toBe(404)
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String), details: null } })
  })
})

describe('rate limits', () => {
  it('limits login attempts per address', async () => {
    const limited = await startTestServer({ config: { authRateLimit: 3 } })
    try {
      const client = new Client(limited.url)
      const codes: number[] = []
      for (let i = 0; i < 5; i++) codes.push((await client.post('/api/v1/auth/login', { email: 'a@b.cd', password: 'whatever!!' })).status)
      expect(codes.slice(0, 3)).toEqual([401, 401, 401])
      expect(codes[3]).toBe(429)
      const res = await client.post('/api/v1/auth/login', { email: 'a@b.cd', password: 'whatever!!' })
      expect(res.body.error.code).toBe('RATE_LIMITED')
    } finally {
      await limited.close()
    }
  })
})
