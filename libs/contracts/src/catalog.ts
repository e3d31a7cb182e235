import { kampungClassifiedV1 } from './classification/kampung-classified.v1';
import { ruleSetPublishedV1 } from './classification/rule-set-published.v1';
import type { EventContract } from './event-contract';
import { deliveryFailedV1 } from './notifications/delivery-failed.v1';
import { subscriptionPausedV1 } from './notifications/subscription-paused.v1';
import { webhookPingV1 } from './notifications/webhook-ping.v1';
import { kampungDeactivatedV1 } from './registry/kampung-deactivated.v1';
import { kampungMergedV1 } from './registry/kampung-merged.v1';
import { kampungReactivatedV1 } from './registry/kampung-reactivated.v1';
import { kampungRegisteredV1 } from './registry/kampung-registered.v1';
import { kampungUpdatedV1 } from './registry/kampung-updated.v1';
import { regionsImportedV1 } from './registry/regions-imported.v1';
import { reportOverdueV1 } from './survey/report-overdue.v1';
import { submissionRejectedV1 } from './survey/submission-rejected.v1';
import { submissionSubmittedV1 } from './survey/submission-submitted.v1';
import { submissionSupersededV1 } from './survey/submission-superseded.v1';
import { submissionVerifiedV1 } from './survey/submission-verified.v1';

/**
 * Every event the platform publishes: on NATS, or (`transport: 'webhook'`) only to webhook
 * subscribers. The AsyncAPI document is checked against this list.
 */
export const ALL_CONTRACTS: readonly EventContract[] = [
  kampungRegisteredV1,
  kampungUpdatedV1,
  kampungDeactivatedV1,
  kampungReactivatedV1,
  kampungMergedV1,
  regionsImportedV1,
  submissionSubmittedV1,
  submissionVerifiedV1,
  submissionRejectedV1,
  submissionSupersededV1,
  reportOverdueV1,
  kampungClassifiedV1,
  ruleSetPublishedV1,
  deliveryFailedV1,
  subscriptionPausedV1,
  webhookPingV1,
];

const byType = new Map(ALL_CONTRACTS.map((c) => [c.type, c]));

export function findContract(type: string): EventContract | undefined {
  return byType.get(type);
}
