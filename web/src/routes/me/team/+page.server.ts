import type { DownlinePage, DownlineStats } from '@vernetzt/shared/schemas/downline'
import { api } from '$lib/server/api'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ fetch, url }) => {
  const level = Math.max(1, Math.min(100, Number(url.searchParams.get('level')) || 1))
  const cursor = url.searchParams.get('cursor')
  const [stats, page] = await Promise.all([
    api<DownlineStats>(fetch, 'GET', '/me/downline/stats'),
    api<DownlinePage>(fetch, 'GET', `/me/downline?level=${level}&limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
  ])
  if (!stats.ok) throw new Error(stats.error.message)
  if (!page.ok) throw new Error(page.error.message)
  return { stats: stats.data, page: page.data, level }
}
