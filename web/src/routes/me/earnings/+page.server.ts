import { error } from '@sveltejs/kit'
import type { EarningsDashboard } from '@vernetzt/shared/schemas/earnings'
import { api } from '$lib/server/api'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ fetch, parent }) => {
  const { me } = await parent()
  // Only partners earn; everyone else gets a friendly note instead of a page of zeros.
  if (me.role !== 'partner') return { dashboard: null }
  const res = await api<EarningsDashboard>(fetch, 'GET', '/me/earnings')
  if (!res.ok) error(res.status, { message: res.error.message, code: res.error.code })
  return { dashboard: res.data }
}
