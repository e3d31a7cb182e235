import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { provinceOf, subscriptionPausedV1 } from '@kkb/contracts';
import { OutboxService } from '@kkb/messaging';
import { MetricsRegistry, SERVICE_CONFIG } from '@kkb/platform';
import type { NotificationsConfig } from '../config/notifications.config';
import { InboxRepository } from '../inbox/inbox.repository';
import { DeliveryRepository } from './delivery.repository';

/**
 * Counts a subscription's failed attempts in a row and pauses it at WEBHOOK_PAUSE_AFTER_FAILURES:
 * the pause is published and put in the owner's inbox. Its deliveries wait, they are not dropped.
 * Each pause counts in `kkb_webhook_subscriptions_paused_total` (alert KkbWebhookSubscriptionPaused).
 */
@Injectable()
export class SubscriptionPauser {
  private readonly logger = new Logger(SubscriptionPauser.name);
  private readonly pausedTotal;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: NotificationsConfig,
    private readonly deliveries: DeliveryRepository,
    private readonly outbox: OutboxService,
    private readonly inbox: InboxRepository,
    metrics: MetricsRegistry,
  ) {
    // No labels, so it is exported at 0 from the start and increase() sees the first pause.
    this.pausedTotal = metrics.counter({
      name: 'kkb_webhook_subscriptions_paused_total',
      help: 'Webhook subscriptions paused automatically after WEBHOOK_PAUSE_AFTER_FAILURES failures in a row',
    });
  }

  /** One more failed attempt in a row, in the attempt's transaction. */
  async countFailure(m: EntityManager, subscriptionId: string): Promise<void> {
    const sub = await this.deliveries.countFailure(
      m,
      subscriptionId,
      this.config.WEBHOOK_PAUSE_AFTER_FAILURES,
    );
    if (!sub?.just_paused) return;
    // Counted before the attempt's transaction commits: a rollback (rare) leaves one pause too many.
    this.pausedTotal.inc();
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
