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
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
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
import { outboxChannel } from './outbox.service';
import { OutboxRepository, type OutboxRow } from './outbox.repository';

/**
 * Publishes committed outbox rows to JetStream in commit order, with `Nats-Msg-Id` = event id so
 * a row published twice (a crash after the publish, before the mark) is dropped by the stream.
 * Rows are claimed with FOR UPDATE SKIP LOCKED, so any number of replicas share the work; a batch
 * is published with all its acks in flight at once, then marked in the same transaction.
 * With tracing on, each publish is a PRODUCER span, child of the trace context stored in the row,
 * and the message carries that span as W3C `traceparent`/`tracestate` headers.
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelayService.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private pendingWake = false;
  private listener?: Client;
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
    if (this.running) return;
    this.running = true;
    await this.listen();
    this.loop = this.run();
    this.sweepTimer = setInterval(
      () => void this.sweep().catch((err) => this.logger.warn({ err }, 'outbox sweep failed')),
      60000,
    );
    this.sweepTimer.unref();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.sweepTimer);
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
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

  private async listen(): Promise<void> {
    const opts = this.ds.options as { url?: string; extra?: { options?: string } };
    const client = new Client({ connectionString: opts.url, options: opts.extra?.options });
    client.on('notification', () => this.kick());
    client.on('error', (err) => {
      this.logger.warn({ err }, 'outbox listener lost its connection; polling until it is back');
      this.listener = undefined;
      setTimeout(
        () => void (this.running ? this.listen().catch(() => undefined) : undefined),
        this.options.outbox.pollMs,
      ).unref();
    });
    await client.connect();
    // LISTEN on the dedicated pg client, not a query through TypeORM: the relay and the delivery
    // worker each keep one; issue 14 (item 4) makes them one shared listener.
    // eslint-disable-next-line no-restricted-syntax
    await client.query(`LISTEN ${outboxChannel(this.options.schema)}`);
    this.listener = client;
  }

  private kick(): void {
    this.pendingWake = true;
    // A NOTIFY ends an idle wait, never a backoff: new writes must not hammer a failing NATS.
    if (!this.backingOff) this.wake?.();
  }

  private backingOff = false;

  private async run(): Promise<void> {
    let delay = 0;
    while (this.running) {
      try {
        this.pendingWake = false;
        const n = await this.publishBatch();
        delay = 0;
        if (n >= this.options.outbox.batchSize) continue;
      } catch (err) {
        this.failures.inc();
        delay = Math.min(Math.max(delay * 2, 200), 5000);
        this.logger.warn({ err: (err as Error).message, retryInMs: delay }, 'outbox relay batch failed');
      }
      if (!this.running) break;
      if (this.pendingWake && delay === 0) continue;
      this.backingOff = delay > 0;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay || this.options.outbox.pollMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
      this.backingOff = false;
    }
  }

  private async publishBatch(): Promise<number> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    try {
      await qr.startTransaction();
      const traced = tracingEnabled();
      const rows: OutboxRow[] = await this.outbox.claimUnpublished(
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
      if (ok.length) await this.outbox.markPublished(qr.manager, ok);
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
