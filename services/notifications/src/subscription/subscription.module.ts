import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module';
import { WebhookModule } from '../webhook/webhook.module';
import { SubscriptionController } from './subscription.controller';
import { SubscriptionRepository } from './subscription.repository';
import { SubscriptionService } from './subscription.service';

/** Integrators' webhook subscriptions: create, change, pause, replay, ping, rotate the secret. */
@Module({
  imports: [WebhookModule, DeliveryModule],
  controllers: [SubscriptionController],
  providers: [SubscriptionService, SubscriptionRepository],
})
export class SubscriptionModule {}
