import type { FastifyBaseLogger } from 'fastify'
import type { DomainEventName, DomainEvents } from './catalog.ts'

/** One reaction to one event. `ctx` is the service context of the node the handler runs on. */
export type Handler<C, K extends DomainEventName> = (ctx: C, event: DomainEvents[K]) => Promise<void> | void

/** A module's reactions, by event name (a module lists each event at most once). */
export type Subscribers<C> = { [K in DomainEventName]?: Handler<C, K> }

/** What a module registers: its name (for the logs) and its reactions. */
export interface Subscription<C> {
  module: string
  /** Run once, on the node that published the event, before its request answers. */
  subscribers?: Subscribers<C>
  /**
   * Run on every node (the publishing one included) for events that reach other nodes: forgetting
   * cached access, closing sockets. Only events in CROSS_NODE_EVENTS travel.
   */
  everyNode?: Subscribers<C>
}

/** What publishers see (`ctx.events`). */
export interface EventPublisher {
  /**
   * Says that something happened. Call it after the publisher's own writes succeeded: handlers
   * run one after another in registration order, each failure is logged with the event and
   * neither undoes the write nor stops the handlers after it. Resolves when all have run.
   */
  publish<K extends DomainEventName>(name: K, event: DomainEvents[K]): Promise<void>
}

/** Carries events to the other nodes (Redis pub/sub); `receive` is called with theirs. */
export interface EventRelay {
  send(name: DomainEventName, event: unknown): Promise<void>
  listen(receive: (name: DomainEventName, event: unknown) => void): Promise<void>
}

type AnyHandler<C> = (ctx: C, event: unknown) => Promise<void> | void
interface Entry<C> {
  module: string
  handle: AnyHandler<C>
}

/**
 * The typed in-process event bus. Modules publish what happened and never call the modules
 * that react; the reactions are registered once, in a visible order, by the composition root
 * (server/src/compose.ts).
 */
export class EventBus<C> implements EventPublisher {
  private readonly once = new Map<DomainEventName, Entry<C>[]>()
  private readonly everywhere = new Map<DomainEventName, Entry<C>[]>()
  private relay: EventRelay | null = null
  private context: C | null = null
  /** Handler runs still going (remote events are not awaited by anyone): for a clean shutdown. */
  private readonly running = new Set<Promise<void>>()

  private readonly log: Pick<FastifyBaseLogger, 'error'>
  private readonly crossNode: ReadonlySet<DomainEventName>

  constructor(log: Pick<FastifyBaseLogger, 'error'>, crossNode: ReadonlySet<DomainEventName>) {
    this.log = log
    this.crossNode = crossNode
  }

  /** The context handlers receive; set once, after the context that holds this bus exists. */
  bind(ctx: C): void {
    this.context = ctx
  }

  register(subscription: Subscription<C>): void {
    for (const [map, subscribers] of [
      [this.once, subscription.subscribers],
      [this.everywhere, subscription.everyNode],
    ] as const) {
      for (const [name, handle] of Object.entries(subscribers ?? {}) as Array<[DomainEventName, AnyHandler<C>]>) {
        if (map === this.everywhere && !this.crossNode.has(name)) {
          throw new Error(`${subscription.module}: "${name}" does not travel between nodes; subscribe to it once, not on every node.`)
        }
        const list = map.get(name) ?? []
        list.push({ module: subscription.module, handle })
        map.set(name, list)
      }
    }
  }

  /** Events from other nodes arrive through `relay`; this node's cross-node events leave through it. */
  async connect(relay: EventRelay): Promise<void> {
    this.relay = relay
    await relay.listen((name, event) => {
      const run = this.run(name, event, this.everywhere.get(name) ?? [], 'remote')
      this.running.add(run)
      void run.finally(() => this.running.delete(run))
    })
  }

  async publish<K extends DomainEventName>(name: K, event: DomainEvents[K]): Promise<void> {
    if (this.relay && this.crossNode.has(name)) {
      // The other nodes act on their own; a Redis hiccup costs them the event, not this request
      // (which does not wait for the send).
      void this.relay.send(name, event).catch((error: unknown) => this.log.error({ err: error, event: name }, 'an event could not reach the other nodes'))
    }
    await this.run(name, event, [...(this.everywhere.get(name) ?? []), ...(this.once.get(name) ?? [])], 'local')
  }

  /** Waits for handlers started by other nodes' events (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running])
  }

  private async run(name: DomainEventName, event: unknown, handlers: Entry<C>[], origin: 'local' | 'remote'): Promise<void> {
    const ctx = this.context
    if (!ctx) throw new Error('The event bus has no context yet.')
    for (const { module, handle } of handlers) {
      try {
        await handle(ctx, event)
      } catch (error) {
        this.log.error({ err: error, event: name, payload: event, subscriber: module, origin }, 'an event subscriber failed')
      }
    }
  }
}
