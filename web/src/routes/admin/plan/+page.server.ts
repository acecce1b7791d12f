import { error, fail } from '@sveltejs/kit'
import { PLAN_TOTAL_MAX_BP, type Plan, type PlanBody } from '@vernetzt/shared/schemas/commerce'
import { requireAdminPage } from '$lib/components/shop/admin.server'
import { parseHundredths } from '$lib/components/shop/money'
import { api, errorField } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

export const load: PageServerLoad = async ({ locals, url, fetch }) => {
  requireAdminPage(locals, url)
  const res = await api<{ current: Plan | null; versions: Plan[] }>(fetch, 'GET', '/commission-plan')
  if (!res.ok) error(res.status, { message: res.error.message, code: res.error.code })
  return { plans: res.data }
}

/** The API's field names → the editor's ("ratesBp.2" is the third rate row). */
function formField(field: string | null): string | null {
  if (!field) return null
  const rate = /^ratesBp[./](\d+)/.exec(field)
  if (rate) return `rate.${rate[1]}`
  if (field.startsWith('ratesBp') || field === 'maxDepth') return 'rates'
  if (field.endsWith('fromLevel')) return 'fromLevel'
  if (field.endsWith('minOwnPurchaseCents')) return 'minOwnPurchase'
  return field
}

export const actions: Actions = {
  create: async ({ request, fetch, locals, url }) => {
    requireAdminPage(locals, url)
    const form = await request.formData()
    const values = {
      rates: form.getAll('rate').map(String),
      qualify: form.get('qualify') === 'on',
      minOwnPurchase: String(form.get('minOwnPurchase') ?? ''),
      fromLevel: String(form.get('fromLevel') ?? '1'),
      note: String(form.get('note') ?? '').trim(),
    }
    const problem = (status: number, field: string | null, code: string, hint: string | null = null) => fail(status, { values, field, code, hint })
    // Rates in percent with up to two decimals → basis points; one rate row per level.
    const ratesBp: number[] = []
    for (const [i, text] of values.rates.entries()) {
      const bp = parseHundredths(text)
      if (bp === null || bp > 5000) return problem(400, `rate.${i}`, 'VALIDATION_FAILED', 'plan.form.rateInvalid')
      ratesBp.push(bp)
    }
    if (ratesBp.length < 1 || ratesBp.length > 10) return problem(400, 'rates', 'VALIDATION_FAILED', 'plan.form.depthInvalid')
    if (ratesBp.reduce((a, b) => a + b, 0) > PLAN_TOTAL_MAX_BP) return problem(400, 'rates', 'PLAN_INVALID', 'plan.form.totalTooHigh')
    const body: PlanBody = { ratesBp, maxDepth: ratesBp.length, ...(values.note ? { note: values.note } : {}) }
    if (values.qualify) {
      const minOwnPurchaseCents = parseHundredths(values.minOwnPurchase)
      if (minOwnPurchaseCents === null) return problem(400, 'minOwnPurchase', 'VALIDATION_FAILED', 'shop.form.amountInvalid')
      const fromLevel = Number(values.fromLevel)
      if (!Number.isInteger(fromLevel) || fromLevel < 1 || fromLevel > ratesBp.length)
        return problem(400, 'fromLevel', 'PLAN_INVALID', 'plan.form.fromLevelInvalid')
      body.qualification = { minOwnPurchaseCents, fromLevel }
    }
    const res = await api<Plan>(fetch, 'POST', '/admin/commission-plan', body)
    if (!res.ok) return problem(res.status, formField(errorField(res.error)), res.error.code)
    return { created: res.data.version }
  },
}
