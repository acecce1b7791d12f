import { describe, expect, it } from 'vitest'
import { addToCart, parseCart, serializeCart, setQuantity } from './cart.ts'

const A = 'a'.repeat(24)
const B = 'b'.repeat(24)

describe('the cart cookie', () => {
  it('round-trips lines and adds to an existing line instead of repeating it', () => {
    let cart = addToCart([], A, 2)
    cart = addToCart(cart, B, 1)
    cart = addToCart(cart, A, 3)
    expect(cart).toEqual([
      { productId: A, quantity: 5 },
      { productId: B, quantity: 1 },
    ])
    expect(parseCart(serializeCart(cart))).toEqual(cart)
  })

  it('drops what a tampered cookie holds that no order would accept', () => {
    expect(parseCart(`${A}:2,nonsense,${B}:-1,${B}:1.5,zz:3,${A}:1`)).toEqual([{ productId: A, quantity: 3 }])
    expect(parseCart(`${A}:5000`)).toEqual([{ productId: A, quantity: 999 }])
    expect(parseCart(undefined)).toEqual([])
  })

  it('changes a quantity, and removes the line at 0', () => {
    const cart = [
      { productId: A, quantity: 2 },
      { productId: B, quantity: 1 },
    ]
    expect(setQuantity(cart, A, 4)).toEqual([
      { productId: A, quantity: 4 },
      { productId: B, quantity: 1 },
    ])
    expect(setQuantity(cart, A, 0)).toEqual([{ productId: B, quantity: 1 }])
    expect(setQuantity(cart, A, -1)).toEqual(cart)
  })
})
