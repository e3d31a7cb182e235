import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CloudEvent } from '@kkb/contracts';
import { regionOfEvent } from '../common/event-matching';
import { DeliveryWorker } from '../delivery/delivery-worker.service';
import { DeliveryRepository } from '../delivery/delivery.repository';
import { inboxItemFor } from '../inbox/inbox-item';
import { InboxRepository } from '../inbox/inbox.repository';
import { ReceivedEventRepository } from '../received-event/received-event.repository';
import { SubscriptionRoutes } from './subscription-routes';

/**
 * What every platform event does here, inside the consumer's transaction (so with its inbox
 * row): it is recorded, it becomes one delivery per matching subscription, and, when it concerns
 * the officers of a region, one inbox item. A redelivered event finds the consumer's inbox row
 * and does none of it again; the unique keys on deliveries and inbox items hold even so.
 * The cost is kept to what the event needs (issue 15): which subscriptions take it is answered in
 * memory (`SubscriptionRoutes`), so an event no subscription takes makes no delivery statement,
 * and one that concerns no officer no inbox statement; the inbox insert takes no lock.
 */
@Injectable()
export class FanOutService {
  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly inbox: InboxRepository,
    private readonly received: ReceivedEventRepository,
    private readonly routes: SubscriptionRoutes,
    private readonly worker: DeliveryWorker,
  ) {}

  async record(m: EntityManager, event: CloudEvent<object>): Promise<{ deliveries: number; inbox: boolean }> {
    const region = regionOfEvent(event);
    if (!(await this.received.record(m, event, region))) return { deliveries: 0, inbox: false };
    const subscriptionIds = await this.routes.matching(m, event.type, region);
    const deliveries = subscriptionIds.length
      ? await this.deliveries.fanOut(m, { eventId: event.id, subscriptionIds })
      : 0;
    if (deliveries) this.worker.wakeAfterCommit(m);
    const item = inboxItemFor(event);
    const inbox = item ? await this.inbox.add(m, item) : false;
    return { deliveries, inbox };
  }
}
