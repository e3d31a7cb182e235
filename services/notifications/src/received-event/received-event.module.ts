import { Module } from '@nestjs/common';
import { ReceivedEventController } from './received-event.controller';
import { ReceivedEventHandler } from './received-event.handler';

@Module({ controllers: [ReceivedEventController], providers: [ReceivedEventHandler] })
export class ReceivedEventModule {}
