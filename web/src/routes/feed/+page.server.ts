import { redirect } from '@sveltejs/kit'
import type { PostPage } from '@vernetzt/shared/schemas/posts'
import { api } from '$lib/server/api'
import { postAction } from '$lib/server/posts'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, fetch, url }) => {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`)
  const cursor = url.searchParams.get('cursor')
  const res = await api<PostPage>(fetch, 'GET', `/feed?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
  if (!res.ok) throw new Error(res.error.message)
  return { feed: res.data }
}

export const actions: Actions = {
  post: ({ fetch, request }) => postAction(fetch, request),
}
