import type { CloudEvent, EventContract } from '@kkb/contracts';
import type { EntityManager } from 'typeorm';

export interface HandlerContext {
  /** The transaction the inbox row is written in: write every effect through it. */
  manager: EntityManager;
  /** How many times JetStream has delivered this message (1 on the first try). */
  deliveryCount: number;
  subject: string;
}

/**
 * An event handler. Its effects and the inbox row commit together, so a redelivered event
 * changes nothing twice. Throw PermanentEventError for an event that can never succeed (it is
 * dead-lettered at once); any other error is retried with backoff up to max_deliver.
 */
export interface EventHandler<T extends object = object> {
  readonly contracts: readonly EventContract<T>[];
  handle(event: CloudEvent<T>, ctx: HandlerContext): Promise<void>;
}

export class PermanentEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentEventError';
  }
}
