// The event bus's face: what modules and the composition root use.
export { CROSS_NODE_EVENTS, type DomainEventName, type DomainEvents } from './catalog.ts'
export { EventBus, type EventPublisher, type EventRelay, type Handler, type Subscribers, type Subscription } from './bus.ts'
