import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { PerTransaction } from '@kkb/persistence';
import { regionMatches } from '../common/event-matching';
import { DeliveryRepository } from '../delivery/delivery.repository';

interface CompiledSubscription {
  id: string;
  pattern: RegExp;
  regionPrefix: string;
}

/** The subscriptions of one routing generation, compiled, with the matches per type found so far. */
interface Routes {
  generation: string | null;
  subscriptions: CompiledSubscription[];
  byType: Map<string, CompiledSubscription[]>;
}

/**
 * Which subscriptions take an event, answered in memory: the subscriptions' patterns are compiled
 * once per routing generation (bumped by triggers whenever a subscription is added, removed, or
 * its patterns, region or status change) and the matches of each event type are kept. Each
 * transaction reads the generation once (one short statement, whatever the number of events it
 * handles) and reloads the subscriptions only when it moved, so an event no subscription takes
 * costs no SQL here, and one that some take costs one insert of exactly those deliveries.
 * Reading the generation in the consumer's transaction keeps the old guarantee: an event gets a
 * delivery for every subscription committed before its transaction took its snapshot.
 */
@Injectable()
export class SubscriptionRoutes {
  private current: Routes = { generation: null, subscriptions: [], byType: new Map() };
  private readonly perTransaction = new PerTransaction<Routes>();

  constructor(private readonly deliveries: DeliveryRepository) {}

  /** Ids of the subscriptions that take an event of `type` about `region`, as of `m`'s transaction. */
  async matching(m: EntityManager, type: string, region: string): Promise<string[]> {
    const routes = await this.routesFor(m);
    let candidates = routes.byType.get(type);
    if (!candidates) {
      candidates = routes.subscriptions.filter((s) => s.pattern.test(type));
      routes.byType.set(type, candidates);
    }
    return candidates.filter((s) => regionMatches(s.regionPrefix, region)).map((s) => s.id);
  }

  private routesFor(m: EntityManager): Promise<Routes> {
    return this.perTransaction.get(m, (tm) => this.load(tm));
  }

  private async load(m: EntityManager): Promise<Routes> {
    const known = this.current;
    const { generation, subscriptions } = await this.deliveries.routes(m, known.generation);
    if (!subscriptions) return known;
    const routes: Routes = {
      generation,
      subscriptions: subscriptions.map((s) => ({
        id: s.id,
        pattern: new RegExp(s.typePattern),
        regionPrefix: s.regionPrefix,
      })),
      byType: new Map(),
    };
    // Concurrent transactions may read generations out of order: keep the newest.
    if (this.current.generation === null || BigInt(generation) > BigInt(this.current.generation)) {
      this.current = routes;
    }
    return routes;
  }
}
