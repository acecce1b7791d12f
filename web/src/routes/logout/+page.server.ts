import { redirect } from '@sveltejs/kit'
import { api } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = () => redirect(303, '/')

export const actions: Actions = {
  default: async ({ fetch, cookies }) => {
    await api(fetch, 'POST', '/auth/logout')
    cookies.delete('vz_session', { path: '/' })
    redirect(303, '/')
  },
}
