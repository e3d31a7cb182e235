import { Inject, Injectable, Logger } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import type { JsMsg } from '@nats-io/jetstream';
import { isObservable, lastValueFrom } from 'rxjs';
import type { DataSource } from 'typeorm';
import { checkEvent, type CloudEvent, type EventContract } from '@kkb/contracts';
import {
  findUnstorableInput,
  markSpanFailed,
  runWithCorrelation,
  SpanKind,
  TRACE_ATTR,
  tracingEnabled,
  withSpan,
  type Span,
  type StartSpanOptions,
} from '@kkb/platform';
import { ConsumerMetrics, type Outcome } from './consumer-metrics';
import { DeadLetterPublisher } from './dead-letters';
import { EventContext, PermanentEventError } from './event-context';
import { InboxRepository } from './inbox.repository';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';

/** A durable consumer and the handler of each event type it takes. */
export interface ConsumerBinding {
  durable: string;
  stream: string;
  /** Messages handled at once by one replica (1: in stream order). */
  concurrency: number;
  routes: ReadonlyMap<string, { contract: EventContract<object>; handler: MessageHandler }>;
}

/**
 * The JetStream ack contract for one delivered message, the same for every service:
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
export class EventDelivery {
  private readonly logger = new Logger(EventDelivery.name);
  private readonly inbox = new InboxRepository();

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: ConsumerMetrics,
  ) {}

  /** Handles one message; never throws. */
  async process(c: ConsumerBinding, msg: JsMsg): Promise<Outcome> {
    const started = process.hrtime.bigint();
    let type = 'unknown';
    const outcome = await withSpan(
      'process',
      tracingEnabled() ? this.spanOptions(c, msg) : {},
      async (span): Promise<Outcome> => {
        let result: Outcome;
        try {
          result = await this.deliver(c, msg, span, (t) => {
            type = t;
            span.updateName(`process ${t}`);
            span.setAttribute(TRACE_ATTR.cloudeventsEventType, t);
          });
        } catch (err) {
          // Only the dead-letter publish itself can land here: leave the message for redelivery.
          markSpanFailed(span, err);
          this.logger.error(
            { err, consumer: c.durable },
            'could not dead-letter a message; it will be redelivered',
          );
          msg.nak(this.backoff(msg.info.deliveryCount));
          result = 'retry';
        }
        span.setAttribute(TRACE_ATTR.outcome, result);
        return result;
      },
    );
    this.metrics.record(c.durable, type, outcome, started);
    return outcome;
  }

  /** The CONSUMER span of one delivery, continuing the trace in the message's headers. */
  private spanOptions(c: ConsumerBinding, msg: JsMsg): StartSpanOptions {
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
        [TRACE_ATTR.messagingConsumerGroupName]: c.durable,
        [TRACE_ATTR.messagingDeliveryCount]: msg.info.deliveryCount,
      },
    };
  }

  private async deliver(
    c: ConsumerBinding,
    msg: JsMsg,
    span: Span,
    setType: (t: string) => void,
  ): Promise<Outcome> {
    const reject = async (reason: string, problems?: Parameters<DeadLetterPublisher['reject']>[3]) => {
      await this.deadLetters.reject(c.durable, msg, reason, problems);
      return 'dead-lettered' as const;
    };
    let raw: unknown;
    try {
      raw = JSON.parse(msg.string());
    } catch (err) {
      return reject(`malformed JSON: ${(err as Error).message}`);
    }
    const type = (raw as { type?: unknown } | null)?.type;
    if (typeof type === 'string') setType(type);
    // What the validator (which recurses) and Postgres cannot take is refused before either sees
    // it: nesting deeper than 32 levels, NUL characters, lone surrogates. Such an event can never
    // succeed, so it is dead-lettered at once with its reason rather than retried.
    const unstorable = findUnstorableInput(raw, 'event');
    if (unstorable.length) return reject('invalid event', unstorable);
    const route = typeof type === 'string' ? c.routes.get(type) : undefined;
    // Without a handler the event is still checked against the catalogue: a broken event is
    // dead-lettered, a valid one of a type this consumer does not handle is acked and skipped.
    let check: Awaited<ReturnType<typeof checkEvent>>;
    try {
      check = await checkEvent(raw, route?.contract);
    } catch (err) {
      // The validator's own failure on some input is the input's fault: retrying cannot help.
      return reject(`invalid event: the validator failed: ${(err as Error).message}`);
    }
    if (!check.ok) return reject('invalid event', check.problems);
    if (!route) {
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
        () => this.handleInTransaction(c, route.handler, event, msg),
      );
      msg.ack();
      return result;
    } catch (err) {
      markSpanFailed(span, err);
      if (err instanceof PermanentEventError) return reject(err.message);
      const attempt = msg.info.deliveryCount;
      if (attempt >= this.options.maxDeliver) {
        return reject(`gave up after ${attempt} attempts: ${(err as Error).message}`);
      }
      const delay = this.backoff(attempt);
      this.logger.warn(
        { err: (err as Error).message, consumer: c.durable, eventId: event.id, attempt, retryInMs: delay },
        'event handler failed; will retry',
      );
      msg.nak(delay);
      return 'retry';
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * The inbox row and the handler's effects in one transaction. The handler is the one Nest built
   * for the `@EventPattern` method (pipes, interceptors, guards and filters around it); what it
   * returns, a value or a stream, is awaited to its end before the commit.
   */
  private async handleInTransaction(
    c: ConsumerBinding,
    handler: MessageHandler,
    event: CloudEvent<object>,
    msg: JsMsg,
  ): Promise<Outcome> {
    return this.ds.transaction(async (manager) => {
      if (!(await this.inbox.record(manager, c.durable, event.id, event.type))) return 'duplicate' as const;
      const ctx = new EventContext([manager, msg.info.deliveryCount, msg.subject]);
      const result: unknown = await handler(event, ctx);
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      return 'handled' as const;
    });
  }

  private backoff(attempt: number): number {
    const b = this.options.backoffMs;
    return b[Math.min(Math.max(attempt - 1, 0), b.length - 1)];
  }
}
