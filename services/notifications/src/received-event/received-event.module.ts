import { Module } from '@nestjs/common';
import { ReceivedEventRepository } from './received-event.repository';

/** The events taken in: recorded by the fan-out handlers, read by the feed (`GET /events`, FeedModule). */
@Module({
  providers: [ReceivedEventRepository],
  exports: [ReceivedEventRepository],
})
export class ReceivedEventModule {}
