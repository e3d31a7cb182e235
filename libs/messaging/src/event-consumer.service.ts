import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, type Subscription } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import {
  checkEvent,
  deadLetterSubject,
  type CloudEvent,
  type EventContract,
  type FieldProblem,
} from '@kkb/contracts';
import {
  activeSpan,
  findUnstorableInput,
  injectTraceContext,
  markSpanFailed,
  MetricsRegistry,
  runWithCorrelation,
  SpanKind,
  SpanStatusCode,
  TRACE_ATTR,
  tracingEnabled,
  withSpan,
  type Span,
  type StartSpanOptions,
} from '@kkb/platform';
import type { EventHandler } from './event-handler';
import { PermanentEventError } from './event-handler';
import { ensureDurable, ensureStream } from './jetstream-provisioner';
import {
  dlqStreamName,
  MESSAGING_OPTIONS,
  streamName,
  type ConsumerSpec,
  type MessagingOptions,
} from './messaging.options';
import { NatsConnectionService } from './nats-connection';
import { InboxRepository } from './inbox.repository';

/** What a dead letter carries: the original event text and why it could not be handled. */
export interface DeadLetter {
  reason: string;
  problems?: FieldProblem[];
  service: string;
  consumer: string;
  deliveryCount: number;
  stream: string;
  streamSequence: number;
  subject: string;
  receivedAt: string;
  /** The event as received; cut to `MAX_DEAD_LETTER_EVENT` characters (then `eventTruncated`). */
  event: string;
  eventTruncated?: boolean;
}

/**
 * A dead letter carries the event so that it can be inspected and replayed, but must itself fit in
 * one NATS message: an event near the server's max_payload plus the letter's own fields would not,
 * and a dead letter that cannot be published leaves the message to be redelivered forever. Longer
 * events are cut (the stream and sequence still point at the original while the stream keeps it).
 */
export const MAX_DEAD_LETTER_EVENT = 256 * 1024;
/** At most this many field problems are kept in one dead letter. */
const MAX_DEAD_LETTER_PROBLEMS = 20;

function letterEvent(event: string): Pick<DeadLetter, 'event' | 'eventTruncated'> {
  return event.length > MAX_DEAD_LETTER_EVENT
    ? { event: event.slice(0, MAX_DEAD_LETTER_EVENT), eventTruncated: true }
    : { event };
}

type Outcome = 'handled' | 'duplicate' | 'ignored' | 'retry' | 'dead-lettered';

interface RunningConsumer {
  spec: ConsumerSpec;
  stream: string;
  handlers: Map<string, EventHandler>;
  contracts: Map<string, EventContract<object>>;
  messages?: ConsumerMessages;
  loop?: Promise<void>;
  /** JetStream's MAX_DELIVERIES advisories of this durable (see watchMaxDeliveries). */
  advisories?: Subscription;
}

/** The part of JetStream's `io.nats.jetstream.advisory.v1.max_deliver` advisory used here. */
interface MaxDeliveriesAdvisory {
  stream: string;
  consumer: string;
  stream_seq: number;
  deliveries: number;
}

/**
 * The one place that owns the JetStream ack contract for every service:
 * - a malformed or contract-breaking event, or a PermanentEventError: dead letter, then `term`;
 * - a transient failure: `nak` with backoff, until `max_deliver`, then dead letter and `term`;
 * - success: the handler's effects and the inbox row commit in one transaction, then `ack`;
 *   a redelivered event finds its inbox row and is acked without running the handler again;
 * - long work: `working()` keeps the message from being redelivered while the handler runs.
 * Handlers never ack; nothing auto-acks.
 * With tracing on, each delivery is a CONSUMER span `process <event type>`, child of the
 * publisher's span (the message's `traceparent` header) and active while the handler runs, so the
 * events it adds to the outbox continue the same trace.
 */
@Injectable()
export class EventConsumerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventConsumerService.name);
  private readonly consumers: RunningConsumer[] = [];
  private readonly inbox = new InboxRepository();
  private stopping = false;
  private readonly handled;
  private readonly duration;
  private readonly pending;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly nats: NatsConnectionService,
    private readonly moduleRef: ModuleRef,
    metrics: MetricsRegistry,
  ) {
    this.handled = metrics.counter({
      name: 'kkb_events_consumed_total',
      help: 'Events taken from JetStream, by consumer, type and outcome',
      labelNames: ['consumer', 'type', 'outcome'],
    });
    this.duration = metrics.histogram({
      name: 'kkb_event_handle_seconds',
      help: 'Time to handle one event, transaction included',
      labelNames: ['consumer'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    });
    this.pending = metrics.gauge({
      name: 'kkb_consumer_lag',
      help: 'Messages of a durable consumer not yet delivered (pending) or not yet acked (ack_pending)',
      labelNames: ['consumer', 'state'],
      collect: async () => {
        for (const c of this.consumers) {
          const info = await this.nats.jsm.consumers.info(c.stream, c.spec.durable).catch(() => null);
          if (!info) continue;
          this.pending.set({ consumer: c.spec.durable, state: 'pending' }, info.num_pending);
          this.pending.set({ consumer: c.spec.durable, state: 'ack_pending' }, info.num_ack_pending);
        }
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.provision();
    for (const c of this.consumers) this.watchMaxDeliveries(c);
    if (this.options.consumersEnabled) this.startAll();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stopAll();
  }

  /** Ensures the DLQ stream, the streams read from and every durable consumer. */
  async provision(): Promise<void> {
    const { streamPrefix, subjectRoot, streamReplicas, retentionDays } = this.options;
    await ensureStream(this.nats.jsm, {
      name: dlqStreamName(streamPrefix),
      subjects: [`${subjectRoot}.dlq.>`],
      replicas: streamReplicas,
      maxAgeDays: retentionDays,
      description: 'Dead letters of every service: the original event and the reason',
    });
    for (const spec of this.options.consumers) {
      const stream = streamName(streamPrefix, spec.from);
      await ensureStream(this.nats.jsm, {
        name: stream,
        subjects: [`${subjectRoot}.${spec.from}.>`],
        replicas: streamReplicas,
        maxAgeDays: retentionDays,
        description: `Events published by the ${spec.from} service`,
      });
      await ensureDurable(this.nats.jsm, {
        stream,
        durable: spec.durable,
        filterSubject: `${subjectRoot}.${spec.from}.${spec.filter}`,
        maxDeliver: this.options.maxDeliver,
        ackWaitMs: this.options.ackWaitMs,
        maxAckPending: 1000,
        description: `${this.options.service}: ${spec.handlers.map((h) => h.name).join(', ')}`,
      });
      const handlers = new Map<string, EventHandler>();
      const contracts = new Map<string, EventContract<object>>();
      for (const type of spec.handlers) {
        const handler = this.moduleRef.get<EventHandler>(type, { strict: false });
        for (const c of handler.contracts) {
          if (handlers.has(c.type)) throw new Error(`two handlers for ${c.type} on consumer ${spec.durable}`);
          handlers.set(c.type, handler);
          contracts.set(c.type, c as EventContract<object>);
        }
      }
      this.consumers.push({ spec, stream, handlers, contracts });
    }
  }

  startAll(): void {
    this.stopping = false;
    for (const c of this.consumers) if (!c.loop) c.loop = this.run(c);
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    for (const c of this.consumers) {
      c.advisories?.unsubscribe();
      c.advisories = undefined;
    }
    for (const c of this.consumers) await c.messages?.close().catch(() => undefined);
    await Promise.all(this.consumers.map((c) => c.loop));
    for (const c of this.consumers) c.loop = undefined;
  }

  private async run(c: RunningConsumer): Promise<void> {
    const concurrency = Math.max(1, c.spec.concurrency ?? 1);
    while (!this.stopping) {
      try {
        const consumer = await this.nats.js.consumers.get(c.stream, c.spec.durable);
        c.messages = await consumer.consume({ max_messages: Math.max(64, concurrency * 4) });
        const inFlight = new Set<Promise<unknown>>();
        for await (const msg of c.messages) {
          const p: Promise<unknown> = this.process(c, msg).finally(() => inFlight.delete(p));
          inFlight.add(p);
          if (inFlight.size >= concurrency) await Promise.race(inFlight);
          if (this.stopping) break;
        }
        await Promise.all(inFlight);
      } catch (err) {
        if (this.stopping) break;
        this.logger.warn(
          { err: (err as Error).message, consumer: c.spec.durable },
          'consumer loop failed; restarting',
        );
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /** Handles one message; never throws. */
  async process(c: RunningConsumer, msg: JsMsg): Promise<Outcome> {
    const started = process.hrtime.bigint();
    let type = 'unknown';
    const outcome = await withSpan(
      'process',
      tracingEnabled() ? this.spanOptions(c, msg) : {},
      async (span): Promise<Outcome> => {
        let result: Outcome;
        try {
          result = await this.processInner(c, msg, span, (t) => {
            type = t;
            span.updateName(`process ${t}`);
            span.setAttribute(TRACE_ATTR.cloudeventsEventType, t);
          });
        } catch (err) {
          // Only the dead-letter publish itself can land here: leave the message for redelivery.
          markSpanFailed(span, err);
          this.logger.error(
            { err, consumer: c.spec.durable },
            'could not dead-letter a message; it will be redelivered',
          );
          msg.nak(this.backoff(msg.info.deliveryCount));
          result = 'retry';
        }
        span.setAttribute(TRACE_ATTR.outcome, result);
        return result;
      },
    );
    this.handled.inc({ consumer: c.spec.durable, type, outcome });
    this.duration.observe({ consumer: c.spec.durable }, Number(process.hrtime.bigint() - started) / 1e9);
    return outcome;
  }

  /** The CONSUMER span of one delivery, continuing the trace in the message's headers. */
  private spanOptions(c: RunningConsumer, msg: JsMsg): StartSpanOptions {
    return {
      kind: SpanKind.CONSUMER,
      parent: {
        traceparent: msg.headers?.get('traceparent') || undefined,
        tracestate: msg.headers?.get('tracestate') || undefined,
      },
      scope: this.options.service,
      attributes: {
        [TRACE_ATTR.messagingSystem]: 'nats',
        [TRACE_ATTR.messagingOperationType]: 'process',
        [TRACE_ATTR.messagingOperationName]: 'process',
        [TRACE_ATTR.messagingDestinationName]: msg.subject,
        [TRACE_ATTR.messagingConsumerGroupName]: c.spec.durable,
        [TRACE_ATTR.messagingDeliveryCount]: msg.info.deliveryCount,
      },
    };
  }

  private async processInner(
    c: RunningConsumer,
    msg: JsMsg,
    span: Span,
    setType: (t: string) => void,
  ): Promise<Outcome> {
    let raw: unknown;
    try {
      raw = JSON.parse(msg.string());
    } catch (err) {
      return this.deadLetter(c, msg, `malformed JSON: ${(err as Error).message}`);
    }
    const type = (raw as { type?: unknown } | null)?.type;
    if (typeof type === 'string') setType(type);
    // What the validator (which recurses) and Postgres cannot take is refused before either sees
    // it: nesting deeper than 32 levels, NUL characters, lone surrogates. Such an event can never
    // succeed, so it is dead-lettered at once with its reason rather than retried.
    const unstorable = findUnstorableInput(raw, 'event');
    if (unstorable.length) return this.deadLetter(c, msg, 'invalid event', unstorable);
    const handler = typeof type === 'string' ? c.handlers.get(type) : undefined;
    // Without a handler the event is still checked against the catalogue: a broken event is
    // dead-lettered, a valid one of a type this consumer does not handle is acked and skipped.
    let check: Awaited<ReturnType<typeof checkEvent>>;
    try {
      check = await checkEvent(raw, handler ? c.contracts.get(type as string) : undefined);
    } catch (err) {
      // The validator's own failure on some input is the input's fault: retrying cannot help.
      return this.deadLetter(c, msg, `invalid event: the validator failed: ${(err as Error).message}`);
    }
    if (!check.ok) return this.deadLetter(c, msg, 'invalid event', check.problems);
    if (!handler) {
      msg.ack();
      return 'ignored';
    }
    const event = check.event;
    span.setAttribute(TRACE_ATTR.messagingMessageId, event.id);
    span.setAttribute(TRACE_ATTR.cloudeventsEventId, event.id);

    const heartbeat = setInterval(
      () => msg.working(),
      Math.max(1000, Math.floor(this.options.ackWaitMs / 3)),
    );
    try {
      const result = await runWithCorrelation(
        {
          correlationId: event.correlationid,
          causationId: event.id,
          actor: `service:${this.options.service}`,
        },
        () => this.handleInTransaction(c, handler, event, msg),
      );
      msg.ack();
      return result;
    } catch (err) {
      markSpanFailed(span, err);
      if (err instanceof PermanentEventError) return this.deadLetter(c, msg, err.message);
      const attempt = msg.info.deliveryCount;
      if (attempt >= this.options.maxDeliver) {
        return this.deadLetter(c, msg, `gave up after ${attempt} attempts: ${(err as Error).message}`);
      }
      const delay = this.backoff(attempt);
      this.logger.warn(
        {
          err: (err as Error).message,
          consumer: c.spec.durable,
          eventId: event.id,
          attempt,
          retryInMs: delay,
        },
        'event handler failed; will retry',
      );
      msg.nak(delay);
      return 'retry';
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async handleInTransaction(
    c: RunningConsumer,
    handler: EventHandler,
    event: CloudEvent<object>,
    msg: JsMsg,
  ): Promise<Outcome> {
    return this.ds.transaction(async (manager) => {
      if (!(await this.inbox.record(manager, c.spec.durable, event.id, event.type))) {
        return 'duplicate' as const;
      }
      await handler.handle(event, { manager, deliveryCount: msg.info.deliveryCount, subject: msg.subject });
      return 'handled' as const;
    });
  }

  private backoff(attempt: number): number {
    const b = this.options.backoffMs;
    return b[Math.min(Math.max(attempt - 1, 0), b.length - 1)];
  }

  private async deadLetter(
    c: RunningConsumer,
    msg: JsMsg,
    reason: string,
    problems?: FieldProblem[],
  ): Promise<Outcome> {
    const event = msg.string();
    await this.publishDeadLetter(c, {
      reason,
      ...(problems ? { problems: problems.slice(0, MAX_DEAD_LETTER_PROBLEMS) } : {}),
      deliveryCount: msg.info.deliveryCount,
      stream: msg.info.stream,
      streamSequence: msg.info.streamSequence,
      subject: msg.subject,
      ...letterEvent(event),
    });
    activeSpan().setStatus({ code: SpanStatusCode.ERROR, message: `dead-lettered: ${reason}` });
    // No reason on term: nats-server 2.9 only recognises a bare `+TERM` (the reason is in the dead letter).
    msg.term();
    return 'dead-lettered';
  }

  /**
   * One dead letter per stream message and durable: its Nats-Msg-Id is the same whichever path
   * (or replica) writes it, so JetStream keeps the first within the duplicate window.
   */
  private async publishDeadLetter(
    c: RunningConsumer,
    letter: Omit<DeadLetter, 'service' | 'consumer' | 'receivedAt'>,
  ): Promise<void> {
    const full: DeadLetter = {
      ...letter,
      service: this.options.service,
      consumer: c.spec.durable,
      receivedAt: new Date().toISOString(),
    };
    const trace = injectTraceContext();
    const h = trace.traceparent ? natsHeaders() : undefined;
    for (const [k, v] of Object.entries(trace)) h?.set(k, v);
    await this.nats.js.publish(
      deadLetterSubject(this.options.service, c.spec.durable, this.options.subjectRoot),
      JSON.stringify(full),
      { msgID: `${letter.stream}:${c.spec.durable}:${letter.streamSequence}`, headers: h },
    );
    this.logger.warn(
      {
        consumer: c.spec.durable,
        reason: letter.reason,
        problems: letter.problems,
        seq: letter.streamSequence,
      },
      'event dead-lettered',
    );
  }

  /**
   * A message whose every delivery ended without an outcome (the process died in the handler,
   * or the handler outlived the ack wait each time) reaches `max_deliver` without passing through
   * `deadLetter`: JetStream stops delivering it and says so only in a MAX_DELIVERIES advisory.
   * Each replica listens for its durables' advisories and dead-letters the message from the
   * stream, unless the inbox shows it was handled (the process died between commit and ack).
   */
  private watchMaxDeliveries(c: RunningConsumer): void {
    if (c.advisories) return;
    c.advisories = this.nats.nc.subscribe(
      `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${c.stream}.${c.spec.durable}`,
      {
        callback: (err, m) => {
          if (err) return;
          let advisory: MaxDeliveriesAdvisory;
          try {
            advisory = m.json<MaxDeliveriesAdvisory>();
          } catch {
            return;
          }
          void this.onMaxDeliveries(c, advisory).catch((e: unknown) =>
            this.logger.warn(
              { err: (e as Error).message, consumer: c.spec.durable, seq: advisory.stream_seq },
              'could not dead-letter a message that reached max_deliver',
            ),
          );
        },
      },
    );
  }

  private async onMaxDeliveries(c: RunningConsumer, advisory: MaxDeliveriesAdvisory): Promise<void> {
    const stored = await this.nats.jsm.streams.getMessage(c.stream, { seq: advisory.stream_seq });
    if (!stored) return; // gone from the stream (retention): nothing left to keep
    const body = stored.string();
    const event = ((): { id?: unknown; type?: unknown } | null => {
      try {
        return JSON.parse(body) as { id?: unknown; type?: unknown } | null;
      } catch {
        return null;
      }
    })();
    if (typeof event?.id === 'string' && findUnstorableInput(event.id, 'id').length === 0) {
      if (await this.inbox.has(this.ds.manager, c.spec.durable, event.id)) return; // handled; only its ack was lost
    }
    const type = typeof event?.type === 'string' ? event.type : 'unknown';
    this.handled.inc({ consumer: c.spec.durable, type, outcome: 'dead-lettered' });
    await this.publishDeadLetter(c, {
      reason: `no outcome after ${advisory.deliveries} deliveries: the handler never finished (the process died or the ack wait ran out each time)`,
      deliveryCount: advisory.deliveries,
      stream: c.stream,
      streamSequence: advisory.stream_seq,
      subject: stored.subject,
      ...letterEvent(body),
    });
  }
}
