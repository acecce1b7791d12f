import { redirect } from '@sveltejs/kit'
import type { NotificationPage } from '@vernetzt/shared/schemas/moderation'
import { api } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, fetch, url }) => {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`)
  const res = await api<NotificationPage>(fetch, 'GET', '/notifications?limit=50')
  if (!res.ok) throw new Error(res.error.message)
  return { notifications: res.data }
}

export const actions: Actions = {
  read: async ({ fetch }) => {
    await api(fetch, 'POST', '/notifications/read-all')
    return { read: true }
  },
}
