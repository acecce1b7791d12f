import { error, fail } from '@sveltejs/kit'
import type { FollowState, PostPage } from '@vernetzt/shared/schemas/posts'
import type { Profile } from '@vernetzt/shared/schemas/profiles'
import { rememberReferral } from '$lib/server/cookies'
import { api } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ params, fetch, locals, cookies, url }) => {
  const res = await api<Profile>(fetch, 'GET', `/profiles/${encodeURIComponent(params.handle)}`)
  if (!res.ok) error(res.status === 404 ? 404 : res.status, { message: res.error.message, code: res.error.code })
  const profile = res.data
  // A visit to a partner's profile is a referral; it is remembered only with consent.
  if (profile.role === 'partner' && locals.consent === 'all' && !locals.user) {
    rememberReferral(cookies, url, profile.handle)
  }
  const tab = url.searchParams.get('tab') === 'offers' ? 'offers' : 'posts'
  const cursor = url.searchParams.get('cursor')
  const source = `/profiles/${profile.handle}/posts?kind=${tab === 'offers' ? 'ad' : 'pr'}&limit=20`
  const [posts, follow] = await Promise.all([
    api<PostPage>(fetch, 'GET', `${source}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    api<FollowState>(fetch, 'GET', `/profiles/${profile.handle}/follow`),
  ])
  return {
    profile,
    tab,
    source,
    posts: posts.ok ? posts.data : { items: [], nextCursor: null },
    follow: follow.ok ? follow.data : { following: false, followers: 0, followingCount: 0 },
  }
}

export const actions: Actions = {
  follow: async ({ params, fetch, request }) => {
    const form = await request.formData()
    const res = await api<FollowState>(fetch, form.get('follow') === 'false' ? 'DELETE' : 'POST', `/profiles/${encodeURIComponent(params.handle)}/follow`)
    if (!res.ok) return fail(res.status, { code: res.error.code })
    return { follow: res.data }
  },
}
