import type { EntityManager } from 'typeorm';
import type { CloudEvent } from '@kkb/contracts';
import { Role, TestRun, eventually } from '@kkb/testing';
import { FeedController } from '../src/feed/feed.controller';
import { FanOutRepository } from '../src/fan-out/fan-out.repository';
import {
  cloudEvent,
  kampungClassified,
  kampungRegistered,
  publish,
  reportOverdue,
  startNotifications,
  submissionRejected,
  tokenFor,
  type Notifications,
} from './notifications.fixtures';

interface Page {
  items: { id: string; type: string; province: string; data: { villageCode?: string } }[];
  next: string;
}

describe(FeedController.name, () => {
  const run = new TestRun();
  let n: Notifications;

  const nat = tokenFor(Role.national, '', 'feed-national');
  const integrator16 = tokenFor(Role.integrator, '16', 'feed-integrator-16');
  const r1610 = tokenFor(Role.regency, '1610', 'feed-regency-1610');

  const in16 = [
    kampungRegistered('16.10.05.2041'),
    kampungRegistered('16.01.02.2003'),
    submissionRejected('16.10.05.2041'),
    reportOverdue('16.71.01.1001'),
    kampungClassified('16.10.05.2041', true),
    kampungClassified('16.01.02.2003', false),
    kampungRegistered('16.10.01.2001'),
  ];
  const in32 = [kampungRegistered('32.01.01.2001'), kampungClassified('32.01.01.2001', true)];
  const all = [...in16, ...in32];
  /** The feed's order (producers are consumed concurrently: received order, not published order). */
  let order: typeof all = [];
  const inOrder = (pred: (e: (typeof all)[number]) => boolean) => order.filter(pred).map((e) => e.id);

  const get = async (query: string, token = nat) => {
    const r = await n.svc.request({ method: 'GET', url: `/api/v1/events${query}`, token });
    return { status: r.statusCode, body: r.json() as Page & { errors?: { field: string }[] } };
  };

  /** Every page from `after` on, `limit` a page, until an empty one. */
  const readAll = async (params: string, token = nat, limit = 3) => {
    const ids: string[] = [];
    let after = '';
    for (let pages = 0; pages < 100; pages++) {
      const r = await get(`?limit=${limit}${params}${after ? `&after=${after}` : ''}`, token);
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(limit);
      if (r.body.items.length === 0) {
        // Nothing more matches: the cursor may move past events that did not, and stays valid.
        const again = await get(`?limit=${limit}${params}&after=${r.body.next}`, token);
        expect(again.body).toEqual({ items: [], next: r.body.next });
        return ids;
      }
      ids.push(...r.body.items.map((e) => e.id));
      after = r.body.next;
    }
    throw new Error('the feed did not end');
  };

  beforeAll(async () => {
    n = await startNotifications(run);
    for (const e of all) await publish(n, run, e);
    await eventually(() => get('?limit=500'), {
      until: (r) => r.status === 200 && all.every((e) => r.body.items.some((i) => i.id === e.id)),
      what: 'every event in the feed',
    });
    const ids = (await get('?limit=500')).body.items.map((e) => e.id);
    order = ids.map((id) => all.find((e) => e.id === id)!);
  });

  afterAll(async () => {
    await n?.close();
    await run.cleanup();
  });

  it('should give every event once, in order, across pages, each a CloudEvent as received', async () => {
    const one = await get('?limit=500');
    const paged = await readAll('');
    expect(paged).toEqual(one.body.items.map((e) => e.id));
    expect(new Set(paged).size).toBe(paged.length);
    expect([...paged].sort()).toEqual(all.map((e) => e.id).sort());
    const first = one.body.items.find((e) => e.id === in16[0].id);
    expect(first).toEqual(JSON.parse(JSON.stringify(in16[0])));
  });

  it('should filter by type patterns and by region', async () => {
    expect(await readAll('&type=kkb.registry.>')).toEqual(inOrder((e) => e.type.startsWith('kkb.registry.')));
    expect(await readAll('&type=kkb.*.kampung.classified.v1,kkb.survey.report.overdue.v1')).toEqual(
      inOrder((e) => /classified|overdue/.test(e.type)),
    );
    expect(await readAll('&region=16.10')).toEqual(inOrder((e) => e.data.villageCode.startsWith('16.10')));
    expect(await readAll('&region=16.10&type=kkb.registry.>', nat, 1)).toEqual(
      inOrder((e) => e.data.villageCode.startsWith('16.10') && e.type.startsWith('kkb.registry')),
    );
    const bad = await get('?type=kkb..x');
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((e) => e.field)).toEqual(['type']);
  });

  it("should serve only events within the caller's scope, and refuse a region outside it", async () => {
    expect(await readAll('', integrator16)).toEqual(inOrder((e) => e.province === '16'));
    expect(await readAll('', r1610)).toEqual(inOrder((e) => e.data.villageCode.startsWith('16.10')));
    for (const [query, token] of [
      ['?region=32', integrator16],
      ['?region=16', r1610],
      ['?region=16.01', r1610],
    ] as const) {
      const r = await get(query, token);
      expect(r.status).toBe(403);
    }
    expect((await get('?region=16.10.05', r1610)).status).toBe(200);
  });

  it('should refuse a cursor it did not issue, naming after', async () => {
    for (const forged of [
      'abc',
      Buffer.from('["x"]').toString('base64url'),
      Buffer.from('[1,2]').toString('base64url'),
      Buffer.from('[-1]').toString('base64url'),
    ]) {
      const r = await get(`?after=${forged}`);
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual([{ field: 'after', reason: expect.any(String) }]);
    }
  });

  it('should answer a long poll as soon as an event arrives, and an empty page with the same cursor when none does', async () => {
    const end = (await get('?limit=500')).body.next;
    const quiet = Date.now();
    const empty = await get(`?after=${end}&wait=1`);
    expect(Date.now() - quiet).toBeGreaterThanOrEqual(1000);
    expect(empty.body).toEqual({ items: [], next: end });

    const started = Date.now();
    const waiting = get(`?after=${end}&wait=20`);
    // A second long poll whose filter the new event does not match keeps waiting until its time is up.
    const other = get(`?after=${end}&wait=3&type=kkb.survey.>`).then((res) => ({ res, at: Date.now() }));
    const late = kampungRegistered('16.10.05.2042');
    setTimeout(() => void publish(n, run, late), 500);
    const r = await waiting;
    const took = Date.now() - started;
    expect(r.body.items.map((e) => e.id)).toEqual([late.id]);
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(5000);
    expect((await get(`?after=${r.body.next}`)).body.items).toEqual([]);
    const filtered = await other;
    expect(filtered.at - started).toBeGreaterThanOrEqual(2900);
    expect(filtered.res.body.items).toEqual([]);
    // Its cursor moved past the event it did not take, and it is still good for survey events.
    const rejected = submissionRejected('16.10.05.2042');
    await publish(n, run, rejected);
    const next = await get(`?after=${filtered.res.body.next}&wait=10&type=kkb.survey.>`);
    expect(next.body.items.map((e) => e.id)).toEqual([rejected.id]);
  });

  it('should not pass over an event that commits after a later one was served', async () => {
    const repo = n.svc.app.get(FanOutRepository);
    const record = (m: EntityManager, event: CloudEvent<object>) =>
      repo.writeMany(m, [{ event, region: '1610052041', subscriptionIds: [], inbox: null }]);
    let after = (await get('?limit=500')).body.next;
    const early = cloudEvent('kkb.registry.kampung.registered.v1', { villageCode: '16.10.05.2041' });
    const later = cloudEvent('kkb.registry.kampung.registered.v1', { villageCode: '16.10.05.2041' });
    const slow = n.ds.createQueryRunner();
    await slow.connect();
    try {
      await slow.startTransaction();
      await record(slow.manager, early); // inserted first, not committed yet
      await n.ds.transaction((m) => record(m, later));
      const first = await get(`?after=${after}`);
      expect(first.body.items.map((e) => e.id)).toEqual([later.id]);
      after = first.body.next;
      await slow.commitTransaction();
    } finally {
      await slow.release();
    }
    const second = await get(`?after=${after}`);
    expect(second.body.items.map((e) => e.id)).toEqual([early.id]);
  });
});
