import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

export interface StreamSpec {
  name: string;
  subjects: string[];
  replicas: number;
  maxAgeDays: number;
  description: string;
}

const NOT_FOUND = new Set([10059, 10014]);

function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && NOT_FOUND.has(err.code);
}

/**
 * Creates the stream, or updates the fields of an existing one that may change (subjects,
 * replicas, retention). A stream is never deleted or purged here. Several services may ensure
 * the same stream at once: whoever loses the create race updates instead.
 */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<void> {
  const wanted: Partial<StreamConfig> = {
    subjects: spec.subjects,
    num_replicas: spec.replicas,
    max_age: nanos(spec.maxAgeDays * 24 * 3600 * 1000),
    duplicate_window: nanos(5 * 60 * 1000),
    description: spec.description,
  };
  try {
    const info = await jsm.streams.info(spec.name);
    const c = info.config;
    const same =
      c.num_replicas === wanted.num_replicas &&
      c.max_age === wanted.max_age &&
      c.duplicate_window === wanted.duplicate_window &&
      JSON.stringify([...(c.subjects ?? [])].sort()) === JSON.stringify([...spec.subjects].sort());
    if (!same) await jsm.streams.update(spec.name, { ...c, ...wanted });
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await jsm.streams.add({
      name: spec.name,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      ...wanted,
    });
  } catch (err) {
    // Lost a create race with another replica or service: the stream exists now.
    if (err instanceof JetStreamApiError && err.code === 10058) return ensureStream(jsm, spec);
    throw err;
  }
}

export interface DurableSpec {
  stream: string;
  durable: string;
  filterSubject: string;
  maxDeliver: number;
  ackWaitMs: number;
  maxAckPending: number;
  description: string;
}

/** Creates the durable pull consumer, or updates its changeable settings; never deletes it. */
export async function ensureDurable(jsm: JetStreamManager, spec: DurableSpec): Promise<void> {
  const updatable = {
    max_deliver: spec.maxDeliver,
    ack_wait: nanos(spec.ackWaitMs),
    max_ack_pending: spec.maxAckPending,
    description: spec.description,
  };
  try {
    const info = await jsm.consumers.info(spec.stream, spec.durable);
    const c = info.config;
    if (c.filter_subject !== spec.filterSubject) {
      throw new Error(
        `consumer ${spec.durable} on ${spec.stream} filters '${c.filter_subject}', expected '${spec.filterSubject}': ` +
          'a filter change needs a new durable name',
      );
    }
    if (
      c.max_deliver !== updatable.max_deliver ||
      c.ack_wait !== updatable.ack_wait ||
      c.max_ack_pending !== updatable.max_ack_pending
    ) {
      await jsm.consumers.update(spec.stream, spec.durable, updatable);
    }
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    await jsm.consumers.add(spec.stream, {
      durable_name: spec.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: spec.filterSubject,
      ...updatable,
    });
  } catch (err) {
    if (err instanceof JetStreamApiError && (err.code === 10148 || err.code === 10013)) {
      return ensureDurable(jsm, spec);
    }
    throw err;
  }
}
