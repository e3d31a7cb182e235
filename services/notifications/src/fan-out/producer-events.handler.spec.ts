import { ALL_CONTRACTS, kampungRegisteredV1, type CloudEvent } from '@kkb/contracts';
import { bindConsumers, EventContext } from '@kkb/messaging';
import type { MessageHandler } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import { notificationsService } from '../service';
import type { FanOutService } from './fan-out.service';
import { INTAKE_EVENT_TYPES, ProducerEventsHandler } from './producer-events.handler';

describe(ProducerEventsHandler.name, () => {
  it('should take every NATS contract of the other producers and none of its own or webhook-only', () => {
    const expected = ALL_CONTRACTS.filter((c) => c.transport === 'nats' && c.producer !== 'notifications');
    expect([...INTAKE_EVENT_TYPES].sort()).toEqual(expected.map((c) => c.type).sort());
    expect(INTAKE_EVENT_TYPES.length).toBeGreaterThan(10);
  });

  it("should give each type to its producer's durable", () => {
    const handler = Object.assign(jest.fn(), { isEventHandler: true }) as unknown as MessageHandler;
    const bindings = bindConsumers(
      notificationsService.consumers,
      new Map(INTAKE_EVENT_TYPES.map((t) => [t, handler])),
      'KKB',
    );
    for (const b of bindings) {
      const producer = b.durable.replace('notifications-', '');
      expect([...b.routes.keys()]).toEqual(
        INTAKE_EVENT_TYPES.filter((t) => t.startsWith(`kkb.${producer}.`)),
      );
    }
    expect(bindings.reduce((n, b) => n + b.routes.size, 0)).toBe(INTAKE_EVENT_TYPES.length);
  });

  it('should record the event in the consumer transaction', async () => {
    const record = jest.fn().mockResolvedValue({ deliveries: 0, inbox: false });
    const handler = new ProducerEventsHandler({ record } as unknown as FanOutService);
    const manager = {} as EntityManager;
    const event = { type: kampungRegisteredV1.type } as CloudEvent<object>;
    await handler.onEvent(event, new EventContext([manager, 1, 'kkb.x']));
    expect(record).toHaveBeenCalledWith(manager, event);
  });
});
