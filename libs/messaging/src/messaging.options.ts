import type { EventContract, Producer } from '@kkb/contracts';

/**
 * A durable consumer of the service. Its handlers are the `@EventPattern(<contract>.type)` methods
 * of the service's controllers whose event this durable reads (see bindConsumers).
 */
export interface ConsumerSpec {
  /** Durable name, unique within the source stream, e.g. `classification-registry-kampung`. */
  durable: string;
  /** The producing service whose stream is read. */
  from: Producer;
  /** Subject filter below `<root>.<from>.`, e.g. `kampung.>`; `>` for everything. */
  filter: string;
  /** Batches processed at once by one replica (default 1: in stream order). */
  concurrency?: number;
  /** Most messages handled in one transaction (default 32; 1 turns batching off). */
  maxBatch?: number;
}

export interface MessagingOptions {
  service: Producer;
  /** NATS servers, comma-separated. */
  natsUrl: string;
  /** The service's NATS user and password, when the server requires them. */
  natsUser?: string;
  natsPassword?: string;
  /** Replaces the leading `kkb` of subjects (tests use a unique root per run). */
  subjectRoot: string;
  /** Prefix of stream names: `<prefix>_REGISTRY`, `<prefix>_DLQ`. */
  streamPrefix: string;
  streamReplicas: number;
  retentionDays: number;
  /** The schema of the service, for the outbox and inbox tables. */
  schema: string;
  outbox: { enabled: boolean; batchSize: number; pollMs: number; retentionHours: number };
  consumers: ConsumerSpec[];
  consumersEnabled: boolean;
  maxDeliver: number;
  ackWaitMs: number;
  /** Delay before redelivery attempt n+1 after a transient failure (last value repeats). */
  backoffMs: number[];
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

export const DEFAULT_BACKOFF_MS = [1000, 5000, 15000, 60000, 300000];

export function streamName(prefix: string, producer: string): string {
  return `${prefix}_${producer.toUpperCase()}`;
}

export function dlqStreamName(prefix: string): string {
  return `${prefix}_DLQ`;
}

export type AnyContract = EventContract<object>;
