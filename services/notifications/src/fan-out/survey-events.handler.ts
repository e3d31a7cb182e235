import { Injectable } from '@nestjs/common';
import { ALL_CONTRACTS, type CloudEvent } from '@kkb/contracts';
import type { EventHandler, HandlerContext } from '@kkb/messaging';
import { FanOutService } from './fan-out.service';

/** Every survey event: recorded, fanned out to webhooks, and to the inbox when it matters. */
@Injectable()
export class SurveyEventsHandler implements EventHandler {
  readonly contracts = ALL_CONTRACTS.filter((c) => c.producer === 'survey');

  constructor(private readonly fanOut: FanOutService) {}

  async handle(event: CloudEvent<object>, { manager }: HandlerContext): Promise<void> {
    await this.fanOut.record(manager, event);
  }
}
