import { redirect } from '@sveltejs/kit'
import { requireAdminPage, saveProduct } from '$lib/components/shop/admin.server'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = ({ locals, url }) => {
  requireAdminPage(locals, url)
}

export const actions: Actions = {
  default: async ({ request, fetch, locals, url }) => {
    requireAdminPage(locals, url)
    const result = await saveProduct(request, fetch, null)
    if ('product' in result) redirect(303, `/admin/products?saved=${result.product.id}`)
    return result
  },
}
