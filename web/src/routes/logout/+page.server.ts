import { redirect } from '@sveltejs/kit'
import { api } from '$lib/server/api'
import { CART_COOKIE } from '$lib/components/shop/cart'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = () => redirect(303, '/')

export const actions: Actions = {
  default: async ({ fetch, cookies }) => {
    await api(fetch, 'POST', '/auth/logout')
    cookies.delete('vz_session', { path: '/' })
    cookies.delete(CART_COOKIE, { path: '/' }) // the next person on this browser starts with an empty cart
    redirect(303, '/')
  },
}
