import { ALL_CONTRACTS, kampungRegisteredV1, type CloudEvent } from '@kkb/contracts';
import type { HandlerContext } from '@kkb/messaging';
import type { EntityManager } from 'typeorm';
import type { FanOutService } from './fan-out.service';
import {
  ClassificationEventsHandler,
  RegistryEventsHandler,
  SurveyEventsHandler,
} from './producer-events.handler';

describe('producerEventsHandler', () => {
  const handlers = {
    registry: RegistryEventsHandler,
    survey: SurveyEventsHandler,
    classification: ClassificationEventsHandler,
  } as const;

  it('should name each class after its producer (the durable consumer lists it by name)', () => {
    expect(Object.values(handlers).map((h) => h.name)).toEqual([
      'RegistryEventsHandler',
      'SurveyEventsHandler',
      'ClassificationEventsHandler',
    ]);
  });

  it("should take every NATS contract of its producer and nothing else's", () => {
    for (const [producer, Handler] of Object.entries(handlers)) {
      const types = new Handler({} as FanOutService).contracts.map((c) => c.type);
      expect(types).toEqual(ALL_CONTRACTS.filter((c) => c.producer === producer).map((c) => c.type));
      expect(types.length).toBeGreaterThan(0);
    }
  });

  it('should record the event in the consumer transaction', async () => {
    const record = jest.fn().mockResolvedValue({ deliveries: 0, inbox: false });
    const handler = new RegistryEventsHandler({ record } as unknown as FanOutService);
    const manager = {} as EntityManager;
    const event = { type: kampungRegisteredV1.type } as CloudEvent<object>;
    await handler.handle(event, { manager, deliveryCount: 1, subject: 'kkb.x' } as HandlerContext);
    expect(record).toHaveBeenCalledWith(manager, event);
  });
});
