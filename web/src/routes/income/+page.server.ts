import { error } from '@sveltejs/kit'
import type { IncomeDisclosure } from '@vernetzt/shared/schemas/earnings'
import { api } from '$lib/server/api'
import type { PageServerLoad } from './$types'

/** Public: anyone may see how much partners earn, before they decide to become one. */
export const load: PageServerLoad = async ({ fetch, url }) => {
  const raw = url.searchParams.get('period') ?? ''
  const period = /^[0-9]{4}-(0[1-9]|1[0-2])$/.test(raw) ? raw : null
  const [year, month] = await Promise.all([
    api<IncomeDisclosure>(fetch, 'GET', '/income-disclosure'),
    period ? api<IncomeDisclosure>(fetch, 'GET', `/income-disclosure?period=${period}`) : null,
  ])
  if (!year.ok) error(year.status, { message: year.error.message, code: year.error.code })
  return {
    year: year.data,
    period,
    month: month?.ok ? month.data : null,
    notFinal: !!period && !!month && !month.ok && month.status === 404,
  }
}
