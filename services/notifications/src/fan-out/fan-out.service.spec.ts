import { kampungClassifiedV1, kampungRegisteredV1, type CloudEvent } from '@kkb/contracts';
import type { EntityManager } from 'typeorm';
import { typePatternRegex } from '../common/event-matching';
import type { DeliveryWorker } from '../delivery/delivery-worker.service';
import type { DeliveryRepository } from '../delivery/delivery.repository';
import type { NewInboxItem } from '../inbox/inbox-item';
import type { FanOutEntry, FanOutRepository } from './fan-out.repository';
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
  /** FanOutRepository.writeMany's rules over arrays (the SQL is tested in webhooks.integration). */
  const repo = {
    writeMany: jest.fn(async (_m: EntityManager, entries: readonly FanOutEntry[]) => {
      let made = 0;
      for (const e of entries) {
        if (received.has(e.event.id)) continue;
        received.set(e.event.id, e.region);
        deliveries.push(...e.subscriptionIds.map((id) => ({ subscriptionId: id, eventId: e.event.id })));
        made += e.subscriptionIds.length;
        if (e.inbox && !inbox.some((i) => i.dedupeKey === e.inbox?.dedupeKey)) inbox.push(e.inbox);
      }
      return made;
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
  };
  /** Woken when a write made deliveries (after the commit, in the real worker). */
  const worker = { wakeAfterCommit: jest.fn() };
  const sut = new FanOutService(
    repo as unknown as FanOutRepository,
    new SubscriptionRoutes(deliveryRepo as unknown as DeliveryRepository),
    worker as unknown as DeliveryWorker,
  );
  return { sut, received, deliveries, inbox, repo, deliveryRepo, state, subscriptions, worker };
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

/**
 * A transaction's manager, as the consumer hands it over; without a data source (a test double)
 * TransactionBatch writes each event at once, so the effects are visible after `record`.
 */
const tx = () => ({ queryRunner: { isTransactionActive: true } }) as unknown as EntityManager;

describe('FanOutService (in-memory)', () => {
  const m = tx();

  it('should record a new event once, make one delivery per matching subscription and one inbox item', async () => {
    const { sut, received, deliveries, inbox } = setup(SUBSCRIPTIONS);
    await sut.record(m, registered('e-1'));

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
    const { sut, deliveries, inbox, worker } = setup(SUBSCRIPTIONS);
    await sut.record(m, registered('e-1'));
    await sut.record(m, registered('e-1'));

    expect(worker.wakeAfterCommit).toHaveBeenCalledTimes(1);
    expect(deliveries).toHaveLength(2);
    expect(inbox).toHaveLength(1);
  });

  it('should add no inbox item for an event that concerns no officer, but still deliver it', async () => {
    const { sut, received, deliveries, inbox, repo } = setup(SUBSCRIPTIONS);
    await sut.record(m, classifiedUnchanged('e-2'));

    expect(received.has('e-2')).toBe(true);
    expect(deliveries.map((d) => d.subscriptionId)).toEqual(['sub-all-national', 'sub-classified']);
    expect(repo.writeMany.mock.calls[0][1][0].inbox).toBeNull();
    expect(inbox).toEqual([]);
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
    await sut.record(m, registered('e-3'));

    expect(received.has('e-3')).toBe(true);
    expect(deliveries).toEqual([]);
    expect(inbox.map((i) => i.kind)).toEqual(['kampung-registered']);
  });

  it('should pass the event, its region and the matching subscriptions to the write in the caller transaction', async () => {
    const { sut, repo } = setup(SUBSCRIPTIONS);
    const event = registered('e-4');
    await sut.record(m, event);
    expect(repo.writeMany).toHaveBeenCalledWith(m, [
      {
        event,
        region: '1610052041',
        subscriptionIds: ['sub-registry-16', 'sub-all-national'],
        inbox: expect.objectContaining({ dedupeKey: 'e-4' }),
      },
    ]);
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

  it('should route an event no subscription takes to no subscription', async () => {
    const { sut, repo, deliveries, worker } = setup([
      { id: 'sub-32', types: ['>'], region: '32' },
      { id: 'sub-survey', types: ['kkb.survey.>'], region: '' },
    ]);
    await sut.record(m, registered('n-1'));
    expect(repo.writeMany.mock.calls[0][1][0].subscriptionIds).toEqual([]);
    expect(deliveries).toEqual([]);
    expect(worker.wakeAfterCommit).not.toHaveBeenCalled();
  });
});
