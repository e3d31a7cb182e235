import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import { deliveryFailedV1, provinceOf, subscriptionPausedV1 } from '@kkb/contracts';
import { OutboxService } from '@kkb/messaging';
import { MetricsRegistry, SERVICE_CONFIG } from '@kkb/platform';
import type { NotificationsConfig } from '../config/notifications.config';
import { deliveryChannel } from '../common/sql';
import { InboxRepository } from '../inbox/inbox.repository';
import { SecretBox } from '../webhook/secret-box';
import { signWebhook } from '../webhook/webhook-signer';
import { WebhookSender, type SendResult } from '../webhook/webhook-sender';
import { DeliveryRepository, type AttemptOutcome, type ClaimedDelivery } from './delivery.repository';
import { RetrySchedule } from './retry-schedule';
import { schemaOf } from '@kkb/persistence';

/** Extra lease beyond the attempt's own timeout, so a slow commit does not let another worker in. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Sends due webhook deliveries. Any number of replicas run it: deliveries are claimed with
 * FOR UPDATE SKIP LOCKED and leased for the attempt. No head-of-line blocking: each subscription
 * has at most WEBHOOK_ENDPOINT_CONCURRENCY attempts in flight (a hanging endpoint holds only
 * those), attempts run concurrently up to WEBHOOK_CONCURRENCY, and each has its own timeout.
 * Woken by NOTIFY when deliveries are created, by its own timer when a retry falls due, and
 * polls as a fallback.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryWorker.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private pendingWake = false;
  private listener?: Client;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly attemptsTotal;
  private readonly attemptSeconds;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: NotificationsConfig,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly deliveries: DeliveryRepository,
    private readonly inbox: InboxRepository,
    private readonly outbox: OutboxService,
    private readonly sender: WebhookSender,
    private readonly secrets: SecretBox,
    private readonly schedule: RetrySchedule,
    metrics: MetricsRegistry,
  ) {
    this.attemptsTotal = metrics.counter({
      name: 'kkb_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome',
      labelNames: ['outcome'],
    });
    this.attemptSeconds = metrics.histogram({
      name: 'kkb_webhook_attempt_seconds',
      help: 'Duration of one webhook attempt',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.WEBHOOK_WORKER_ENABLED) await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.listen().catch((err) =>
      this.logger.warn({ err: (err as Error).message }, 'delivery listener failed; polling'),
    );
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  private async listen(): Promise<void> {
    const opts = this.ds.options as { url?: string; extra?: { options?: string } };
    const client = new Client({ connectionString: opts.url, options: opts.extra?.options });
    client.on('notification', () => this.kick());
    client.on('error', (err) => {
      this.logger.warn(
        { err: err.message },
        'delivery listener lost its connection; polling until it is back',
      );
      this.listener = undefined;
      setTimeout(
        () => void (this.running ? this.listen().catch(() => undefined) : undefined),
        this.config.WEBHOOK_POLL_MS,
      ).unref();
    });
    await client.connect();
    // LISTEN on the dedicated pg client, not a query through TypeORM: the relay and the delivery
    // worker each keep one; issue 14 (item 4) makes them one shared listener.
    // eslint-disable-next-line no-restricted-syntax
    await client.query(`LISTEN ${deliveryChannel(schemaOf(this.ds))}`);
    this.listener = client;
  }

  private kick(): void {
    this.pendingWake = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    let errorDelay = 0;
    while (this.running) {
      let sleepMs = this.config.WEBHOOK_POLL_MS;
      try {
        this.pendingWake = false;
        const free = this.config.WEBHOOK_CONCURRENCY - this.inFlight.size;
        // Claim in batches: while attempts are in flight, wait until a quarter of the slots are free.
        const worthIt =
          !this.inFlight.size || free >= Math.max(1, Math.floor(this.config.WEBHOOK_CONCURRENCY / 4));
        if (free > 0 && worthIt) {
          const claimed = await this.ds.transaction((m) =>
            this.deliveries.claim(
              m,
              free,
              this.config.WEBHOOK_ENDPOINT_CONCURRENCY,
              this.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS,
            ),
          );
          for (const d of claimed) this.track(this.attempt(d));
          if (claimed.length === free) continue; // more may be due
          {
            const next = await this.deliveries.nextDue(this.ds.manager);
            if (next) sleepMs = Math.max(0, Math.min(sleepMs, next.getTime() - Date.now() + 5));
          }
        }
        errorDelay = 0;
      } catch (err) {
        errorDelay = Math.min(Math.max(errorDelay * 2, 200), 10_000);
        sleepMs = errorDelay;
        this.logger.warn({ err: (err as Error).message, retryInMs: errorDelay }, 'delivery claim failed');
      }
      if (!this.running) break;
      if (this.pendingWake && !errorDelay) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, sleepMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  private track(p: Promise<void>): void {
    const tracked: Promise<void> = p
      .catch((err) =>
        this.logger.error({ err }, 'delivery attempt bookkeeping failed; the lease will expire'),
      )
      .finally(() => {
        this.inFlight.delete(tracked);
        this.kick(); // a slot is free
      });
    this.inFlight.add(tracked);
  }

  /** One attempt of one delivery, then its bookkeeping in one transaction. */
  private async attempt(d: ClaimedDelivery): Promise<void> {
    const startedAt = new Date();
    const body = JSON.stringify(d.event);
    let result: SendResult;
    try {
      const secrets = [this.secrets.open(d.secret_ciphertext, d.subscription_id)];
      if (d.previous_valid && d.previous_secret_ciphertext) {
        secrets.push(this.secrets.open(d.previous_secret_ciphertext, d.subscription_id));
      }
      const headers = signWebhook(secrets, d.event_id, body, startedAt);
      result = await this.sender.send(d.url, { ...headers }, body, this.config.WEBHOOK_TIMEOUT_MS);
    } catch (err) {
      result = {
        status: null,
        latencyMs: 0,
        error: `could not send: ${(err as Error).message}`,
        refused: false,
      };
    }
    this.attemptSeconds.observe(result.latencyMs / 1000);
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    if (ok && d.consecutive_failures === 0) {
      // The common case, in one statement: nothing on the subscription to reset.
      await this.deliveries.markDelivered(this.ds.manager, d.id, {
        attempt: d.attempts + 1,
        startedAt,
        status: result.status as number,
        latencyMs: result.latencyMs,
      });
      this.attemptsTotal.inc({ outcome: 'delivered' });
      return;
    }
    await this.ds.transaction((m) => this.settle(m, d, startedAt, result));
  }

  /**
   * Bookkeeping of one attempt. Locks are always taken subscription first, then deliveries
   * (as resume and delete do), so concurrent attempts of one subscription cannot deadlock.
   */
  private async settle(m: EntityManager, d: ClaimedDelivery, startedAt: Date, r: SendResult): Promise<void> {
    const attempt = d.attempts + 1;
    if ((await this.deliveries.statusOf(m, d.id)) !== 'pending') return; // deleted, or stopped by a 410 meanwhile
    const ok = r.status !== null && r.status >= 200 && r.status < 300;
    let outcome: AttemptOutcome;
    if (ok) {
      outcome = 'delivered';
      await this.deliveries.resetFailures(m, d.subscription_id);
      if (!(await this.finish(m, d, 'delivered', null, r))) return;
    } else if (r.status === 410) {
      outcome = 'gone';
      await this.deliveries.markSubscriptionGone(m, d.subscription_id);
      if (!(await this.finish(m, d, 'cancelled', null, r))) return;
      await this.deliveries.cancelPending(
        m,
        d.subscription_id,
        'subscription stopped: endpoint answered 410 Gone',
      );
    } else {
      const delay = this.schedule.delayAfter(attempt);
      outcome = delay === null ? 'failed' : r.refused ? 'refused' : 'retry';
      await this.countFailure(m, d.subscription_id);
      const next = delay === null ? null : new Date(Date.now() + delay);
      if (!(await this.finish(m, d, delay === null ? 'failed' : 'pending', next, r))) return;
      if (delay === null) await this.publishFailed(m, d, attempt, r);
    }
    await this.deliveries.recordAttempt(m, {
      deliveryId: d.id,
      attempt,
      startedAt,
      status: r.status,
      latencyMs: r.latencyMs,
      error: r.error,
      outcome,
    });
    this.attemptsTotal.inc({ outcome });
  }

  private finish(
    m: EntityManager,
    d: ClaimedDelivery,
    status: 'delivered' | 'cancelled' | 'failed' | 'pending',
    next: Date | null,
    r: SendResult,
  ): Promise<boolean> {
    return this.deliveries.finishAttempt(m, d.id, {
      status,
      nextAttemptAt: next,
      httpStatus: r.status,
      error: r.error,
      latencyMs: r.latencyMs,
    });
  }

  private async publishFailed(
    m: EntityManager,
    d: ClaimedDelivery,
    attempts: number,
    r: SendResult,
  ): Promise<void> {
    await this.outbox.add(m, deliveryFailedV1, {
      subject: `delivery/${d.id}`,
      province: d.province_code,
      data: {
        deliveryId: d.id,
        subscriptionId: d.subscription_id,
        eventId: d.event_id,
        eventType: String(d.event.type),
        attempts,
        ...(r.status !== null && r.status >= 100 && r.status <= 599 ? { lastStatus: r.status } : {}),
        ...(r.error ? { lastError: r.error.slice(0, 1000) } : {}),
        failedAt: new Date().toISOString(),
      },
    });
  }

  /**
   * One more failed attempt in a row; at the threshold an active subscription is paused, which
   * is published and put in its owner's inbox. Its deliveries wait, they are not dropped.
   */
  private async countFailure(m: EntityManager, subscriptionId: string): Promise<void> {
    const sub = await this.deliveries.countFailure(
      m,
      subscriptionId,
      this.config.WEBHOOK_PAUSE_AFTER_FAILURES,
    );
    if (!sub?.just_paused) return;
    const pausedAt = new Date();
    this.logger.warn({ subscriptionId, failures: sub.consecutive_failures }, 'webhook subscription paused');
    await this.outbox.add(m, subscriptionPausedV1, {
      subject: `subscription/${subscriptionId}`,
      province: provinceOf(sub.region_prefix),
      data: {
        subscriptionId,
        owner: sub.owner,
        reason: 'consecutive-failures',
        consecutiveFailures: sub.consecutive_failures,
        pausedAt: pausedAt.toISOString(),
      },
    });
    await this.inbox.add(m, {
      dedupeKey: `subscription-paused:${subscriptionId}:${pausedAt.toISOString()}`,
      kind: 'subscription-paused',
      region: '',
      recipient: sub.owner,
      title: 'Webhook subscription paused',
      body: `Deliveries to ${sub.url} failed ${sub.consecutive_failures} times in a row, so the subscription was paused. Its deliveries are kept; resume it once the endpoint works.`,
      data: { subscriptionId, url: sub.url, consecutiveFailures: sub.consecutive_failures },
      occurredAt: pausedAt,
    });
  }
}
