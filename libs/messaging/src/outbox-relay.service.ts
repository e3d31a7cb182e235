import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { listenerConnectionOf, NotifyPollLoop } from '@kkb/persistence';
import {
  injectTraceContext,
  MetricsRegistry,
  SpanKind,
  TRACE_ATTR,
  tracingEnabled,
  withSpan,
} from '@kkb/platform';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { NatsConnectionService } from './nats-connection';
import { OutboxRepository, type OutboxRow } from './outbox.repository';

/** The channel a process other than the writer may NOTIFY to wake the relays of a schema. */
export function outboxChannel(schema: string): string {
  return `kkb_outbox_${schema}`;
}

/**
 * Publishes committed outbox rows to JetStream in commit order, with `Nats-Msg-Id` = event id so
 * a row published twice (a crash after the publish, before the mark) is dropped by the stream.
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so any number of replicas share the work; a batch
 * is published with all its acks in flight at once, then marked in the same transaction.
 * With tracing on, each publish is a PRODUCER span, child of the trace context stored in the row,
 * and the message carries that span as W3C `traceparent`/`tracestate` headers.
 * Runs on a `NotifyPollLoop`: woken by the outbox NOTIFY, polls every `outbox.pollMs`, backs off
 * (200 ms doubling to 5 s) after a failed batch; a NOTIFY never cuts that backoff short.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelayService.name);
  private loop?: NotifyPollLoop;
  private sweepTimer?: NodeJS.Timeout;
  private readonly published;
  private readonly failures;
  private readonly backlog;
  private readonly outbox = new OutboxRepository();

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly nats: NatsConnectionService,
    metrics: MetricsRegistry,
  ) {
    this.published = metrics.counter({
      name: 'kkb_outbox_published_total',
      help: 'Outbox events published to JetStream',
    });
    this.failures = metrics.counter({
      name: 'kkb_outbox_publish_failures_total',
      help: 'Outbox publish attempts that failed',
    });
    this.backlog = metrics.gauge({
      name: 'kkb_outbox_backlog',
      help: 'Committed events not yet published',
      collect: async () => {
        const n = await this.outbox.unpublishedCount(ds.manager).catch(() => null);
        if (n !== null) this.backlog.set(n);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.options.outbox.enabled) await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.loop = new NotifyPollLoop({
      name: 'outbox relay',
      channel: outboxChannel(this.options.schema),
      listen: listenerConnectionOf(this.ds),
      pollMs: this.options.outbox.pollMs,
      backoff: { minMs: 200, maxMs: 5000 },
      logger: this.logger,
      drain: async () => ({ more: (await this.publishBatch()) >= this.options.outbox.batchSize }),
      onError: (err, retryInMs) => {
        this.failures.inc();
        this.logger.warn({ err: (err as Error).message, retryInMs }, 'outbox relay batch failed');
      },
    });
    await this.loop.start();
    this.sweepTimer = setInterval(
      () => void this.sweep().catch((err) => this.logger.warn({ err }, 'outbox sweep failed')),
      60000,
    );
    this.sweepTimer.unref();
  }

  /** Publishes soon: called after a transaction that added events commits (OutboxService). */
  wake(): void {
    this.loop?.wake();
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    clearInterval(this.sweepTimer);
    const loop = this.loop;
    this.loop = undefined;
    await loop.stop();
  }

  /**
   * Publishes until no unpublished row is left (rows another relay holds are waited for), or
   * until `timeoutMs`; returns how many this call published.
   */
  async drain(timeoutMs = 30000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let total = 0;
    while (Date.now() < deadline) {
      const n = await this.publishBatch();
      total += n;
      if (n >= this.options.outbox.batchSize) continue;
      if (!(await this.outbox.unpublishedCount(this.ds.manager))) return total;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`outbox not drained within ${timeoutMs} ms`);
  }

  private async publishBatch(): Promise<number> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const traced = tracingEnabled();
      const rows: OutboxRow[] = await this.outbox.claimAndMark(
        qr.manager,
        this.options.outbox.batchSize,
        traced,
      );
      if (!rows.length) {
        await qr.commitTransaction();
        return 0;
      }
      const js = this.nats.js;
      const results = await Promise.allSettled(
        rows.map((r) => (traced ? this.publishTraced(js, r) : this.publish(js, r))),
      );
      const ok: string[] = [];
      const failed: { id: string; error: string }[] = [];
      results.forEach((res, i) =>
        res.status === 'fulfilled'
          ? ok.push(rows[i].id)
          : failed.push({ id: rows[i].id, error: String(res.reason?.message ?? res.reason) }),
      );
      if (failed.length) await this.outbox.recordFailures(qr.manager, failed);
      await qr.commitTransaction();
      this.published.inc(ok.length);
      if (failed.length) {
        this.failures.inc(failed.length);
        throw new Error(`${failed.length} of ${rows.length} publishes failed: ${failed[0].error}`);
      }
      return ok.length;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await qr.release();
    }
  }

  private publish(js: JetStreamClient, r: OutboxRow): Promise<unknown> {
    const h = natsHeaders();
    h.set('content-type', 'application/cloudevents+json');
    h.set('ce-type', String(r.payload.type));
    for (const [k, v] of Object.entries(injectTraceContext())) h.set(k, v);
    return js.publish(r.subject, JSON.stringify(r.payload), { msgID: r.id, headers: h, timeout: 10000 });
  }

  private publishTraced(js: JetStreamClient, r: OutboxRow): Promise<unknown> {
    return withSpan(
      `publish ${r.subject}`,
      {
        kind: SpanKind.PRODUCER,
        parent: { traceparent: r.traceparent ?? undefined, tracestate: r.tracestate ?? undefined },
        scope: this.options.service,
        attributes: {
          [TRACE_ATTR.messagingSystem]: 'nats',
          [TRACE_ATTR.messagingOperationType]: 'send',
          [TRACE_ATTR.messagingOperationName]: 'publish',
          [TRACE_ATTR.messagingDestinationName]: r.subject,
          [TRACE_ATTR.messagingMessageId]: r.id,
          [TRACE_ATTR.cloudeventsEventId]: r.id,
          [TRACE_ATTR.cloudeventsEventType]: String(r.payload.type),
        },
      },
      () => this.publish(js, r),
    );
  }

  /** Deletes published rows older than the retention period, a bounded batch at a time. */
  async sweep(): Promise<number> {
    const res = await this.outbox.deletePublishedBefore(this.ds.manager, this.options.outbox.retentionHours);
    return Array.isArray(res) ? Number(res[1] ?? 0) : 0;
  }
}
