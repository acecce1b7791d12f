import type { ErrorResponse } from '@vernetzt/shared/schemas/common'

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; error: ErrorResponse['error'] }

export type Fetch = typeof fetch

/** Calls the JSON API from page loads and form actions (in-process through handleFetch). */
export async function api<T>(fetch: Fetch, method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const json = (await res.json().catch(() => null)) as unknown
  if (res.ok) return { ok: true, status: res.status, data: json as T }
  const error = (json as ErrorResponse | null)?.error ?? { code: 'INTERNAL', message: res.statusText }
  return { ok: false, status: res.status, error }
}

/** The field a validation or domain error points at, so the form can show it next to that input. */
export function errorField(error: ErrorResponse['error']): string | null {
  const details = error.details as { field?: string } | Array<{ field?: string }> | null | undefined
  if (Array.isArray(details)) return details[0]?.field ?? null
  return details?.field ?? null
}
