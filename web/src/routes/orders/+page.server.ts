import { error, redirect } from '@sveltejs/kit'
import type { Order } from '@vernetzt/shared/schemas/commerce'
import { api } from '$lib/server/api'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, fetch, url }) => {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`)
  const cursor = url.searchParams.get('cursor')
  const res = await api<{ items: Order[]; nextCursor: string | null }>(fetch, 'GET', `/orders?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
  if (!res.ok) error(res.status, { message: res.error.message, code: res.error.code })
  return { orders: res.data, paged: !!cursor }
}
