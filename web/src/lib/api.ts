import type { ErrorResponse } from '@vernetzt/shared/schemas/common'

export type ClientResult<T> = { ok: true; data: T } | { ok: false; status: number; error: ErrorResponse['error'] }

/** Browser-side calls to the JSON API on the same origin (the session cookie rides along). */
export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<ClientResult<T>> {
  const res = await fetch(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  })
  const json = (await res.json().catch(() => null)) as unknown
  if (res.ok) return { ok: true, data: json as T }
  return { ok: false, status: res.status, error: (json as ErrorResponse | null)?.error ?? { code: 'INTERNAL', message: res.statusText } }
}
