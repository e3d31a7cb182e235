import { Inject, Injectable, Logger } from '@nestjs/common';
import type { MessageHandler } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import type { JsMsg } from '@nats-io/jetstream';
import { isObservable, lastValueFrom } from 'rxjs';
import type { DataSource, EntityManager } from 'typeorm';
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
  /** Batches handled at once by one replica (1: in stream order). */
  concurrency: number;
  /** Most messages handled in one transaction. */
  maxBatch: number;
  routes: ReadonlyMap<string, { contract: EventContract<object>; handler: MessageHandler }>;
}

interface Ready {
  msg: JsMsg;
  /** Its place in the batch. */
  index: number;
  event: CloudEvent<object>;
  route: { contract: EventContract<object>; handler: MessageHandler };
}

/** A handler failed inside a batch: which event, and its error. */
class HandlerFailure extends Error {
  constructor(
    readonly ready: Ready,
    override readonly cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause));
  }
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

  /**
   * Handles messages taken together from one durable; never throws. Events that pass their checks
   * are handled in ONE transaction with one multi-row inbox insert, then acked: one commit for the
   * batch instead of one per event. A failing handler rolls the batch back; its event is retried
   * or dead-lettered alone and the others commit without it (handleReady). Messages that are not a valid event of a handled type go through `process`
   * at once (dead letter or ack). Handlers run in stream order within the batch.
   */
  async processBatch(c: ConsumerBinding, msgs: readonly JsMsg[]): Promise<Outcome[]> {
    if (msgs.length === 1) return [await this.process(c, msgs[0])];
    const outcomes: Outcome[] = [];
    const ready: Ready[] = [];
    for (const [i, msg] of msgs.entries()) {
      const r = await this.admit(c, msg);
      if (r) ready.push({ ...r, msg, index: i });
      else outcomes[i] = await this.process(c, msg);
    }
    await this.handleReady(c, ready, outcomes);
    return outcomes;
  }

  /**
   * Handles admitted events as one transaction. When a handler fails, that event has had its
   * attempt and is settled as it would be alone (retry with backoff or dead letter); the others,
   * rolled back with it, are tried again as a batch without it. Any other failure (the inbox
   * insert, the commit) sends each event through `process` alone.
   */
  private async handleReady(c: ConsumerBinding, ready: Ready[], outcomes: Outcome[]): Promise<void> {
    if (ready.length === 1) {
      outcomes[ready[0].index] = await this.process(c, ready[0].msg);
      return;
    }
    if (ready.length === 0) return;
    try {
      const handled = await this.handleBatch(c, ready);
      ready.forEach((r, i) => (outcomes[r.index] = handled[i]));
    } catch (err) {
      if (!(err instanceof HandlerFailure)) {
        this.logger.warn(
          { err: (err as Error).message, consumer: c.durable, events: ready.length },
          'a batch failed; handling its events one at a time',
        );
        for (const r of ready) outcomes[r.index] = await this.process(c, r.msg);
        return;
      }
      const failed = err.ready;
      const outcome = await this.settleFailure(c, failed.msg, failed.event.id, err.cause).catch(
        (e: unknown) => {
          this.logger.error(
            { err: e, consumer: c.durable },
            'could not dead-letter a message; it will be redelivered',
          );
          failed.msg.nak(this.backoff(failed.msg.info.deliveryCount));
          return 'retry' as const;
        },
      );
      this.metrics.record(c.durable, failed.event.type, outcome);
      outcomes[failed.index] = outcome;
      await this.handleReady(
        c,
        ready.filter((r) => r !== failed),
        outcomes,
      );
    }
  }

  /** Runs one event's handler in a batch; its failure names the event. */
  private async runInBatch(r: Ready, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      throw new HandlerFailure(r, err);
    }
  }

  /** A valid event of a handled type, or null for anything `process` must deal with alone. */
  private async admit(c: ConsumerBinding, msg: JsMsg): Promise<Omit<Ready, 'msg' | 'index'> | null> {
    let raw: unknown;
    try {
      raw = JSON.parse(msg.string());
    } catch {
      return null;
    }
    const type = (raw as { type?: unknown } | null)?.type;
    const route = typeof type === 'string' ? c.routes.get(type) : undefined;
    if (!route || findUnstorableInput(raw, 'event').length) return null;
    try {
      const check = await checkEvent(raw, route.contract);
      return check.ok ? { event: check.event, route } : null;
    } catch {
      return null;
    }
  }

  private async handleBatch(c: ConsumerBinding, ready: readonly Ready[]): Promise<Outcome[]> {
    const started = process.hrtime.bigint();
    const heartbeat = setInterval(
      () => ready.forEach((r) => r.msg.working()),
      Math.max(1000, Math.floor(this.options.ackWaitMs / 3)),
    );
    try {
      const outcomes = await this.ds.transaction(async (manager) => {
        const fresh = await this.inbox.recordMany(
          manager,
          c.durable,
          ready.map((r) => r.event),
        );
        const out: Outcome[] = [];
        for (const r of ready) {
          // An id already handled, or met earlier in this batch, is a redelivery.
          if (!fresh.delete(r.event.id)) {
            out.push('duplicate');
            continue;
          }
          await this.runInBatch(r, () =>
            withSpan(
              `process ${r.event.type}`,
              tracingEnabled() ? this.spanOptions(c, r.msg) : {},
              async (span) => {
                span.setAttribute(TRACE_ATTR.cloudeventsEventType, r.event.type);
                span.setAttribute(TRACE_ATTR.messagingMessageId, r.event.id);
                span.setAttribute(TRACE_ATTR.cloudeventsEventId, r.event.id);
                span.setAttribute(TRACE_ATTR.outcome, 'handled');
                await runWithCorrelation(this.correlation(r.event), () =>
                  this.callHandler(r.route.handler, r.event, manager, r.msg),
                );
              },
            ),
          );
          out.push('handled');
        }
        return out;
      });
      for (const r of ready) r.msg.ack();
      outcomes.forEach((o, i) => this.metrics.record(c.durable, ready[i].event.type, o, started));
      return outcomes;
    } finally {
      clearInterval(heartbeat);
    }
  }

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
      const result = await runWithCorrelation(this.correlation(event), () =>
        this.handleInTransaction(c, route.handler, event, msg),
      );
      msg.ack();
      return result;
    } catch (err) {
      markSpanFailed(span, err);
      return this.settleFailure(c, msg, event.id, err);
    } finally {
      clearInterval(heartbeat);
    }
  }

  /**
   * After a handler failed on a message: a PermanentEventError, or the last allowed attempt, is a
   * dead letter; anything else is `nak`ed with backoff for a later attempt.
   */
  private async settleFailure(
    c: ConsumerBinding,
    msg: JsMsg,
    eventId: string,
    err: unknown,
  ): Promise<Outcome> {
    const reject = async (reason: string) => {
      await this.deadLetters.reject(c.durable, msg, reason);
      return 'dead-lettered' as const;
    };
    if (err instanceof PermanentEventError) return reject(err.message);
    const attempt = msg.info.deliveryCount;
    if (attempt >= this.options.maxDeliver) {
      return reject(`gave up after ${attempt} attempts: ${(err as Error).message}`);
    }
    const delay = this.backoff(attempt);
    this.logger.warn(
      { err: (err as Error).message, consumer: c.durable, eventId, attempt, retryInMs: delay },
      'event handler failed; will retry',
    );
    msg.nak(delay);
    return 'retry';
  }

  /** The inbox row and the handler's effects in one transaction. */
  private async handleInTransaction(
    c: ConsumerBinding,
    handler: MessageHandler,
    event: CloudEvent<object>,
    msg: JsMsg,
  ): Promise<Outcome> {
    return this.ds.transaction(async (manager) => {
      if (!(await this.inbox.record(manager, c.durable, event.id, event.type))) return 'duplicate' as const;
      await this.callHandler(handler, event, manager, msg);
      return 'handled' as const;
    });
  }

  /**
   * Calls the handler Nest built for the `@EventPattern` method (pipes, interceptors, guards and
   * filters around it) and waits for what it returns, a value or a stream, to end.
   */
  private async callHandler(
    handler: MessageHandler,
    event: CloudEvent<object>,
    manager: EntityManager,
    msg: JsMsg,
  ): Promise<void> {
    const result: unknown = await handler(
      event,
      new EventContext([manager, msg.info.deliveryCount, msg.subject]),
    );
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }

  private correlation(event: CloudEvent<object>) {
    return {
      correlationId: event.correlationid,
      causationId: event.id,
      actor: `service:${this.options.service}`,
    };
  }

  private backoff(attempt: number): number {
    const b = this.options.backoffMs;
    return b[Math.min(Math.max(attempt - 1, 0), b.length - 1)];
  }
}
