import { fail, redirect } from '@sveltejs/kit'
import type { Group, GroupPage } from '@vernetzt/shared/schemas/groups'
import { api, errorField } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ fetch, url, locals }) => {
  const mine = url.searchParams.get('mine') === 'true' && !!locals.user
  const q = url.searchParams.get('q')?.trim() ?? ''
  const params = new URLSearchParams({ limit: '50', ...(mine ? { mine: 'true' } : {}), ...(q ? { q } : {}) })
  const res = await api<GroupPage>(fetch, 'GET', `/groups?${params}`)
  return { groups: res.ok ? res.data.items : [], mine, q }
}

export const actions: Actions = {
  create: async ({ request, fetch }) => {
    const form = await request.formData()
    const values = {
      name: String(form.get('name') ?? ''),
      slug: String(form.get('slug') ?? ''),
      kind: String(form.get('kind') ?? 'community'),
      visibility: String(form.get('visibility') ?? 'public'),
      adsAllowed: form.get('adsAllowed') === 'on',
      description: String(form.get('description') ?? ''),
      teamDepth: Number(form.get('teamDepth') ?? 3),
    }
    const res = await api<Group>(fetch, 'POST', '/groups', {
      name: values.name,
      slug: values.slug,
      kind: values.kind,
      visibility: values.visibility,
      adsAllowed: values.adsAllowed,
      ...(values.description ? { description: values.description } : {}),
      ...(values.kind === 'team' ? { teamDepth: values.teamDepth } : {}),
    })
    if (!res.ok) return fail(res.status, { values, code: res.error.code, field: errorField(res.error) })
    redirect(303, `/groups/${res.data.slug}`)
  },
}
