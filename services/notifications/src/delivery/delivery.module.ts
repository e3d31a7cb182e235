import { Module } from '@nestjs/common';
import { SERVICE_CONFIG } from '@kkb/platform';
import type { NotificationsConfig } from '../config/notifications.config';
import { InboxModule } from '../inbox/inbox.module';
import { WebhookModule } from '../webhook/webhook.module';
import { DeliveryAttempter } from './delivery-attempter';
import { DeliveryRecorder } from './delivery-recorder';
import { DeliveryWorker } from './delivery-worker.service';
import { DeliveryRepository } from './delivery.repository';
import { RetrySchedule } from './retry-schedule';
import { SubscriptionPauser } from './subscription-pauser';

/**
 * Webhook deliveries and the worker that attempts them: `DeliveryWorker` claims, `DeliveryAttempter`
 * sends and classifies, `DeliveryRecorder` records (with `SubscriptionPauser` for failure streaks).
 */
@Module({
  imports: [WebhookModule, InboxModule],
  providers: [
    {
      provide: RetrySchedule,
      useFactory: (c: NotificationsConfig) =>
        new RetrySchedule(c.WEBHOOK_RETRY_SCHEDULE_MS, c.WEBHOOK_RETRY_JITTER),
      inject: [SERVICE_CONFIG],
    },
    DeliveryRepository,
    SubscriptionPauser,
    DeliveryAttempter,
    DeliveryRecorder,
    DeliveryWorker,
  ],
  exports: [DeliveryRepository, DeliveryWorker],
})
export class DeliveryModule {}
