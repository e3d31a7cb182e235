import { Injectable } from '@nestjs/common';
import {
  kampungDeactivatedV1,
  kampungMergedV1,
  kampungReactivatedV1,
  kampungRegisteredV1,
  kampungUpdatedV1,
  type CloudEvent,
  type KampungStateV1,
} from '@kkb/contracts';
import type { EventHandler, HandlerContext } from '@kkb/messaging';
import { KampungProjectionRepository } from './kampung-projection.repository';

/**
 * Applies every kampung event to the local projection. Each event carries the whole state and
 * its aggregate version, so an event older than the stored row (out-of-order delivery across
 * replicas) changes nothing.
 */
@Injectable()
export class KampungProjectionHandler implements EventHandler<KampungStateV1> {
  constructor(private readonly projection: KampungProjectionRepository) {}

  readonly contracts = [
    kampungRegisteredV1,
    kampungUpdatedV1,
    kampungDeactivatedV1,
    kampungReactivatedV1,
    kampungMergedV1,
  ];

  async handle(event: CloudEvent<KampungStateV1>, { manager }: HandlerContext): Promise<void> {
    await this.projection.apply(manager, event.id, event.data);
  }
}
