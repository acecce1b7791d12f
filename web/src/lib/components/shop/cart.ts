import { ORDER_ITEMS_MAX } from '@vernetzt/shared/schemas/commerce'

/** The cart lives in a cookie (it survives a reload and works without JavaScript): "id:qty,id:qty". */
export const CART_COOKIE = 'vz_cart'
export const CART_DAYS = 30
export const QUANTITY_MAX = 999

export interface CartLine {
  productId: string
  quantity: number
}

const ID = /^[0-9a-f]{24}$/

/** Reads the cookie; anything malformed is dropped, never trusted. */
export function parseCart(value: string | undefined): CartLine[] {
  const lines: CartLine[] = []
  for (const part of (value ?? '').split(',')) {
    const [productId = '', raw = ''] = part.split(':')
    const quantity = Number(raw)
    if (!ID.test(productId) || !Number.isInteger(quantity) || quantity < 1) continue
    const same = lines.find((l) => l.productId === productId)
    if (same) same.quantity = Math.min(QUANTITY_MAX, same.quantity + quantity)
    else if (lines.length < ORDER_ITEMS_MAX) lines.push({ productId, quantity: Math.min(QUANTITY_MAX, quantity) })
  }
  return lines
}

export function serializeCart(lines: readonly CartLine[]): string {
  return lines.map((l) => `${l.productId}:${l.quantity}`).join(',')
}

/** Adds to a line (or starts one); the quantity stays within what an order accepts. */
export function addToCart(lines: readonly CartLine[], productId: string, quantity: number): CartLine[] {
  if (!ID.test(productId) || !Number.isInteger(quantity) || quantity < 1) return [...lines]
  const existing = lines.find((l) => l.productId === productId)
  if (existing) return lines.map((l) => (l === existing ? { ...l, quantity: Math.min(QUANTITY_MAX, l.quantity + quantity) } : l))
  if (lines.length >= ORDER_ITEMS_MAX) return [...lines]
  return [...lines, { productId, quantity: Math.min(QUANTITY_MAX, quantity) }]
}

/** Sets a line's quantity; 0 removes it. */
export function setQuantity(lines: readonly CartLine[], productId: string, quantity: number): CartLine[] {
  if (!Number.isInteger(quantity) || quantity < 0) return [...lines]
  if (quantity === 0) return lines.filter((l) => l.productId !== productId)
  return lines.map((l) => (l.productId === productId ? { ...l, quantity: Math.min(QUANTITY_MAX, quantity) } : l))
}
