import type { PostPage } from '@vernetzt/shared/schemas/posts'
import { api } from '$lib/server/api'
import { postAction } from '$lib/server/posts'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ fetch, url }) => {
  const params = new URLSearchParams({ limit: '20' })
  for (const key of ['q', 'author', 'cursor']) {
    const value = url.searchParams.get(key)?.trim()
    if (value) params.set(key, value)
  }
  const res = await api<PostPage>(fetch, 'GET', `/marketplace?${params}`)
  if (!res.ok) throw new Error(res.error.message)
  params.delete('cursor')
  return { market: res.data, q: url.searchParams.get('q') ?? '', author: url.searchParams.get('author') ?? '', source: `/marketplace?${params}` }
}

export const actions: Actions = {
  post: ({ fetch, request }) => postAction(fetch, request),
}
