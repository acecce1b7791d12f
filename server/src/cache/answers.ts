import type { IncomingMessage, ServerResponse } from 'node:http'
import type { CachedAnswer } from './store.ts'
import { CACHE_STATE_HEADER, PUBLIC_CACHE_CONTROL } from './policy.ts'

/** Headers of a rendered answer that belong to that one response, never to a stored copy. */
const PER_RESPONSE = new Set(['set-cookie', 'date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'etag', 'age', CACHE_STATE_HEADER])

export function storableHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || PER_RESPONSE.has(name.toLowerCase())) continue
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return out
}

/** Whether the client already holds this version (If-None-Match lists its ETag, or `*`). */
export function fresh(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t === etag || t === `W/${etag}`
  })
}

/** The headers every cached answer goes out with, whether it was just rendered or stored. */
export function cacheHeaders(answer: CachedAnswer, state: 'hit' | 'miss', vary: string, cacheControl = PUBLIC_CACHE_CONTROL): Record<string, string> {
  return {
    ...answer.headers,
    etag: answer.etag,
    'cache-control': cacheControl,
    vary,
    age: String(Math.max(0, Math.floor((Date.now() - answer.storedAt) / 1000))),
    [CACHE_STATE_HEADER]: state,
  }
}

/** Sends a cached page on the raw response: 304 when the client's copy is current. */
export function sendRaw(
  req: IncomingMessage,
  res: ServerResponse,
  answer: CachedAnswer,
  state: 'hit' | 'miss',
  options: { vary: string; cacheControl?: string },
): void {
  const headers = cacheHeaders(answer, state, options.vary, options.cacheControl)
  if (fresh(req.headers['if-none-match'], answer.etag)) {
    delete headers['content-type']
    res.writeHead(304, headers)
    res.end()
    return
  }
  res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) })
  res.end(answer.body)
}

export interface Captured {
  status: number
  headers: Record<string, unknown>
  body: Buffer
}

/**
 * Holds back what a handler writes to `res` (status, headers, body) and hands it to `done`
 * once the handler ends the response; `done` then sends it (with validators) itself. Only
 * for handlers that write through writeHead/write/end, as SvelteKit's node adapter does.
 */
export function capture(res: ServerResponse, done: (captured: Captured, send: ServerResponse) => void): void {
  const chunks: Buffer[] = []
  const original = { writeHead: res.writeHead, write: res.write, end: res.end }
  let status = 200
  const restore = () => Object.assign(res, original)
  const take = (chunk: unknown, encoding?: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return
    chunks.push(
      Buffer.isBuffer(chunk)
        ? chunk
        : typeof chunk === 'string'
          ? Buffer.from(chunk, (encoding as BufferEncoding) || 'utf8')
          : Buffer.from(chunk as Uint8Array),
    )
  }
  res.writeHead = function (code: number, ...rest: unknown[]) {
    status = code
    const headers = rest.find((r) => r && typeof r === 'object') as Record<string, string> | undefined
    for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value)
    return res
  } as typeof res.writeHead
  res.write = function (chunk: unknown, encoding?: unknown, callback?: unknown) {
    take(chunk, encoding)
    const cb = [encoding, callback].find((c) => typeof c === 'function') as (() => void) | undefined
    cb?.()
    return true
  } as typeof res.write
  res.end = function (chunk?: unknown, encoding?: unknown) {
    take(chunk, encoding)
    restore()
    done({ status, headers: res.getHeaders(), body: Buffer.concat(chunks) }, res)
    return res
  } as typeof res.end
}
