import fc from 'fast-check'
import { Types } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeMember, openSocket, startTestServer, type TestServer } from './harness.ts'

/** Sends any event with any payload: these tests feed the server what a typed client cannot. */
type LooseSocket = { emit: (...args: unknown[]) => void }
const looseEmit = (socket: unknown, ...args: unknown[]) => (socket as LooseSocket).emit(...args)

/**
 * Property: whatever a client sends to any route of the OpenAPI document, the answer is never a
 * 5xx, and every 4xx has the error shape { error: { code, message } }. Requests are generated
 * from each route's own parameters (valid-looking and hostile values alike) and random bodies,
 * a bounded number per route, as a signed-in member and anonymously.
 */
let server: TestServer
let cookie = ''
type Schema = {
  type?: string | string[]
  enum?: unknown[]
  pattern?: string
  format?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  items?: Schema
  properties?: Record<string, Schema>
  required?: string[]
  minItems?: number
  maxItems?: number
}
type Operation = { parameters?: Array<{ in: string; name: string; schema?: Schema }>; requestBody?: { content?: Record<string, { schema?: Schema }> } }
let openapi: { paths: Record<string, Record<string, Operation>> }
beforeAll(async () => {
  server = await startTestServer()
  const member = await makeMember(server, { handle: 'fuzzer', password: 'fuzzer password' })
  cookie = member.client.cookie
  openapi = (await (await fetch(`${server.url}/api/docs/json`)).json()) as typeof openapi
})
afterAll(async () => {
  await server.close()
})

async function freshSession(): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'fuzzer@example.org', password: 'fuzzer password' }),
  })
  return res.headers.getSetCookie()[0]!.split(';')[0]!
}

const RUNS_PER_ROUTE = 20
const hostile = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    'null',
    'undefined',
    '0',
    '-1',
    '1e309',
    'NaN',
    '../../etc/passwd',
    '%00',
    '%',
    '%zz',
    '<script>',
    '{}',
    '[]',
    'a'.repeat(300),
    '🙂',
    '\u0000',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constant(new Types.ObjectId().toString()),
  fc.constantFrom('fuzzer', 'vernetzt', '2026-11', '2026-13', 'A'.repeat(22)),
  fc.integer().map(String),
)
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(
    fc.constantFrom(
      'body',
      'kind',
      'area',
      'type',
      'handle',
      'email',
      'password',
      'items',
      'seq',
      'participants',
      'text',
      'name',
      'slug',
      'reason',
      'ratesBp',
      'title',
    ),
    fc.jsonValue({ maxDepth: 2 }),
  ),
  fc.record({
    body: fc.string(),
    kind: fc.constantFrom('pr', 'ad', 'x'),
    area: fc.record({ type: fc.constantFrom('feed', 'profile', 'marketplace', 'group', 'x'), groupId: hostile }),
  }),
)

/**
 * Values shaped by a route's own schema, so requests get past validation into the handlers;
 * strings are sometimes hostile (markup that sanitizes to nothing, very long, odd Unicode).
 */
function fromSchema(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 1 })
  if (schema.enum) return fc.constantFrom(...schema.enum)
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'string': {
      if (schema.pattern?.includes('[0-9a-f]{24}')) return fc.oneof(fc.constant(new Types.ObjectId().toString()), fc.stringMatching(/^[0-9a-f]{24}$/))
      if (schema.format === 'email') return fc.emailAddress()
      if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString())
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((v) => v.length <= (schema.maxLength ?? 200))
      const max = Math.min(schema.maxLength ?? 60, 300)
      return fc.oneof(
        fc.string({ minLength: schema.minLength ?? 0, maxLength: max }),
        fc
          .constantFrom('<script>alert(1)</script>', '<iframe src=x></iframe>', '@fuzzer hallo', '![x](/media/AAAAAAAAAAAAAAAAAAAAAA)')
          .filter((v) => v.length <= max && v.length >= (schema.minLength ?? 0)),
      )
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 })
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true })
    case 'boolean':
      return fc.boolean()
    case 'array':
      return fc.array(fromSchema(schema.items, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) })
    case 'object': {
      const props = schema.properties ?? {}
      const required = new Set(schema.required ?? [])
      return fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, fromSchema(v, depth + 1)])), {
        requiredKeys: [...required].filter((k) => k in props),
      })
    }
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

function routes(): Array<{ method: string; path: string; params: string[]; query: string[]; op: Operation }> {
  const list: Array<{ method: string; path: string; params: string[]; query: string[]; op: Operation }> = []
  for (const [path, methods] of Object.entries(openapi.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
      const parameters = op.parameters ?? []
      list.push({
        method: method.toUpperCase(),
        path,
        params: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        op,
      })
    }
  }
  return list
}

describe('every route of the OpenAPI document', () => {
  it('lists the API', () => {
    expect(routes().length).toBeGreaterThan(60)
  })

  it('never answers a 5xx, and answers every 4xx in the error shape', async () => {
    const failures: string[] = []
    const statuses = new Map<number, number>()
    for (const route of routes()) {
      const param = (name: string, where: string) => fromSchema(route.op.parameters?.find((p) => p.in === where && p.name === name)?.schema).map(String)
      const shapedBody = fromSchema(route.op.requestBody?.content?.['application/json']?.schema)
      await fc.assert(
        fc.asyncProperty(
          fc.tuple(...route.params.map((name) => fc.oneof({ weight: 3, arbitrary: param(name, 'path') }, { weight: 1, arbitrary: hostile }))),
          fc.oneof(
            fc.record(Object.fromEntries(route.query.map((name) => [name, param(name, 'query')])), { requiredKeys: [] }),
            fc.dictionary(fc.constantFrom(...route.query, 'x'), hostile, { maxKeys: 3 }),
          ),
          fc.oneof({ weight: 3, arbitrary: shapedBody }, { weight: 1, arbitrary: body }),
          fc.boolean(),
          fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain', 'multipart/form-data; boundary=x'),
          async (values, query, payload, signedIn, contentType) => {
            let path = route.path
            route.params.forEach((name, i) => (path = path.replace(`{${name}}`, encodeURIComponent(values[i]!))))
            const search = new URLSearchParams(query as Record<string, string>).toString()
            const hasBody = route.method !== 'GET' && route.method !== 'DELETE' && payload !== undefined
            // Signing out ends the session it is sent with: that route gets a session of its own.
            const session = route.path.endsWith('/auth/logout') ? await freshSession() : cookie
            const res = await fetch(`${server.url}${path}${search ? `?${search}` : ''}`, {
              method: route.method,
              headers: { ...(signedIn ? { cookie: session } : {}), ...(hasBody ? { 'content-type': contentType } : {}) },
              ...(hasBody ? { body: contentType === 'application/json' ? JSON.stringify(payload) : String(JSON.stringify(payload)) } : {}),
            })
            const text = await res.text()
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
            const where = `${route.method} ${path}${search ? `?${search}` : ''} ${hasBody ? JSON.stringify(payload).slice(0, 200) : ''} → ${res.status} ${text.slice(0, 200)}`
            if (res.status >= 500) failures.push(where)
            if (res.status >= 400 && res.status < 500) {
              let shape: { error?: { code?: unknown; message?: unknown } } = {}
              try {
                shape = JSON.parse(text) as typeof shape
              } catch {}
              if (typeof shape.error?.code !== 'string' || typeof shape.error?.message !== 'string') failures.push(`no error shape: ${where}`)
            }
          },
        ),
        { numRuns: RUNS_PER_ROUTE, seed: 20261201 },
      )
    }
    console.log(
      `fuzz: ${[...statuses.values()].reduce((a, b) => a + b, 0)} requests over ${routes().length} routes; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
    )
    expect(failures.slice(0, 20)).toEqual([])
  }, 600_000)

  it('survives random payloads on every socket event the server handles, and answers each acknowledged one', async () => {
    const { socket } = await openSocket(server.url, { cookie })
    const [serverSocket] = await server.app.io.fetchSockets()
    const events = (serverSocket as unknown as { eventNames(): Array<string | symbol> })
      .eventNames()
      .map(String)
      .filter((n) => !['disconnect', 'disconnecting', 'error'].includes(n))
    expect(events.length).toBeGreaterThanOrEqual(5)
    let answered = 0
    for (const event of events) {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.record({ conversationId: hostile, seq: fc.integer(), body: fc.string(), clientMessageId: hostile })),
          async (payload) => {
            // With an acknowledgement callback, each handler must answer; without one it must not crash.
            const reply = await Promise.race([
              new Promise((resolve) => looseEmit(socket, event as never, payload as never, resolve as never)),
              new Promise((resolve) => setTimeout(() => resolve('no answer'), 250)),
            ])
            if (reply !== 'no answer') answered += 1
            looseEmit(socket, event as never, payload as never)
          },
        ),
        { numRuns: 15, seed: 20261201 },
      )
    }
    expect(socket.connected).toBe(true)
    expect(answered).toBeGreaterThan(0)
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    socket.disconnect()
  }, 300_000)
})
