import { randomUUID } from 'node:crypto'
import { fail, redirect, type Cookies } from '@sveltejs/kit'
import type { Order, Product } from '@vernetzt/shared/schemas/commerce'
import { CART_COOKIE, CART_DAYS, addToCart, parseCart, serializeCart, setQuantity, type CartLine } from '$lib/components/shop/cart'
import { api, errorField } from '$lib/server/api'
import type { Actions, PageServerLoad } from './$types'

function saveCart(cookies: Cookies, url: URL, lines: CartLine[]): void {
  const options = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: url.protocol === 'https:' }
  if (lines.length === 0) cookies.delete(CART_COOKIE, options)
  else cookies.set(CART_COOKIE, serializeCart(lines), { ...options, maxAge: CART_DAYS * 86_400 })
}

export const load: PageServerLoad = async ({ fetch, cookies }) => {
  const res = await api<{ items: Product[] }>(fetch, 'GET', '/products')
  const products = res.ok ? res.data.items.filter((p) => p.active) : []
  return {
    products,
    cart: parseCart(cookies.get(CART_COOKIE)),
    // One key per checkout attempt: a double click or a retry of this very page orders once.
    idempotencyKey: randomUUID(),
  }
}

const quantityOf = (form: FormData) => Number(String(form.get('quantity') ?? '').trim())

export const actions: Actions = {
  add: async ({ request, cookies, url }) => {
    const form = await request.formData()
    const productId = String(form.get('productId') ?? '')
    const quantity = quantityOf(form)
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > 999) return fail(400, { action: 'add', productId, code: 'VALIDATION_FAILED' })
    saveCart(cookies, url, addToCart(parseCart(cookies.get(CART_COOKIE)), productId, quantity))
    return { action: 'add', productId, added: quantity }
  },
  set: async ({ request, cookies, url }) => {
    const form = await request.formData()
    const productId = String(form.get('productId') ?? '')
    const quantity = form.has('remove') ? 0 : quantityOf(form)
    if (!Number.isInteger(quantity) || quantity < 0 || quantity > 999) return fail(400, { action: 'set', productId, code: 'VALIDATION_FAILED' })
    saveCart(cookies, url, setQuantity(parseCart(cookies.get(CART_COOKIE)), productId, quantity))
    return { action: 'set', productId }
  },
  order: async ({ request, cookies, url, fetch, locals }) => {
    // Customers and partners both order; whoever is signed out signs in first and comes back.
    if (!locals.user) redirect(303, `/login?next=${encodeURIComponent('/shop')}`)
    const form = await request.formData()
    const items = parseCart(cookies.get(CART_COOKIE))
    if (items.length === 0) return fail(400, { action: 'order', code: 'CART_EMPTY' })
    const res = await api<Order>(fetch, 'POST', '/orders', { items, idempotencyKey: String(form.get('idempotencyKey') ?? '') })
    if (!res.ok) {
      // "items/2/productId": point at the product that is no longer available.
      const line = /^items[./](\d+)/.exec(errorField(res.error) ?? '')?.[1]
      return fail(res.status, { action: 'order', code: res.error.code, productId: line === undefined ? null : (items[Number(line)]?.productId ?? null) })
    }
    saveCart(cookies, url, [])
    redirect(303, `/orders/${res.data.id}`)
  },
}
