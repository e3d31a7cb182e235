import type { CloudEvent } from './envelope';
import { defineEvent, isEvent } from './event-contract';
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

describe(isEvent.name, () => {
  const event = {
    type: 'kkb.registry.kampung.registered.v1',
    data: { name: 'Melati' },
  } as CloudEvent<unknown>;

  it('should tell an event of the contract type and narrow its data', () => {
    expect(isEvent(event, kampungRegisteredV1)).toBe(true);
    if (isEvent(event, kampungRegisteredV1)) expect(event.data.name).toBe('Melati'); // typed, no cast
  });

  it('should refuse an event of another type', () => {
    expect(isEvent(event, webhookPingV1)).toBe(false);
  });
});
