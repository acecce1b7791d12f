import { error, fail, redirect } from '@sveltejs/kit'
import type { Lesson, LessonProgressPage } from '@vernetzt/shared/schemas/lessons'
import { api } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ params, fetch, locals, url }) => {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname)}`)
  const res = await api<Lesson>(fetch, 'GET', `/lessons/${encodeURIComponent(params.id)}`)
  if (!res.ok) error(res.status === 404 ? 404 : res.status, { message: res.error.message, code: res.error.code })
  // Owners and moderators also see everyone's progress; for others this answers 403 and stays hidden.
  const progress = await api<LessonProgressPage>(fetch, 'GET', `/lessons/${encodeURIComponent(params.id)}/progress?limit=100`)
  return { lesson: res.data, progress: progress.ok ? progress.data : null }
}

export const actions: Actions = {
  edit: async ({ params, fetch, request }) => {
    const form = await request.formData()
    const checklist = String(form.get('checklist') ?? '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
    const res = await api<Lesson>(fetch, 'PATCH', `/lessons/${encodeURIComponent(params.id)}`, {
      title: String(form.get('title') ?? ''),
      body: String(form.get('body') ?? ''),
      checklist,
    })
    return res.ok ? { edited: true } : fail(res.status, { code: res.error.code })
  },
  remove: async ({ params, fetch }) => {
    const lesson = await api<Lesson>(fetch, 'GET', `/lessons/${encodeURIComponent(params.id)}`)
    const res = await api(fetch, 'DELETE', `/lessons/${encodeURIComponent(params.id)}`)
    if (!res.ok) return fail(res.status, { code: res.error.code })
    redirect(303, lesson.ok ? `/groups/${lesson.data.groupSlug}?tab=lessons` : '/groups')
  },
  progress: async ({ params, fetch, request }) => {
    const form = await request.formData()
    const checked = form
      .getAll('checked')
      .map(Number)
      .filter((n) => Number.isInteger(n))
    const res = await api<Lesson>(fetch, 'POST', `/lessons/${encodeURIComponent(params.id)}/progress`, {
      checked,
      ...(form.has('done') ? { done: form.get('done') === 'true' } : {}),
    })
    return res.ok ? { saved: true } : fail(res.status, { code: res.error.code })
  },
}
