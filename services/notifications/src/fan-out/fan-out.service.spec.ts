import { kampungClassifiedV1, kampungRegisteredV1, type CloudEvent } from '@kkb/contracts';
import type { EntityManager } from 'typeorm';
import { matchesType, regionMatches } from '../common/event-matching';
import type { DeliveryRepository } from '../delivery/delivery.repository';
import type { NewInboxItem } from '../inbox/inbox-item';
import type { InboxRepository } from '../inbox/inbox.repository';
import type { ReceivedEventRepository } from '../received-event/received-event.repository';
import { FanOutService } from './fan-out.service';

const KAMPUNG = '6f1c2a3b-0000-4000-8000-000000000001';

/** Subscriptions as the fan-out query matches them: type patterns and a region prefix. */
interface FakeSubscription {
  id: string;
  types: string[];
  region: string;
}

function setup(subscriptions: FakeSubscription[]) {
  const received = new Map<string, string>();
  const deliveries: { subscriptionId: string; eventId: string }[] = [];
  const inbox: NewInboxItem[] = [];
  const receivedRepo = {
    record: jest.fn(async (_m: EntityManager, e: CloudEvent<object>, region: string) => {
      if (received.has(e.id)) return false;
      received.set(e.id, region);
      return true;
    }),
  };
  const deliveryRepo = {
    fanOut: jest.fn(async (_m: EntityManager, e: { eventId: string; type: string; region: string }) => {
      const matching = subscriptions.filter(
        (s) => matchesType(s.types, e.type) && regionMatches(s.region, e.region),
      );
      deliveries.push(...matching.map((s) => ({ subscriptionId: s.id, eventId: e.eventId })));
      return matching.length;
    }),
  };
  const inboxRepo = {
    add: jest.fn(async (_m: EntityManager, item: NewInboxItem) => {
      inbox.push(item);
      return true;
    }),
  };
  const sut = new FanOutService(
    deliveryRepo as unknown as DeliveryRepository,
    inboxRepo as unknown as InboxRepository,
    receivedRepo as unknown as ReceivedEventRepository,
  );
  return { sut, received, deliveries, inbox, receivedRepo, deliveryRepo, inboxRepo };
}

const envelope = {
  specversion: '1.0',
  source: '/kkb/x',
  datacontenttype: 'application/json',
  province: '16',
} as const;

const registered = (id: string): CloudEvent<object> => ({
  ...envelope,
  id,
  type: kampungRegisteredV1.type,
  subject: `kampung/${KAMPUNG}`,
  time: '2026-03-10T08:00:00.000Z',
  correlationid: id,
  data: {
    kampungId: KAMPUNG,
    villageCode: '16.10.05.2041',
    name: 'Kampung KB Sukamaju',
    launchDate: '2026-01-15',
    active: true,
    modelRegency: false,
    modelProvince: false,
    version: 1,
  },
});

const classifiedUnchanged = (id: string): CloudEvent<object> => ({
  ...envelope,
  id,
  type: kampungClassifiedV1.type,
  subject: `kampung/${KAMPUNG}`,
  time: '2026-03-10T09:00:00.000Z',
  correlationid: id,
  data: {
    kampungId: KAMPUNG,
    villageCode: '16.10.05.2041',
    evaluationId: id,
    ruleSetVersion: 1,
    level: 'mandiri',
    previousLevel: 'mandiri',
    changed: false,
    indices: { input: 3, process: 3, output: 1 },
    evaluatedAt: '2026-03-10T09:00:00.000Z',
    trigger: 'submission',
  },
});

const SUBSCRIPTIONS: FakeSubscription[] = [
  { id: 'sub-registry-16', types: ['kkb.registry.>'], region: '16' },
  { id: 'sub-all-national', types: ['>'], region: '' },
  { id: 'sub-registry-32', types: ['kkb.registry.>'], region: '32' },
  { id: 'sub-classified', types: ['kkb.classification.kampung.*.v1'], region: '1610' },
];

describe('FanOutService (in-memory)', () => {
  const m = {} as EntityManager;

  it('should record a new event once, make one delivery per matching subscription and one inbox item', async () => {
    const { sut, received, deliveries, inbox } = setup(SUBSCRIPTIONS);
    const result = await sut.record(m, registered('e-1'));

    expect(result).toEqual({ deliveries: 2, inbox: true });
    expect([...received]).toEqual([['e-1', '1610052041']]);
    expect(deliveries).toEqual([
      { subscriptionId: 'sub-registry-16', eventId: 'e-1' },
      { subscriptionId: 'sub-all-national', eventId: 'e-1' },
    ]);
    expect(inbox).toEqual([
      expect.objectContaining({
        dedupeKey: 'e-1',
        kind: 'kampung-registered',
        region: '1610052041',
        recipient: null,
        title: 'Kampung KB registered: Kampung KB Sukamaju',
        occurredAt: new Date('2026-03-10T08:00:00.000Z'),
      }),
    ]);
  });

  it('should do nothing more for a redelivered event', async () => {
    const { sut, deliveries, inbox, receivedRepo, deliveryRepo, inboxRepo } = setup(SUBSCRIPTIONS);
    await sut.record(m, registered('e-1'));
    const again = await sut.record(m, registered('e-1'));

    expect(again).toEqual({ deliveries: 0, inbox: false });
    expect(receivedRepo.record).toHaveBeenCalledTimes(2);
    expect(deliveryRepo.fanOut).toHaveBeenCalledTimes(1);
    expect(inboxRepo.add).toHaveBeenCalledTimes(1);
    expect(deliveries).toHaveLength(2);
    expect(inbox).toHaveLength(1);
  });

  it('should add no inbox item for an event that concerns no officer, but still deliver it', async () => {
    const { sut, received, deliveries, inboxRepo } = setup(SUBSCRIPTIONS);
    const result = await sut.record(m, classifiedUnchanged('e-2'));

    expect(result).toEqual({ deliveries: 2, inbox: false });
    expect(received.has('e-2')).toBe(true);
    expect(deliveries.map((d) => d.subscriptionId)).toEqual(['sub-all-national', 'sub-classified']);
    expect(inboxRepo.add).not.toHaveBeenCalled();
  });

  it('should record an event no subscription matches, with no deliveries', async () => {
    const { sut, received, deliveries, inbox } = setup([]);
    const result = await sut.record(m, registered('e-3'));

    expect(result).toEqual({ deliveries: 0, inbox: true });
    expect(received.has('e-3')).toBe(true);
    expect(deliveries).toEqual([]);
    expect(inbox.map((i) => i.kind)).toEqual(['kampung-registered']);
  });

  it('should pass the type, the event id and the region to the fan-out in the caller transaction', async () => {
    const { sut, deliveryRepo } = setup(SUBSCRIPTIONS);
    await sut.record(m, registered('e-4'));
    expect(deliveryRepo.fanOut).toHaveBeenCalledWith(m, {
      eventId: 'e-4',
      type: 'kkb.registry.kampung.registered.v1',
      region: '1610052041',
    });
  });
});
