import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CloudEvent } from '@kkb/contracts';
import { TransactionBatch } from '@kkb/persistence';
import { regionOfEvent } from '../common/event-matching';
import { DeliveryWorker } from '../delivery/delivery-worker.service';
import { inboxItemFor } from '../inbox/inbox-item';
import { FanOutRepository, type FanOutEntry } from './fan-out.repository';
import { SubscriptionRoutes } from './subscription-routes';

/**
 * What every platform event does here, inside the consumer's transaction (so with its inbox
 * row): it is recorded, it becomes one delivery per matching subscription, and, when it concerns
 * the officers of a region, one inbox item. A redelivered event finds the consumer's inbox row
 * and does none of it again; the unique keys on deliveries and inbox items hold even so.
 * The cost is kept to what the events need (issue 15): which subscriptions take an event is
 * answered in memory (`SubscriptionRoutes`), and the events of one transaction (a consumer batch)
 * are written by one statement just before it commits (`TransactionBatch`, FanOutRepository),
 * instead of up to three per event.
 */
@Injectable()
export class FanOutService {
  private readonly batch = new TransactionBatch<FanOutEntry>((m, entries) => this.write(m, entries));

  constructor(
    private readonly repo: FanOutRepository,
    private readonly routes: SubscriptionRoutes,
    private readonly worker: DeliveryWorker,
  ) {}

  /** Takes the event in with the transaction of `m` (written when it commits). */
  async record(m: EntityManager, event: CloudEvent<object>): Promise<void> {
    const region = regionOfEvent(event);
    const subscriptionIds = await this.routes.matching(m, event.type, region);
    await this.batch.add(m, { event, region, subscriptionIds, inbox: inboxItemFor(event) });
  }

  private async write(m: EntityManager, entries: FanOutEntry[]): Promise<void> {
    if (await this.repo.writeMany(m, entries)) this.worker.wakeAfterCommit(m);
  }
}
