import { error, redirect } from '@sveltejs/kit'
import type { Product } from '@vernetzt/shared/schemas/commerce'
import { requireAdminPage, saveProduct } from '$lib/components/shop/admin.server'
import { api } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, url, fetch, params }) => {
  requireAdminPage(locals, url)
  // The list, not GET /products/:id: that one answers 404 for an inactive product, which an admin edits too.
  const res = await api<{ items: Product[] }>(fetch, 'GET', '/products')
  if (!res.ok) error(res.status, { message: res.error.message, code: res.error.code })
  const product = res.data.items.find((p) => p.id === params.id)
  if (!product) error(404, { message: 'There is no such product.', code: 'PRODUCT_NOT_FOUND' })
  return { product }
}

export const actions: Actions = {
  default: async ({ request, fetch, locals, url, params }) => {
    requireAdminPage(locals, url)
    const result = await saveProduct(request, fetch, params.id)
    if ('product' in result) redirect(303, `/admin/products?saved=${result.product.id}`)
    return result
  },
}
