import { Module } from '@nestjs/common';
import { DeliveryWorker } from '../delivery/delivery-worker.service';
import { DeliveryRepository } from '../delivery/delivery.repository';
import { InboxModule } from '../inbox/inbox.module';
import { webhookProviders } from '../webhook/webhook.providers';
import { SubscriptionController } from './subscription.controller';
import { SubscriptionRepository } from './subscription.repository';
import { SubscriptionService } from './subscription.service';

/** Webhooks: subscriptions, deliveries and the worker that sends them. */
@Module({
  imports: [InboxModule],
  controllers: [SubscriptionController],
  providers: [
    ...webhookProviders,
    SubscriptionService,
    SubscriptionRepository,
    DeliveryRepository,
    DeliveryWorker,
  ],
  exports: [DeliveryRepository, DeliveryWorker],
})
export class SubscriptionModule {}
