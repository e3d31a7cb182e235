import { Injectable } from '@nestjs/common';
import { ALL_CONTRACTS, type CloudEvent } from '@kkb/contracts';
import type { EventHandler, HandlerContext } from '@kkb/messaging';
import { ReceivedEvent } from './received-event.entity';

/** Records each event once (the inbox guarantees it); deliveries and the officers' inbox build on it. */
@Injectable()
export class ReceivedEventHandler implements EventHandler {
  readonly contracts = ALL_CONTRACTS.filter((c) => c.producer === 'registry');

  async handle(event: CloudEvent<object>, { manager }: HandlerContext): Promise<void> {
    await manager.insert(ReceivedEvent, {
      eventId: event.id,
      type: event.type,
      provinceCode: event.province,
      subject: event.subject,
      occurredAt: new Date(event.time),
      receivedAt: new Date(),
      event: event as never,
    });
  }
}
