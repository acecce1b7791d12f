import { randomUUID } from 'node:crypto'
import type { DomainEventName } from './catalog.ts'
import type { EventRelay } from './bus.ts'

const CHANNEL = 'vernetzt:events'

/**
 * Carries cross-node events over Redis pub/sub. Each node tags what it sends and ignores its own
 * messages (it ran the handlers already). Pub/sub is fire-and-forget: a node that is down misses
 * the event, which is fine for what travels (caches and sockets of a node that restarts are empty).
 */
export async function redisRelay(url: string, onError: (error: unknown) => void): Promise<EventRelay & { close(): Promise<void> }> {
  const { createClient } = await import('redis')
  const pub = createClient({ url })
  const sub = pub.duplicate()
  // Without a listener a lost connection would be an unhandled error; the clients reconnect by themselves.
  for (const client of [pub, sub]) client.on('error', (error: unknown) => onError(error))
  await Promise.all([pub.connect(), sub.connect()])
  const node = randomUUID()
  return {
    async send(name, event) {
      await pub.publish(CHANNEL, JSON.stringify({ node, name, event }))
    },
    async listen(receive) {
      await sub.subscribe(CHANNEL, (raw) => {
        let message: { node?: string; name?: DomainEventName; event?: unknown }
        try {
          message = JSON.parse(raw) as typeof message
        } catch {
          return
        }
        if (message.node === node || !message.name) return
        receive(message.name, message.event)
      })
    },
    async close() {
      await Promise.allSettled([pub.quit(), sub.quit()])
    },
  }
}
