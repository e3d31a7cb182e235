import { Module } from '@nestjs/common';
import { ReceivedEventController } from './received-event.controller';

/** Read access to the events taken in (recorded by the fan-out handlers). */
@Module({ controllers: [ReceivedEventController] })
export class ReceivedEventModule {}
