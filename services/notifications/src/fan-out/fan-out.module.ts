import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module';
import { FanOutRepository } from './fan-out.repository';
import { FanOutService } from './fan-out.service';
import { ProducerEventsHandler } from './producer-events.handler';
import { SubscriptionRoutes } from './subscription-routes';

/** The consumers' handlers: every platform event is recorded and fanned out. */
@Module({
  imports: [DeliveryModule],
  controllers: [ProducerEventsHandler],
  providers: [FanOutService, FanOutRepository, SubscriptionRoutes],
  exports: [FanOutService],
})
export class FanOutModule {}
