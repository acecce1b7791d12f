import { error, fail, redirect } from '@sveltejs/kit'
import { PERIOD_PATTERN } from '@vernetzt/shared/schemas/commerce'
import type { PeriodList } from '@vernetzt/shared/schemas/periods'
import { api } from '$lib/server/api'
import { requireAdmin } from '$lib/server/staff'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, url, fetch }) => {
  requireAdmin(locals, url)
  const res = await api<PeriodList>(fetch, 'GET', '/admin/periods')
  if (!res.ok) error(res.status, { message: res.error.message, code: res.error.code })
  // "?confirm=2026-05" asks before closing; it works without JavaScript too.
  const asked = url.searchParams.get('confirm')
  const confirm = res.data.items.find((p) => p.period === asked && p.closable)?.period ?? null
  return { periods: res.data.items, confirm }
}

export const actions: Actions = {
  close: async ({ request, fetch, locals, url }) => {
    requireAdmin(locals, url)
    const period = String((await request.formData()).get('period') ?? '')
    if (!new RegExp(PERIOD_PATTERN).test(period)) return fail(400, { period, code: 'VALIDATION_FAILED' })
    const res = await api<{ period: string; closedAt: string }>(fetch, 'POST', `/admin/periods/${period}/close`)
    if (!res.ok) return fail(res.status, { period, code: res.error.code })
    redirect(303, `/admin/periods?closed=${period}`)
  },
}
