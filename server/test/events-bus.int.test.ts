import { describe, expect, it } from 'vitest'
import { CROSS_NODE_EVENTS, EventBus, type DomainEventName, type DomainEvents, type EventRelay } from '../src/events/index.ts'

/**
 * The event bus on its own (server/src/events/bus.ts): no server, no database. It lives with the
 * integration tests because it is the other half of events.int.test.ts and events-scale-out.int.test.ts.
 */
interface Ctx {
  node: string
}

function busOn(node: string) {
  const errors: Array<{ fields: Record<string, unknown>; message: string }> = []
  const log = { error: (fields: Record<string, unknown>, message: string) => void errors.push({ fields, message }) }
  const bus = new EventBus<Ctx>(log as never, CROSS_NODE_EVENTS)
  bus.bind({ node })
  return { bus, errors }
}

/** Pub/sub between buses in memory, like the Redis relay: each bus gets the others' events, not its own. */
function hub() {
  const listeners = new Map<EventRelay, (name: DomainEventName, event: unknown) => void>()
  const sent: Array<{ name: DomainEventName; event: unknown }> = []
  const relay = (): EventRelay => {
    const self: EventRelay = {
      async send(name, event) {
        sent.push({ name, event })
        // Over the wire: the receiver gets a copy, later.
        const copy = JSON.parse(JSON.stringify(event)) as unknown
        setTimeout(() => {
          for (const [other, receive] of listeners) if (other !== self) receive(name, copy)
        }, 5)
      },
      async listen(receive) {
        listeners.set(self, receive)
      },
    }
    return self
  }
  return { relay, sent }
}

const left: DomainEvents['group.member_left'] = { groupId: 'g1', memberId: 'm1', removed: true }
const comment: DomainEvents['comment.created'] = {
  commentId: 'c1',
  postId: 'p1',
  postArea: { type: 'feed' },
  postAuthorId: 'a1',
  parentAuthorId: null,
  authorId: 'w1',
  authorHandle: 'w',
  body: 'Hallo',
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('the event bus', () => {
  it('runs handlers one after another, in the order they were registered, each with the context and the event', async () => {
    const { bus } = busOn('a')
    const seen: string[] = []
    bus.register({
      module: 'first',
      subscribers: {
        'comment.created': async (ctx, e) => {
          seen.push(`first starts ${ctx.node} ${e.commentId}`)
          await pause(30) // the next one waits for this one
          seen.push('first ends')
        },
      },
    })
    bus.register({ module: 'second', subscribers: { 'comment.created': (ctx, e) => void seen.push(`second ${ctx.node} ${e.postId}`) } })
    bus.register({ module: 'third', subscribers: { 'comment.created': () => void seen.push('third'), 'post.created': () => void seen.push('not this one') } })
    await bus.publish('comment.created', comment)
    expect(seen).toEqual(['first starts a c1', 'first ends', 'second a p1', 'third'])
  })

  it('runs every-node handlers before the once-only ones, whatever the registration order', async () => {
    const { bus } = busOn('a')
    const seen: string[] = []
    bus.register({ module: 'once', subscribers: { 'group.member_left': () => void seen.push('once') } })
    bus.register({ module: 'everywhere', everyNode: { 'group.member_left': () => void seen.push('everyNode') } })
    await bus.publish('group.member_left', left)
    expect(seen).toEqual(['everyNode', 'once'])
  })

  it('logs a failing handler with the event, payload and module, and still runs the ones after it; publish resolves', async () => {
    const { bus, errors } = busOn('a')
    const seen: string[] = []
    bus.register({
      module: 'throws',
      subscribers: {
        'comment.created': () => {
          throw new Error('sync boom')
        },
      },
    })
    bus.register({
      module: 'rejects',
      subscribers: {
        'comment.created': async () => {
          throw new Error('async boom')
        },
      },
    })
    bus.register({ module: 'after', subscribers: { 'comment.created': () => void seen.push('after') } })
    await expect(bus.publish('comment.created', comment)).resolves.toBeUndefined()
    expect(seen).toEqual(['after'])
    expect(errors).toEqual([
      {
        message: 'an event subscriber failed',
        fields: { err: expect.objectContaining({ message: 'sync boom' }), event: 'comment.created', payload: comment, subscriber: 'throws', origin: 'local' },
      },
      {
        message: 'an event subscriber failed',
        fields: { err: expect.objectContaining({ message: 'async boom' }), event: 'comment.created', payload: comment, subscriber: 'rejects', origin: 'local' },
      },
    ])
  })

  it('refuses an every-node handler for an event that does not travel between nodes', () => {
    const { bus } = busOn('a')
    expect(CROSS_NODE_EVENTS.has('comment.created')).toBe(false)
    expect(() => bus.register({ module: 'wrong', everyNode: { 'comment.created': () => {} } })).toThrow(
      /wrong: "comment.created" does not travel between nodes/,
    )
    // Every event the catalog says travels may be subscribed on every node.
    for (const name of CROSS_NODE_EVENTS) expect(() => bus.register({ module: 'right', everyNode: { [name]: () => {} } })).not.toThrow()
  })

  it('refuses to run before it has a context', async () => {
    const bus = new EventBus<Ctx>({ error: () => {} } as never, CROSS_NODE_EVENTS)
    await expect(bus.publish('comment.created', comment)).rejects.toThrow(/no context/)
  })
})

describe('the event bus across nodes', () => {
  it('sends cross-node events to the other nodes, where only every-node handlers run; idle() waits for them', async () => {
    const { relay, sent } = hub()
    const a = busOn('a')
    const b = busOn('b')
    const seen: string[] = []
    for (const { bus } of [a, b]) {
      bus.register({
        module: 'chat',
        everyNode: { 'group.member_left': (ctx, e) => void seen.push(`everyNode on ${ctx.node}: ${e.memberId}`) },
        subscribers: {
          'group.member_left': async (ctx) => {
            await pause(1)
            seen.push(`once on ${ctx.node}`)
          },
        },
      })
    }
    b.bus.register({
      module: 'slow',
      everyNode: {
        'group.member_left': async (ctx) => {
          await pause(50)
          seen.push(`slow on ${ctx.node}`)
        },
      },
    })
    await a.bus.connect(relay())
    await b.bus.connect(relay())

    await a.bus.publish('group.member_left', left)
    expect(seen).toEqual(['everyNode on a: m1', 'once on a'])
    expect(sent).toEqual([{ name: 'group.member_left', event: left }])
    await pause(20) // delivered; b's slow handler is still running
    await b.bus.idle()
    expect(seen).toEqual(['everyNode on a: m1', 'once on a', 'everyNode on b: m1', 'slow on b'])
  })

  it('keeps events that do not travel on the node that published them', async () => {
    const { relay, sent } = hub()
    const a = busOn('a')
    const b = busOn('b')
    const seen: string[] = []
    for (const { bus } of [a, b]) bus.register({ module: 'notes', subscribers: { 'comment.created': (ctx) => void seen.push(ctx.node) } })
    await a.bus.connect(relay())
    await b.bus.connect(relay())
    await a.bus.publish('comment.created', comment)
    await pause(20)
    await b.bus.idle()
    expect(sent).toEqual([])
    expect(seen).toEqual(['a'])
  })

  it('logs a failure on the receiving node as remote, and keeps running the handlers after it', async () => {
    const { relay } = hub()
    const a = busOn('a')
    const b = busOn('b')
    const seen: string[] = []
    b.bus.register({
      module: 'breaks',
      everyNode: {
        'group.member_left': () => {
          throw new Error('remote boom')
        },
      },
    })
    b.bus.register({ module: 'after', everyNode: { 'group.member_left': () => void seen.push('after on b') } })
    await a.bus.connect(relay())
    await b.bus.connect(relay())
    await a.bus.publish('group.member_left', left)
    await pause(20)
    await b.bus.idle()
    expect(seen).toEqual(['after on b'])
    expect(b.errors).toEqual([
      {
        message: 'an event subscriber failed',
        fields: expect.objectContaining({ event: 'group.member_left', subscriber: 'breaks', origin: 'remote', payload: left }),
      },
    ])
  })

  it('still runs the local handlers when the relay cannot send, and logs it', async () => {
    const a = busOn('a')
    const seen: string[] = []
    a.bus.register({
      module: 'chat',
      everyNode: { 'group.member_left': () => void seen.push('everyNode') },
      subscribers: { 'group.member_left': () => void seen.push('once') },
    })
    await a.bus.connect({
      send: async () => {
        throw new Error('redis down')
      },
      listen: async () => {},
    })
    await expect(a.bus.publish('group.member_left', left)).resolves.toBeUndefined()
    expect(seen).toEqual(['everyNode', 'once'])
    expect(a.errors).toEqual([
      {
        message: 'an event could not reach the other nodes',
        fields: expect.objectContaining({ event: 'group.member_left', err: expect.objectContaining({ message: 'redis down' }) }),
      },
    ])
  })
})
