import type { EventContract } from './event-contract';
import { kampungDeactivatedV1 } from './registry/kampung-deactivated.v1';
import { kampungMergedV1 } from './registry/kampung-merged.v1';
import { kampungReactivatedV1 } from './registry/kampung-reactivated.v1';
import { kampungRegisteredV1 } from './registry/kampung-registered.v1';
import { kampungUpdatedV1 } from './registry/kampung-updated.v1';
import { regionsImportedV1 } from './registry/regions-imported.v1';

/** Every event the platform publishes. The AsyncAPI document is checked against this list. */
export const ALL_CONTRACTS: readonly EventContract[] = [
  kampungRegisteredV1,
  kampungUpdatedV1,
  kampungDeactivatedV1,
  kampungReactivatedV1,
  kampungMergedV1,
  regionsImportedV1,
];

const byType = new Map(ALL_CONTRACTS.map((c) => [c.type, c]));

export function findContract(type: string): EventContract | undefined {
  return byType.get(type);
}
