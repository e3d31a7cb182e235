import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_CONFIG } from '@kkb/platform';
import {
  afterCommit,
  type DrainResult,
  listenerConnectionOf,
  NotifyPollLoop,
  schemaOf,
} from '@kkb/persistence';
import type { NotificationsConfig } from '../config/notifications.config';
import { deliveryChannel } from '../common/sql';
import { DeliveryAttempter } from './delivery-attempter';
import { DeliveryRecorder } from './delivery-recorder';
import { DeliveryRepository, type ClaimedDelivery } from './delivery.repository';

/** Extra lease beyond the attempt's own timeout, so a slow commit does not let another worker in. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Claims due webhook deliveries and runs their attempts. Any number of replicas run it:
 * deliveries are claimed with FOR UPDATE SKIP LOCKED and leased for the attempt. No head-of-line
 * blocking: each subscription has at most WEBHOOK_ENDPOINT_CONCURRENCY attempts in flight (a
 * hanging endpoint holds only those), attempts run concurrently up to WEBHOOK_CONCURRENCY, and
 * each has its own timeout. Runs on a `NotifyPollLoop`: woken by NOTIFY when deliveries are
 * created, when an attempt frees a slot, and when the next retry falls due; polls every
 * WEBHOOK_POLL_MS as a fallback; backs off (200 ms doubling to 10 s) after a failed claim, and
 * no wake cuts that backoff short.
 * Making an attempt is `DeliveryAttempter`'s job, recording its outcome `DeliveryRecorder`'s.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryWorker.name);
  private loop?: NotifyPollLoop;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: NotificationsConfig,
    @InjectDataSource() private readonly ds: DataSource,
    private readonly deliveries: DeliveryRepository,
    private readonly attempter: DeliveryAttempter,
    private readonly recorder: DeliveryRecorder,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.WEBHOOK_WORKER_ENABLED) await this.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async start(): Promise<void> {
    if (this.loop) return;
    this.loop = new NotifyPollLoop({
      name: 'delivery',
      channel: deliveryChannel(schemaOf(this.ds)),
      listen: listenerConnectionOf(this.ds),
      pollMs: this.config.WEBHOOK_POLL_MS,
      backoff: { minMs: 200, maxMs: 10_000 },
      logger: this.logger,
      drain: () => this.claimDue(),
      onError: (err, retryInMs) =>
        this.logger.warn({ err: (err as Error).message, retryInMs }, 'delivery claim failed'),
    });
    await this.loop.start();
  }

  /**
   * Wakes the worker once the transaction of `m` commits (new deliveries are due): in-process when
   * this replica's worker runs, else with a NOTIFY sent after the commit, outside the transaction.
   */
  wakeAfterCommit(m: EntityManager): void {
    afterCommit(m, 'delivery-worker', () => {
      if (this.loop) this.loop.wake();
      else void this.deliveries.notify(this.ds.manager).catch(() => undefined);
    });
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    const loop = this.loop;
    this.loop = undefined;
    await loop.stop();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Claims what the free slots allow and starts those attempts; says when to look again. */
  private async claimDue(): Promise<DrainResult> {
    const free = this.config.WEBHOOK_CONCURRENCY - this.inFlight.size;
    // Claim in batches: while attempts are in flight, wait until a quarter of the slots are free.
    const worthIt =
      !this.inFlight.size || free >= Math.max(1, Math.floor(this.config.WEBHOOK_CONCURRENCY / 4));
    if (free <= 0 || !worthIt) return {}; // a finishing attempt wakes the loop
    // The claim is one statement (its row locks last only as long): no transaction round trips.
    const claimed = await this.deliveries.claim(
      this.ds.manager,
      free,
      this.config.WEBHOOK_ENDPOINT_CONCURRENCY,
      this.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS,
    );
    for (const d of claimed) this.track(this.attempt(d));
    if (claimed.length === free) return { more: true }; // more may be due
    // Every attempt wakes the loop when it ends, so while some are in flight the next look comes
    // anyway; the soonest retry is worth a query only when nothing was claimed.
    if (claimed.length) return {};
    const next = await this.deliveries.nextDue(this.ds.manager);
    return next ? { dueInMs: next.getTime() - Date.now() + 5 } : {};
  }

  private track(p: Promise<void>): void {
    const tracked: Promise<void> = p
      .catch((err) =>
        this.logger.error({ err }, 'delivery attempt bookkeeping failed; the lease will expire'),
      )
      .finally(() => {
        this.inFlight.delete(tracked);
        this.loop?.wake(); // a slot is free
      });
    this.inFlight.add(tracked);
  }

  /** One attempt of one delivery, then its bookkeeping. */
  private async attempt(d: ClaimedDelivery): Promise<void> {
    await this.recorder.record(d, await this.attempter.attempt(d));
  }
}
