import { error } from '@sveltejs/kit'
import type { DownlineSearchResult, TreePage } from '@vernetzt/shared/schemas/earnings'
import { api } from '$lib/server/api'
import { openDirectChat } from '$lib/server/chat'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ fetch, url }) => {
  const parent = url.searchParams.get('parent') ?? ''
  const cursor = url.searchParams.get('cursor') ?? ''
  const q = (url.searchParams.get('q') ?? '').trim().slice(0, 60)
  const query = new URLSearchParams()
  if (/^[0-9a-f]{24}$/.test(parent)) query.set('parent', parent)
  if (/^\d{1,12}$/.test(cursor)) query.set('cursor', cursor)
  const [tree, search] = await Promise.all([
    api<TreePage>(fetch, 'GET', `/me/downline/tree?${query}`),
    q.length >= 2 ? api<DownlineSearchResult>(fetch, 'GET', `/me/downline/search?q=${encodeURIComponent(q)}`) : null,
  ])
  if (!tree.ok) error(tree.status, { message: tree.error.message, code: tree.error.code })
  return {
    tree: tree.data,
    q,
    search: search?.ok ? search.data : null,
    searchError: search && !search.ok ? search.error.code : null,
  }
}

export const actions: Actions = {
  // The direct conversation with a team member: the existing one, or a new one.
  chat: openDirectChat,
}
