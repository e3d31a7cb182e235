import { IsUUID } from 'class-validator';
import { defineEvent } from '../event-contract';

/**
 * A test event the owner of a webhook subscription asks for (`POST
 * /api/v1/subscriptions/{id}/ping`), sent once, signed like a delivery, to that subscription's URL
 * only. Never published on NATS and not recorded as a delivery.
 */
export class WebhookPingV1 {
  /** The subscription that was pinged. */
  @IsUUID()
  subscriptionId!: string;
}

export const webhookPingV1 = defineEvent({
  producer: 'notifications',
  aggregate: 'webhook',
  verb: 'ping',
  major: 1,
  payload: WebhookPingV1,
  summary: "A test event sent to one webhook subscription at its owner's request.",
  transport: 'webhook',
});
