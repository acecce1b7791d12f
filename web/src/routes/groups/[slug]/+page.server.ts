import { error, fail } from '@sveltejs/kit'
import type { Group, GroupMemberPage, JoinResult } from '@vernetzt/shared/schemas/groups'
import type { LessonList } from '@vernetzt/shared/schemas/lessons'
import type { PostPage } from '@vernetzt/shared/schemas/posts'
import type { MemberSummary } from '@vernetzt/shared/schemas/common'
import type { QueuePage } from '@vernetzt/shared/schemas/moderation'
import { api } from '$lib/server/api'
import { postAction } from '$lib/server/posts'
import type { Actions, PageServerLoad } from './$types'

const TABS = ['posts', 'ads', 'members', 'lessons', 'about'] as const

export const load: PageServerLoad = async ({ params, fetch, url, locals }) => {
  const res = await api<Group>(fetch, 'GET', `/groups/${encodeURIComponent(params.slug)}`)
  if (!res.ok) error(res.status === 404 ? 404 : res.status, { message: res.error.message, code: res.error.code })
  const group = res.data
  const member = group.myRole !== null
  const requested = url.searchParams.get('tab')
  const fallback = group.kind === 'training' && member ? 'lessons' : 'posts'
  const tab = TABS.find((x) => x === requested) ?? fallback
  const base = `/groups/${group.slug}`
  const canSee = group.visibility === 'public' || member
  const manager = group.myRole === 'owner' || group.myRole === 'moderator'
  const [posts, members, lessons, requests, queue] = await Promise.all([
    canSee && (tab === 'posts' || tab === 'ads') ? api<PostPage>(fetch, 'GET', `${base}/posts?kind=${tab === 'ads' ? 'ad' : 'pr'}&limit=20`) : null,
    canSee && tab === 'members'
      ? api<GroupMemberPage>(
          fetch,
          'GET',
          `${base}/members?limit=100${url.searchParams.get('cursor') ? `&cursor=${encodeURIComponent(url.searchParams.get('cursor')!)}` : ''}`,
        )
      : null,
    member && tab === 'lessons' && group.kind === 'training' ? api<LessonList>(fetch, 'GET', `${base}/lessons`) : null,
    manager ? api<{ items: MemberSummary[] }>(fetch, 'GET', `${base}/requests`) : null,
    manager ? api<QueuePage>(fetch, 'GET', `${base}/moderation/queue?limit=20`) : null,
  ])
  return {
    group,
    tab,
    postSource: `${base}/posts?kind=${tab === 'ads' ? 'ad' : 'pr'}&limit=20`,
    posts: posts?.ok ? posts.data : null,
    members: members?.ok ? members.data : null,
    lessons: lessons?.ok ? lessons.data : null,
    requests: requests?.ok ? requests.data.items : [],
    queue: queue?.ok ? queue.data.items : [],
    signedIn: !!locals.user,
  }
}

const slugOf = (params: { slug: string }) => encodeURIComponent(params.slug)

export const actions: Actions = {
  post: ({ fetch, request }) => postAction(fetch, request),
  join: async ({ params, fetch }) => {
    const res = await api<JoinResult>(fetch, 'POST', `/groups/${slugOf(params)}/join`)
    return res.ok ? { joined: res.data.status } : fail(res.status, { code: res.error.code })
  },
  leave: async ({ params, fetch }) => {
    const res = await api(fetch, 'POST', `/groups/${slugOf(params)}/leave`)
    return res.ok ? { left: true } : fail(res.status, { code: res.error.code })
  },
  decide: async ({ params, fetch, request }) => {
    const form = await request.formData()
    const res = await api(fetch, 'POST', `/groups/${slugOf(params)}/requests`, {
      handle: String(form.get('handle') ?? ''),
      approve: form.get('approve') === 'true',
    })
    return res.ok ? { decided: true } : fail(res.status, { code: res.error.code })
  },
  invite: async ({ params, fetch, request }) => {
    const form = await request.formData()
    const res = await api(fetch, 'POST', `/groups/${slugOf(params)}/invitations`, { handle: String(form.get('handle') ?? '') })
    return res.ok ? { invited: true } : fail(res.status, { code: res.error.code })
  },
  onboarding: async ({ params, fetch }) => {
    const res = await api(fetch, 'PUT', '/me/onboarding-course', { slug: params.slug })
    return res.ok ? { onboarding: true } : fail(res.status, { code: res.error.code })
  },
  decideReport: async ({ fetch, request }) => {
    const form = await request.formData()
    const res = await api(fetch, 'POST', `/moderation/posts/${encodeURIComponent(String(form.get('postId') ?? ''))}/actions`, {
      action: String(form.get('action') ?? ''),
      reason: String(form.get('reason') ?? ''),
    })
    return res.ok ? { decided: true } : fail(res.status, { code: res.error.code })
  },
  moveLesson: async ({ params, fetch, request }) => {
    const form = await request.formData()
    const id = String(form.get('id') ?? '')
    const current = await api<LessonList>(fetch, 'GET', `/groups/${slugOf(params)}/lessons`)
    if (!current.ok) return fail(current.status, { code: current.error.code })
    const ids = current.data.items.map((l) => l.id)
    const at = ids.indexOf(id)
    const to = at + (form.get('direction') === 'up' ? -1 : 1)
    if (at < 0 || to < 0 || to >= ids.length) return { moved: false }
    ;[ids[at], ids[to]] = [ids[to]!, ids[at]!]
    const res = await api(fetch, 'POST', `/groups/${slugOf(params)}/lessons/order`, { ids })
    return res.ok ? { moved: true } : fail(res.status, { code: res.error.code })
  },
  lesson: async ({ params, fetch, request }) => {
    const form = await request.formData()
    const checklist = String(form.get('checklist') ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
    const res = await api(fetch, 'POST', `/groups/${slugOf(params)}/lessons`, {
      title: String(form.get('title') ?? ''),
      body: String(form.get('body') ?? ''),
      ...(checklist.length ? { checklist } : {}),
    })
    return res.ok ? { lessonAdded: true } : fail(res.status, { code: res.error.code })
  },
}
