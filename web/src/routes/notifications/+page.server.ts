import { redirect } from '@sveltejs/kit'
import type { NotificationPage } from '@vernetzt/shared/schemas/moderation'
import { api } from '$lib/server/api'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, fetch, url }) => {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`)
  const res = await api<NotificationPage>(fetch, 'GET', '/notifications?limit=50')
  if (!res.ok) throw new Error(res.error.message)
  return { notifications: res.data }
}
