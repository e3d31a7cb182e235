import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { ALL_CONTRACTS, type CloudEvent, type Producer } from '@kkb/contracts';
import { EventPatternOf, type EventContext } from '@kkb/messaging';
import { FanOutService } from './fan-out.service';

/** The producers whose events notifications takes in: every one but itself. */
export type IntakeProducer = Exclude<Producer, 'notifications'>;

export const INTAKE_PRODUCERS: readonly IntakeProducer[] = ['registry', 'survey', 'classification'];

/** Every event the other services publish on NATS (each producer's durable reads its own). */
export const INTAKE_CONTRACTS = ALL_CONTRACTS.filter(
  (c) => c.transport === 'nats' && (INTAKE_PRODUCERS as readonly string[]).includes(c.producer),
);
export const INTAKE_EVENT_TYPES = INTAKE_CONTRACTS.map((c) => c.type);

/**
 * The intake: every event another service publishes on NATS is recorded, fanned out to webhooks,
 * and to the inbox when it matters (FanOutService), in the consumer's transaction.
 */
@Controller()
export class ProducerEventsHandler {
  constructor(private readonly fanOut: FanOutService) {}

  @EventPatternOf(...INTAKE_CONTRACTS)
  async onEvent(@Payload() event: CloudEvent<object>, @Ctx() ctx: EventContext): Promise<void> {
    await this.fanOut.record(ctx.getManager(), event);
  }
}
