import { Module } from '@nestjs/common';
import { InboxModule } from '../inbox/inbox.module';
import { ReceivedEventModule } from '../received-event/received-event.module';
import { DeliveryModule } from '../delivery/delivery.module';
import { FanOutService } from './fan-out.service';
import { ProducerEventsHandler } from './producer-events.handler';
import { SubscriptionRoutes } from './subscription-routes';

/** The consumers' handlers: every platform event is recorded and fanned out. */
@Module({
  imports: [DeliveryModule, InboxModule, ReceivedEventModule],
  controllers: [ProducerEventsHandler],
  providers: [FanOutService, SubscriptionRoutes],
  exports: [FanOutService],
})
export class FanOutModule {}
