import { kampungClassifiedV1, kampungRegisteredV1, type CloudEvent } from '@kkb/contracts';
import type { EntityManager } from 'typeorm';
import { typePatternRegex } from '../common/event-matching';
import type { DeliveryWorker } from '../delivery/delivery-worker.service';
import type { DeliveryRepository } from '../delivery/delivery.repository';
import type { NewInboxItem } from '../inbox/inbox-item';
import type { InboxRepository } from '../inbox/inbox.repository';
import type { ReceivedEventRepository } from '../received-event/received-event.repository';
import { FanOutService } from './fan-out.service';
import { SubscriptionRoutes } from './subscription-routes';

const KAMPUNG = '6f1c2a3b-0000-4000-8000-000000000001';

/** Subscriptions as the fan-out query matches them: type patterns and a region prefix. */
interface FakeSubscription {
  id: string;
  types: string[];
  region: string;
}

function setup(subscriptions: FakeSubscription[], generation = '1') {
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
  const state = { generation };
  const deliveryRepo = {
    routes: jest.fn(async (_m: EntityManager, known: string | null) => ({
      generation: state.generation,
      subscriptions:
        known === state.generation
          ? null
          : subscriptions.map((s) => ({
              id: s.id,
              typePattern: typePatternRegex(s.types),
              regionPrefix: s.region,
            })),
    })),
    fanOut: jest.fn(async (_m: EntityManager, e: { eventId: string; subscriptionIds: readonly string[] }) => {
      deliveries.push(...e.subscriptionIds.map((id) => ({ subscriptionId: id, eventId: e.eventId })));
      return e.subscriptionIds.length;
    }),
  };
  const inboxRepo = {
    add: jest.fn(async (_m: EntityManager, item: NewInboxItem) => {
      inbox.push(item);
      return true;
    }),
  };
  /** Woken once per event that made deliveries (after the commit, in the real worker). */
  const worker = { wakeAfterCommit: jest.fn() };
  const sut = new FanOutService(
    deliveryRepo as unknown as DeliveryRepository,
    inboxRepo as unknown as InboxRepository,
    receivedRepo as unknown as ReceivedEventRepository,
    new SubscriptionRoutes(deliveryRepo as unknown as DeliveryRepository),
    worker as unknown as DeliveryWorker,
  );
  return {
    sut,
    received,
    deliveries,
    inbox,
    receivedRepo,
    deliveryRepo,
    inboxRepo,
    state,
    subscriptions,
    worker,
  };
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

/** A transaction's manager, as the consumer hands it over. */
const tx = () => ({ queryRunner: { isTransactionActive: true } }) as unknown as EntityManager;

describe('FanOutService (in-memory)', () => {
  const m = tx();

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

  it('should wake the delivery worker after the commit of a transaction that made deliveries, and only then', async () => {
    const { sut, worker } = setup(SUBSCRIPTIONS);
    await sut.record(m, registered('e-5'));
    expect(worker.wakeAfterCommit).toHaveBeenCalledWith(m);
    const none = setup([]);
    await none.sut.record(m, registered('e-6'));
    expect(none.worker.wakeAfterCommit).not.toHaveBeenCalled();
  });

  it('should record an event no subscription matches, with no deliveries', async () => {
    const { sut, received, deliveries, inbox } = setup([]);
    const result = await sut.record(m, registered('e-3'));

    expect(result).toEqual({ deliveries: 0, inbox: true });
    expect(received.has('e-3')).toBe(true);
    expect(deliveries).toEqual([]);
    expect(inbox.map((i) => i.kind)).toEqual(['kampung-registered']);
  });

  it('should pass the event id and the matching subscriptions to the fan-out in the caller transaction', async () => {
    const { sut, deliveryRepo } = setup(SUBSCRIPTIONS);
    await sut.record(m, registered('e-4'));
    expect(deliveryRepo.fanOut).toHaveBeenCalledWith(m, {
      eventId: 'e-4',
      subscriptionIds: ['sub-registry-16', 'sub-all-national'],
    });
  });

  it('should read the routing generation once per transaction and reload only when it moved', async () => {
    const { sut, deliveryRepo, state, subscriptions, deliveries } = setup(SUBSCRIPTIONS);
    const tx1 = tx();
    for (let i = 0; i < 5; i++) await sut.record(tx1, registered(`g-${i}`));
    expect(deliveryRepo.routes).toHaveBeenCalledTimes(1);
    expect(deliveryRepo.routes).toHaveBeenLastCalledWith(tx1, null);

    // The next transaction finds the same generation: nothing is reloaded.
    const tx2 = tx();
    await sut.record(tx2, registered('g-5'));
    expect(deliveryRepo.routes).toHaveBeenCalledTimes(2);
    expect(deliveryRepo.routes).toHaveBeenLastCalledWith(tx2, '1');
    expect(await deliveryRepo.routes.mock.results[1].value).toEqual({ generation: '1', subscriptions: null });

    // A new subscription moves the generation: the next transaction routes to it.
    subscriptions.push({ id: 'sub-new', types: ['kkb.registry.kampung.registered.v1'], region: '1610' });
    state.generation = '2';
    await sut.record(tx2, registered('g-6')); // same transaction: its snapshot's routes
    const tx3 = tx();
    await sut.record(tx3, registered('g-7'));
    expect(deliveries.filter((d) => d.eventId === 'g-6').map((d) => d.subscriptionId)).not.toContain(
      'sub-new',
    );
    expect(deliveries.filter((d) => d.eventId === 'g-7').map((d) => d.subscriptionId)).toContain('sub-new');
  });

  it('should read the generation for every event given a manager outside a transaction', async () => {
    const { sut, deliveryRepo } = setup(SUBSCRIPTIONS);
    const shared = {} as EntityManager;
    for (let i = 0; i < 3; i++) await sut.record(shared, registered(`s-${i}`));
    expect(deliveryRepo.routes).toHaveBeenCalledTimes(3);
  });

  it('should make no delivery statement for an event no subscription takes', async () => {
    const { sut, deliveryRepo, deliveries } = setup([
      { id: 'sub-32', types: ['>'], region: '32' },
      { id: 'sub-survey', types: ['kkb.survey.>'], region: '' },
    ]);
    await sut.record(m, registered('n-1'));
    expect(deliveries).toEqual([]);
    expect(deliveryRepo.fanOut).not.toHaveBeenCalled();
  });
});
