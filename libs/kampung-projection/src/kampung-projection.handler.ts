import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  kampungDeactivatedV1,
  kampungMergedV1,
  kampungReactivatedV1,
  kampungRegisteredV1,
  kampungUpdatedV1,
  type CloudEvent,
  type KampungStateV1,
} from '@kkb/contracts';
import { EventPatternOf, type EventContext } from '@kkb/messaging';
import { KampungProjectionRepository } from './kampung-projection.repository';

/** Every registry event that carries a kampung's whole state. */
export const KAMPUNG_STATE_EVENTS = [
  kampungRegisteredV1,
  kampungUpdatedV1,
  kampungDeactivatedV1,
  kampungReactivatedV1,
  kampungMergedV1,
] as const;

/**
 * Applies every kampung event to the local projection. Each event carries the whole state and
 * its aggregate version, so an event older than the stored row (out-of-order delivery across
 * replicas) changes nothing.
 */
@Controller()
export class KampungProjectionHandler {
  constructor(private readonly projection: KampungProjectionRepository) {}

  @EventPatternOf(...KAMPUNG_STATE_EVENTS)
  async apply(@Payload() event: CloudEvent<KampungStateV1>, @Ctx() ctx: EventContext): Promise<void> {
    await this.projection.apply(ctx.getManager(), event.id, event.data);
  }
}
