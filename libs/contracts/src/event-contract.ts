import type { ClassConstructor } from 'class-transformer';
import type { CloudEvent } from './envelope';

export type Producer = 'registry' | 'survey' | 'classification' | 'notifications';

/**
 * How an event reaches its readers: `nats`, published on its JetStream subject (the outbox);
 * `webhook`, sent only by HTTP to one webhook subscription's URL, never published on NATS.
 */
export type Transport = 'nats' | 'webhook';

/** One event type: its name parts, the payload class that validates it, a description for AsyncAPI. */
export interface EventContract<T extends object = object> {
  readonly type: string;
  readonly producer: Producer;
  readonly aggregate: string;
  readonly verb: string;
  readonly major: number;
  readonly payload: ClassConstructor<T>;
  readonly summary: string;
  readonly transport: Transport;
}

export function defineEvent<T extends object>(spec: {
  producer: Producer;
  aggregate: string;
  verb: string;
  major: number;
  payload: ClassConstructor<T>;
  summary: string;
  /** Defaults to `nats`. */
  transport?: Transport;
}): EventContract<T> {
  return {
    ...spec,
    transport: spec.transport ?? 'nats',
    type: `kkb.${spec.producer}.${spec.aggregate}.${spec.verb}.v${spec.major}`,
  };
}

/** The payload class of a contract: `PayloadOf<typeof kampungRegisteredV1>` is `KampungRegisteredV1`. */
export type PayloadOf<C> = C extends EventContract<infer T> ? T : never;

/**
 * Whether an event is of `contract`'s type, narrowing its `data` to the contract's payload. The
 * data is trusted to match: call it on events already checked against their contract (the
 * consumer does so before a handler sees them). Comparing with the contract, not a type string,
 * makes a renamed or removed contract a compile error where its events are read.
 */
export function isEvent<C extends EventContract>(
  event: CloudEvent<unknown>,
  contract: C,
): event is CloudEvent<PayloadOf<C>> {
  return event.type === contract.type;
}
