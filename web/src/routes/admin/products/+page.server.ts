import { error } from '@sveltejs/kit'
import type { Product } from '@vernetzt/shared/schemas/commerce'
import { requireAdminPage } from '$lib/components/shop/admin.server'
import { api } from '$lib/server/api'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, url, fetch }) => {
  requireAdminPage(locals, url)
  // Admins get inactive products too.
  const res = await api<{ items: Product[] }>(fetch, 'GET', '/products')
  if (!res.ok) error(res.status, { message: res.error.message, code: res.error.code })
  return { products: res.data.items, saved: url.searchParams.get('saved') }
}
