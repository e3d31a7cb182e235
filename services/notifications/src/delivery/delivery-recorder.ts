import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { deliveryFailedV1 } from '@kkb/contracts';
import { OutboxService } from '@kkb/messaging';
import { GroupCommit } from '@kkb/persistence';
import { MetricsRegistry } from '@kkb/platform';
import type { Attempt } from './delivery-attempter';
import { DeliveryRepository, type ClaimedDelivery } from './delivery.repository';
import { SubscriptionPauser } from './subscription-pauser';

/**
 * Records the outcome of one attempt: the delivery's new state and next attempt, the attempt
 * log, the subscription's failure streak (a 2xx resets it, a failure may pause it, a 410 stops it
 * and cancels its pending deliveries), and `delivery failed` once the schedule is exhausted.
 */
@Injectable()
export class DeliveryRecorder {
  private readonly attemptsTotal;
  /** Successes that finish together are written by one statement (see GroupCommit). */
  private readonly delivered: GroupCommit<
    Parameters<DeliveryRepository['markDelivered']>[1][number],
    boolean
  >;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly deliveries: DeliveryRepository,
    private readonly outbox: OutboxService,
    private readonly pauser: SubscriptionPauser,
    metrics: MetricsRegistry,
  ) {
    this.attemptsTotal = metrics.counter({
      name: 'kkb_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome',
      labelNames: ['outcome'],
    });
    this.delivered = new GroupCommit((attempts) => this.deliveries.markDelivered(this.ds.manager, attempts));
  }

  async record(d: ClaimedDelivery, a: Attempt): Promise<void> {
    if (a.verdict.outcome === 'delivered' && d.consecutive_failures === 0) {
      // The common case, in one statement shared with the other successes of the moment: nothing
      // on the subscription to reset.
      await this.delivered.submit({
        id: d.id,
        attempt: a.number,
        startedAt: a.startedAt,
        status: a.result.status as number,
        latencyMs: a.result.latencyMs,
      });
      this.attemptsTotal.inc({ outcome: 'delivered' });
      return;
    }
    await this.ds.transaction((m) => this.settle(m, d, a));
  }

  /**
   * Bookkeeping of one attempt. Locks are always taken subscription first, then deliveries
   * (as resume and delete do), so concurrent attempts of one subscription cannot deadlock.
   */
  private async settle(m: EntityManager, d: ClaimedDelivery, a: Attempt): Promise<void> {
    if ((await this.deliveries.statusOf(m, d.id)) !== 'pending') return; // deleted, or stopped by a 410 meanwhile
    const v = a.verdict;
    switch (v.outcome) {
      case 'delivered':
        await this.deliveries.resetFailures(m, d.subscription_id);
        if (!(await this.finish(m, d, a, 'delivered', null))) return;
        break;
      case 'gone':
        await this.deliveries.markSubscriptionGone(m, d.subscription_id);
        if (!(await this.finish(m, d, a, 'cancelled', null))) return;
        await this.deliveries.cancelPending(
          m,
          d.subscription_id,
          'subscription stopped: endpoint answered 410 Gone',
        );
        break;
      case 'failed':
        await this.pauser.countFailure(m, d.subscription_id);
        if (!(await this.finish(m, d, a, 'failed', null))) return;
        await this.publishFailed(m, d, a);
        break;
      case 'retry':
      case 'refused':
        await this.pauser.countFailure(m, d.subscription_id);
        if (!(await this.finish(m, d, a, 'pending', new Date(Date.now() + v.retryInMs)))) return;
        break;
    }
    await this.deliveries.recordAttempt(m, {
      deliveryId: d.id,
      attempt: a.number,
      startedAt: a.startedAt,
      status: a.result.status,
      latencyMs: a.result.latencyMs,
      error: a.result.error,
      outcome: v.outcome,
    });
    this.attemptsTotal.inc({ outcome: v.outcome });
  }

  private finish(
    m: EntityManager,
    d: ClaimedDelivery,
    a: Attempt,
    status: 'delivered' | 'cancelled' | 'failed' | 'pending',
    next: Date | null,
  ): Promise<boolean> {
    return this.deliveries.finishAttempt(m, d.id, {
      status,
      nextAttemptAt: next,
      httpStatus: a.result.status,
      error: a.result.error,
      latencyMs: a.result.latencyMs,
    });
  }

  private async publishFailed(m: EntityManager, d: ClaimedDelivery, a: Attempt): Promise<void> {
    const r = a.result;
    await this.outbox.add(m, deliveryFailedV1, {
      subject: `delivery/${d.id}`,
      province: d.province_code,
      data: {
        deliveryId: d.id,
        subscriptionId: d.subscription_id,
        eventId: d.event_id,
        eventType: String(d.event.type),
        attempts: a.number,
        ...(r.status !== null && r.status >= 100 && r.status <= 599 ? { lastStatus: r.status } : {}),
        ...(r.error ? { lastError: r.error.slice(0, 1000) } : {}),
        failedAt: new Date().toISOString(),
      },
    });
  }
}
