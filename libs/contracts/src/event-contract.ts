import type { ClassConstructor } from 'class-transformer';

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
