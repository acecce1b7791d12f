import { error, fail, redirect } from '@sveltejs/kit'
import type { Order } from '@vernetzt/shared/schemas/commerce'
import { api } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, fetch, params, url }) => {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`)
  const res = await api<Order>(fetch, 'GET', `/orders/${encodeURIComponent(params.id)}`)
  // Someone else's order is "not found", exactly as the API says: no hint that it exists.
  if (!res.ok) error(res.status === 400 ? 404 : res.status, { message: res.error.message, code: res.error.code })
  return { order: res.data }
}

/** The bundled test provider's checkout: report an event as the provider would (through its webhook). */
async function testEvent(fetch: typeof globalThis.fetch, id: string, type: 'payment.paid' | 'payment.failed' | 'payment.refunded') {
  const res = await api<Order>(fetch, 'POST', `/payments/test/${encodeURIComponent(id)}`, { type })
  if (!res.ok) return fail(res.status, { code: res.error.code })
  return { done: type }
}

export const actions: Actions = {
  pay: ({ fetch, params }) => testEvent(fetch, params.id, 'payment.paid'),
  fail: ({ fetch, params }) => testEvent(fetch, params.id, 'payment.failed'),
  refund: ({ fetch, params }) => testEvent(fetch, params.id, 'payment.refunded'),
}
