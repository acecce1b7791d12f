import { error, fail, redirect } from '@sveltejs/kit'
import { ERROR_STATUS, isErrorCode } from '@vernetzt/shared/errors'
import type { Product, ProductBody } from '@vernetzt/shared/schemas/commerce'
import { api, errorField } from '$lib/server/api'
import { parseHundredths } from './money.ts'

/** Admin pages: signed-out visitors sign in first; everyone else gets a 403 page. */
export function requireAdminPage(locals: App.Locals, url: URL): void {
  if (!locals.user) redirect(303, `/login?next=${encodeURIComponent(url.pathname + url.search)}`)
  if (locals.user.role !== 'admin') error(403, { message: 'Administrators only', code: 'FORBIDDEN' })
}

/** What the form sends back on a problem, so it keeps what was typed. */
export interface ProductFormValues {
  name: string
  description: string
  price: string
  vat: string
  commissionable: string
  active: boolean
  imageIds: string[]
}

/** The API's field names → the form's. */
const FORM_FIELD: Record<string, string> = { priceCents: 'price', commissionableCents: 'commissionable', vatRateBp: 'vat', imageIds: 'images' }

function problem(status: number, values: ProductFormValues, field: string | null, code: string, hint: string | null = null) {
  return fail(status, { values, field, code, hint })
}

/**
 * Reads the product form (prices typed as "12,90"), uploads new pictures through /api/v1/media
 * and saves through the API. Returns the saved product or a fail() with the field to point at.
 */
export async function saveProduct(request: Request, fetch: typeof globalThis.fetch, id: string | null) {
  const form = await request.formData()
  const values: ProductFormValues = {
    name: String(form.get('name') ?? '').trim(),
    description: String(form.get('description') ?? ''),
    price: String(form.get('price') ?? ''),
    vat: String(form.get('vat') ?? '1900'),
    commissionable: String(form.get('commissionable') ?? ''),
    active: form.get('active') === 'on',
    imageIds: form
      .getAll('imageIds')
      .map(String)
      .filter((v) => /^[0-9a-f]{24}$/.test(v)),
  }
  const priceCents = parseHundredths(values.price)
  if (priceCents === null || priceCents < 1) return problem(400, values, 'price', 'VALIDATION_FAILED', 'shop.form.amountInvalid')
  const commissionableCents = parseHundredths(values.commissionable)
  if (commissionableCents === null) return problem(400, values, 'commissionable', 'VALIDATION_FAILED', 'shop.form.amountInvalid')
  if (commissionableCents > priceCents) return problem(400, values, 'commissionable', 'VALIDATION_FAILED', 'shop.form.commissionableAbovePrice')

  for (const file of form.getAll('images')) {
    if (!(file instanceof File) || file.size === 0) continue
    const upload = new FormData()
    upload.append('image', file, file.name)
    const res = await fetch('/api/v1/media', { method: 'POST', body: upload })
    const json = (await res.json().catch(() => null)) as { id?: string; error?: { code?: string } } | null
    if (!res.ok || !json?.id) {
      const code = json?.error?.code ?? 'INTERNAL'
      return problem(isErrorCode(code) ? ERROR_STATUS[code] : res.status, values, 'images', code)
    }
    // Kept in the values at once: a later problem in the form does not lose the upload.
    values.imageIds.push(json.id)
  }

  const body: ProductBody = {
    name: values.name,
    description: values.description,
    priceCents,
    commissionableCents,
    vatRateBp: Number(values.vat) as ProductBody['vatRateBp'],
    active: values.active,
    imageIds: values.imageIds,
    currency: 'EUR',
  }
  const res = await api<Product>(fetch, id ? 'PUT' : 'POST', id ? `/admin/products/${encodeURIComponent(id)}` : '/admin/products', body)
  if (!res.ok) {
    const field = errorField(res.error)?.split(/[./]/)[0] ?? null
    return problem(res.status, values, field ? (FORM_FIELD[field] ?? field) : null, res.error.code)
  }
  return { product: res.data }
}
