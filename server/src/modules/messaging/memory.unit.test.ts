import { describe, expect, it } from 'vitest'
import { Memory } from './memory.ts'

/** A fetch that answers when told to, like a database read still on its way. */
function pending<V>(value: V) {
  let answer!: () => void
  const promise = new Promise<V>((resolve) => (answer = () => resolve(value)))
  return { fetch: () => promise, answer }
}

describe('Memory.load', () => {
  it('remembers what it read', async () => {
    const memory = new Memory<string, { read: number }>(10_000)
    const read = pending({ read: 0 })
    const loading = memory.load('p', read.fetch)
    read.answer()
    expect(await loading).toEqual({ read: 0 })
    expect(memory.get('p')).toEqual({ read: 0 })
  })

  it('does not keep a read that a change on this node overtook', async () => {
    const memory = new Memory<string, { read: number }>(10_000)
    const read = pending({ read: 0 }) // read before the member's read mark was written
    const loading = memory.load('p', read.fetch)
    memory.update('p', (v) => ({ ...v, read: 5 })) // the read mark, while nothing is remembered yet
    read.answer()
    expect(await loading).toEqual({ read: 0 })
    expect(memory.get('p')).toBeUndefined() // the next look reads the database again
    const again = pending({ read: 5 })
    const next = memory.load('p', again.fetch)
    again.answer()
    expect(await next).toEqual({ read: 5 })
    expect(memory.get('p')).toEqual({ read: 5 })
  })
})
