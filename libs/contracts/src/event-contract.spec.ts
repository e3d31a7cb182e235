import { defineEvent } from './event-contract';
import { kampungRegisteredV1 } from './registry/kampung-registered.v1';
import { webhookPingV1 } from './notifications/webhook-ping.v1';

describe(defineEvent.name, () => {
  it('should make the type from the name parts, published on NATS unless told otherwise', () => {
    expect(kampungRegisteredV1).toMatchObject({
      type: 'kkb.registry.kampung.registered.v1',
      transport: 'nats',
    });
    expect(webhookPingV1).toMatchObject({ type: 'kkb.notifications.webhook.ping.v1', transport: 'webhook' });
  });
});
