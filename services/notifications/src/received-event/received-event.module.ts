import { Module } from '@nestjs/common';
import { ReceivedEventController } from './received-event.controller';
import { ReceivedEventRepository } from './received-event.repository';

/** The events taken in: recorded by the fan-out handlers, read by `GET /events`. */
@Module({
  controllers: [ReceivedEventController],
  providers: [ReceivedEventRepository],
  exports: [ReceivedEventRepository],
})
export class ReceivedEventModule {}
