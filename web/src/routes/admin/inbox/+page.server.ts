import { error } from '@sveltejs/kit'
import type { InboxPage } from '@vernetzt/shared/schemas/messages'
import { api } from '$lib/server/api'
import { requireStaff } from '$lib/server/staff'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, url, fetch }) => {
  requireStaff(locals, url)
  const cursor = url.searchParams.get('cursor')
  const res = await api<InboxPage>(fetch, 'GET', `/admin/inbox?limit=30${cursor && /^\d{1,12}$/.test(cursor) ? `&cursor=${cursor}` : ''}`)
  if (!res.ok) error(res.status, { message: res.error.message, code: res.error.code })
  return { conversations: res.data.items, nextCursor: res.data.nextCursor, company: res.data.company }
}
