import { Webhook } from 'standardwebhooks';
import { checkEvent, webhookPingV1, type CloudEvent } from '@kkb/contracts';
import { Role, TestRun, eventually } from '@kkb/testing';
import { DeliveryRepository } from '../src/delivery/delivery.repository';
import { FanOutRepository } from '../src/fan-out/fan-out.repository';
import { FanOutService } from '../src/fan-out/fan-out.service';
import { SubscriptionController } from '../src/subscription/subscription.controller';
import {
  kampungRegistered,
  publish,
  Receiver,
  startNotifications,
  submissionRejected,
  tokenFor,
  type Notifications,
} from './notifications.fixtures';

interface Sub {
  id: string;
  url: string;
  secret?: string;
  status: string;
  statusReason: string | null;
  eventTypes: string[];
  region: string;
  previousSecretExpiresAt: string | null;
  [k: string]: unknown;
}
interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  origin: string;
  originId: string | null;
  status: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  lastLatencyMs: number | null;
}
interface Attempt {
  attempt: number;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  outcome: string;
}

describe(SubscriptionController.name, () => {
  const run = new TestRun();
  const receiver = new Receiver();
  let n: Notifications;
  const integrator = tokenFor(Role.integrator, '16', 'dashboard-sumsel');

  beforeAll(async () => {
    await receiver.start();
    n = await startNotifications(run);
  });
  afterAll(async () => {
    await n?.close();
    await receiver.close();
    await run.cleanup();
  });

  const call = async <T = Sub>(method: string, url: string, payload?: unknown, token = integrator) => {
    const res = await n.svc.request({ method, url, payload, token });
    return { status: res.statusCode, body: (res.body ? res.json() : undefined) as T, headers: res.headers };
  };
  const subscribe = async (path: string, region: string, eventTypes = ['kkb.>'], status = 200) => {
    const url = receiver.on(path, () => status);
    const res = await call('POST', '/api/v1/subscriptions', { url, eventTypes, region });
    expect(res.status).toBe(201);
    return res.body;
  };
  const deliveries = async (subId: string, query = '') =>
    (await call<{ items: Delivery[] }>('GET', `/api/v1/subscriptions/${subId}/deliveries${query}`)).body
      .items;
  const attemptsOf = async (subId: string, deliveryId: string) =>
    (await call<Attempt[]>('GET', `/api/v1/subscriptions/${subId}/deliveries/${deliveryId}/attempts`)).body;
  const deliveredOnce = (subId: string, count = 1) =>
    eventually(() => deliveries(subId), {
      until: (d) => d.length >= count && d.every((x) => x.status === 'delivered'),
      what: `${count} deliveries delivered`,
    });
  const outboxOf = (type: string) =>
    n.ds.query(`SELECT payload FROM "${n.schema}".outbox WHERE type = $1`, [type]) as Promise<
      { payload: { data: Record<string, unknown>; province: string } }[]
    >;

  it('should deliver the CloudEvent signed per Standard Webhooks, verifiable with the standardwebhooks library', async () => {
    const sub = await subscribe('/signed', '16.01');
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9+/]{40,}={0,2}$/);
    const event = kampungRegistered('16.01.01.2001');
    await publish(n, run, event);

    const [req] = await eventually(async () => receiver.to('/signed'), { until: (r) => r.length === 1 });
    expect(req.headers['webhook-id']).toBe(event.id);
    expect(req.headers['content-type']).toBe('application/json');
    const verified = new Webhook(sub.secret!).verify(req.body, req.headers) as Record<string, unknown>;
    expect(verified).toMatchObject({
      id: event.id,
      type: 'kkb.registry.kampung.registered.v1',
      specversion: '1.0',
    });
    expect(verified.data).toMatchObject({ villageCode: '16.01.01.2001' });
    // A tampered body, or another secret, does not verify.
    expect(() =>
      new Webhook(sub.secret!).verify(req.body.replace('16.01.01.2001', '16.01.01.2002'), req.headers),
    ).toThrow(/No matching signature/);
    const other = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect(() => new Webhook(other).verify(req.body, req.headers)).toThrow();

    const [d] = await deliveredOnce(sub.id);
    expect(d).toMatchObject({
      eventId: event.id,
      status: 'delivered',
      attempts: 1,
      lastStatus: 200,
      origin: 'event',
    });
    expect(await attemptsOf(sub.id, d.id)).toMatchObject([
      { attempt: 1, statusCode: 200, outcome: 'delivered' },
    ]);
  });

  it('should never show the secret again after creation', async () => {
    const sub = await subscribe('/no-secret', '16.01');
    const got = await call('GET', `/api/v1/subscriptions/${sub.id}`);
    expect(got.status).toBe(200);
    expect(got.body.secret).toBeUndefined();
    expect(JSON.stringify(got.body)).not.toContain(sub.secret!.slice(6));
    const listed = await call<{ items: Sub[] }>('GET', '/api/v1/subscriptions?limit=500');
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    const [row] = await n.ds.query(`SELECT secret_ciphertext FROM "${n.schema}".subscription WHERE id = $1`, [
      sub.id,
    ]);
    expect(row.secret_ciphertext).not.toContain(sub.secret!.slice(6));
  });

  it('should retry a failing endpoint with backoff and record each attempt until it succeeds', async () => {
    const url = receiver.on('/flaky', (i) => (i <= 2 ? 503 : 200));
    const sub = (
      await call('POST', '/api/v1/subscriptions', { url, eventTypes: ['kkb.registry.>'], region: '16.02' })
    ).body;
    const event = kampungRegistered('16.02.01.2001');
    await publish(n, run, event);

    const [d] = await deliveredOnce(sub.id);
    expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200, lastError: null });
    const attempts = await attemptsOf(sub.id, d.id);
    expect(attempts.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 503, 'retry'],
      [2, 503, 'retry'],
      [3, 200, 'delivered'],
    ]);
    expect(attempts[0].error).toBe('HTTP 503: nope');
    const bodies = receiver.to('/flaky').map((r) => [r.headers['webhook-id'], JSON.parse(r.body).id]);
    expect(bodies).toEqual([
      [event.id, event.id],
      [event.id, event.id],
      [event.id, event.id],
    ]);
  });

  it('should mark a delivery failed after its last attempt and publish that it failed', async () => {
    const url = receiver.on('/down', () => 500);
    const sub = (
      await call('POST', '/api/v1/subscriptions', { url, eventTypes: ['kkb.registry.>'], region: '16.03' })
    ).body;
    const event = kampungRegistered('16.03.01.2001');
    await publish(n, run, event);

    const [d] = await eventually(() => deliveries(sub.id), {
      until: (x) => x[0]?.status === 'failed',
      what: 'delivery failed',
    });
    expect(d).toMatchObject({ attempts: 3, lastStatus: 500, status: 'failed' });
    expect((await attemptsOf(sub.id, d.id)).map((a) => a.outcome)).toEqual(['retry', 'retry', 'failed']);
    expect(receiver.to('/down')).toHaveLength(3);
    const events = await eventually(() => outboxOf('kkb.notifications.delivery.failed.v1'), {
      until: (e) => e.some((x) => x.payload.data.deliveryId === d.id),
    });
    expect(events.find((x) => x.payload.data.deliveryId === d.id)!.payload).toMatchObject({
      province: '16',
      data: {
        subscriptionId: sub.id,
        eventId: event.id,
        eventType: 'kkb.registry.kampung.registered.v1',
        attempts: 3,
        lastStatus: 500,
      },
    });
    // Published to JetStream by the relay, like every outbox event.
    await eventually(async () => {
      const [r] = await n.ds.query(
        `SELECT published_at FROM "${n.schema}".outbox WHERE type = 'kkb.notifications.delivery.failed.v1' AND payload->'data'->>'deliveryId' = $1`,
        [d.id],
      );
      return r?.published_at;
    });
  });

  it('should stop a subscription whose endpoint answers 410 and cancel what it still had to deliver', async () => {
    const url = receiver.on('/gone', () => 410);
    const sub = (await call('POST', '/api/v1/subscriptions', { url, eventTypes: ['kkb.>'], region: '16.04' }))
      .body;
    await call('POST', `/api/v1/subscriptions/${sub.id}/pause`);
    for (let i = 1; i <= 3; i++) await publish(n, run, kampungRegistered(`16.04.01.200${i}`));
    await eventually(() => deliveries(sub.id), { until: (d) => d.length === 3 });
    expect(receiver.to('/gone')).toHaveLength(0); // paused: waiting, not lost

    expect((await call('POST', `/api/v1/subscriptions/${sub.id}/resume`)).body.status).toBe('active');
    const stopped = await eventually(() => call('GET', `/api/v1/subscriptions/${sub.id}`), {
      until: (r) => r.body.status === 'gone',
    });
    expect(stopped.body.statusReason).toMatch(/410/);
    const all = await eventually(() => deliveries(sub.id), {
      until: (d) => d.every((x) => x.status === 'cancelled'),
    });
    expect(all).toHaveLength(3);
    // At most the in-flight attempts reached it (endpoint concurrency 2); nothing after the 410.
    const seen = receiver.to('/gone').length;
    expect(seen).toBeGreaterThanOrEqual(1);
    expect(seen).toBeLessThanOrEqual(2);
    await publish(n, run, kampungRegistered('16.04.01.2009'));
    await eventually(
      () => n.ds.query(`SELECT 1 FROM "${n.schema}".received_event WHERE region_code = '1604012009'`),
      {
        until: (r) => r.length === 1,
      },
    );
    expect(await deliveries(sub.id)).toHaveLength(3);
  });

  it('should pause a subscription that keeps failing, tell its owner, and deliver what waited once resumed', async () => {
    let healthy = false;
    const url = receiver.on('/sick', () => (healthy ? 200 : 502));
    const sub = (await call('POST', '/api/v1/subscriptions', { url, eventTypes: ['kkb.>'], region: '16.05' }))
      .body;
    for (let i = 1; i <= 3; i++) await publish(n, run, kampungRegistered(`16.05.01.200${i}`));

    const paused = await eventually(() => call('GET', `/api/v1/subscriptions/${sub.id}`), {
      until: (r) => r.body.status === 'paused',
      what: 'subscription paused',
    });
    expect(paused.body).toMatchObject({ statusReason: 'consecutive-failures' });
    expect(paused.body.consecutiveFailures).toBeGreaterThanOrEqual(5);
    const [event] = (await outboxOf('kkb.notifications.subscription.paused.v1')).filter(
      (e) => e.payload.data.subscriptionId === sub.id,
    );
    expect(event.payload).toMatchObject({
      province: '16',
      data: { owner: 'dashboard-sumsel', reason: 'consecutive-failures', consecutiveFailures: 5 },
    });
    const inbox = await call<{ items: { kind: string; data: { subscriptionId: string } }[] }>(
      'GET',
      '/api/v1/inbox',
    );
    expect(inbox.body.items.filter((i) => i.kind === 'subscription-paused')).toMatchObject([
      { data: { subscriptionId: sub.id } },
    ]);
    // Another integrator does not get that notice.
    const other = await call<{ items: unknown[] }>(
      'GET',
      '/api/v1/inbox',
      undefined,
      tokenFor(Role.integrator, '16', 'x'),
    );
    expect(other.body.items).toEqual([]);

    // Nothing was dropped: what did not fail for good waits; once resumed it is delivered.
    const before = await deliveries(sub.id);
    expect(before.filter((d) => d.status === 'pending').length).toBeGreaterThanOrEqual(1);
    healthy = true;
    await call('POST', `/api/v1/subscriptions/${sub.id}/resume`);
    const after = await eventually(() => deliveries(sub.id), {
      until: (d) => d.every((x) => x.status !== 'pending'),
    });
    expect(after.filter((d) => d.status === 'delivered').length).toBeGreaterThanOrEqual(1);
    expect((await call('GET', `/api/v1/subscriptions/${sub.id}`)).body.consecutiveFailures).toBe(0);
  });

  it('should keep delivering to healthy endpoints while another endpoint hangs', async () => {
    const hang = await subscribe('/hang', '16.06');
    receiver.on('/hang', () => 'hang');
    const healthy = await subscribe('/healthy', '16.06');
    for (let i = 0; i < 8; i++) await publish(n, run, kampungRegistered(`16.06.01.20${10 + i}`));

    await deliveredOnce(healthy.id, 8);
    // The hanging endpoint holds at most its own slots (WEBHOOK_ENDPOINT_CONCURRENCY = 2).
    expect(receiver.hangingAt('/hang')).toBeLessThanOrEqual(2);
    const stuck = await deliveries(hang.id);
    expect(stuck.filter((d) => d.status === 'delivered')).toEqual([]);
    await call('DELETE', `/api/v1/subscriptions/${hang.id}`);
  });

  it('should create exactly one delivery per event and subscription however often the event arrives', async () => {
    const sub = await subscribe('/once', '16.07');
    const event = kampungRegistered('16.07.01.2001');
    await publish(n, run, event);
    // The same event again under other Nats-Msg-Ids (as after JetStream's de-duplication window).
    await publish(n, run, event, `${event.id}-again`);
    await publish(n, run, event, `${event.id}-and-again`);
    await deliveredOnce(sub.id);
    // And straight through the fan-out, past the consumer's inbox, in separate transactions.
    const fanOut = n.svc.app.get(FanOutService);
    for (let i = 0; i < 2; i++) await n.ds.transaction((m) => fanOut.record(m, event));
    await n.ds.transaction((m) =>
      m.query(
        `INSERT INTO "${n.schema}".delivery (id, subscription_id, event_id) VALUES (gen_random_uuid(), $1, $2)
         ON CONFLICT (event_id, subscription_id) WHERE origin = 'event' DO NOTHING`,
        [sub.id, event.id],
      ),
    );
    const [{ count }] = await n.ds.query(
      `SELECT count(*)::int AS count FROM "${n.schema}".delivery WHERE event_id = $1`,
      [event.id],
    );
    expect(count).toBe(1);
    await eventually(async () => receiver.to('/once'), { until: (r) => r.length === 1 });
    expect(receiver.to('/once').map((r) => r.headers['webhook-id'])).toEqual([event.id]);
  });

  it('should take in every event of a transaction with one statement at its commit, each once', async () => {
    const sub = await subscribe('/batched', '16.15');
    // Paused: the deliveries are made (a paused subscription gets them when resumed) but not attempted.
    await n.ds.query(`UPDATE "${n.schema}".subscription SET status = 'paused' WHERE id = $1`, [sub.id]);
    const [a, b, c] = ['16.15.01.2001', '16.15.01.2002', '16.15.01.2003'].map((v) => kampungRegistered(v));
    const fanOut = n.svc.app.get(FanOutService);
    await n.ds.transaction((m) => fanOut.record(m, c)); // seen before
    const writes = jest.spyOn(n.svc.app.get(FanOutRepository), 'writeMany');
    try {
      await n.ds.transaction(async (m) => {
        for (const e of [a, b, a, c]) await fanOut.record(m, e);
        expect(writes).not.toHaveBeenCalled(); // nothing written before the commit
        const [{ count }] = await m.query(
          `SELECT count(*)::int AS count FROM "${n.schema}".received_event WHERE event_id = ANY($1)`,
          [[a.id, b.id]],
        );
        expect(count).toBe(0);
      });
      expect(writes).toHaveBeenCalledTimes(1);
      expect(writes.mock.calls[0][1].map((e) => e.event.id)).toEqual([a.id, b.id, a.id, c.id]);
    } finally {
      writes.mockRestore();
    }
    const per = async (table: string, column = 'event_id') =>
      (
        (await n.ds.query(
          `SELECT ${column} AS id, count(*)::int AS n FROM "${n.schema}".${table}
            WHERE ${column} = ANY($1) GROUP BY ${column} ORDER BY ${column}`,
          [[a.id, b.id, c.id]],
        )) as { id: string; n: number }[]
      ).map((r) => [r.id, r.n]);
    const ids = [a.id, b.id, c.id].sort();
    expect(await per('received_event')).toEqual(ids.map((id) => [id, 1]));
    expect(await per('delivery')).toEqual(ids.map((id) => [id, 1]));
    expect(await per('inbox_item', 'dedupe_key')).toEqual(ids.map((id) => [id, 1]));
  });

  it('should record many successful attempts in one statement, each delivery once and only while pending', async () => {
    const sub = await subscribe('/together', '16.14');
    // Paused, so the worker leaves its deliveries alone while the test writes their outcomes.
    await n.ds.query(`UPDATE "${n.schema}".subscription SET status = 'paused' WHERE id = $1`, [sub.id]);
    const events = ['16.14.01.2001', '16.14.01.2002', '16.14.01.2003'].map((v) => kampungRegistered(v));
    for (const e of events) await publish(n, run, e);
    const ids = await eventually(
      async () =>
        (
          (await n.ds.query(
            `SELECT d.id FROM "${n.schema}".delivery d WHERE d.subscription_id = $1 ORDER BY d.seq`,
            [sub.id],
          )) as { id: string }[]
        ).map((r) => r.id),
      { until: (r) => r.length === 3, what: 'three pending deliveries' },
    );
    await n.ds.query(`UPDATE "${n.schema}".delivery SET status = 'cancelled' WHERE id = $1`, [ids[2]]);
    const startedAt = new Date('2026-12-01T01:02:03.000Z');
    const attempts = ids.map((id, i) => ({ id, attempt: 1, startedAt, status: 200 + i, latencyMs: 10 + i }));
    const repo = n.svc.app.get(DeliveryRepository);

    expect(await repo.markDelivered(n.ds.manager, attempts)).toEqual([true, true, false]);
    expect(await repo.markDelivered(n.ds.manager, attempts)).toEqual([false, false, false]);
    const rows = (await n.ds.query(
      `SELECT d.id, d.status, d.attempts, d.last_status, d.last_latency_ms, d.lease_until,
              (SELECT json_agg(json_build_object('attempt', a.attempt, 'status', a.status_code, 'outcome', a.outcome,
                                                 'startedAt', a.started_at))
                 FROM "${n.schema}".delivery_attempt a WHERE a.delivery_id = d.id) AS logged
         FROM "${n.schema}".delivery d WHERE d.id = ANY($1::uuid[]) ORDER BY d.seq`,
      [ids],
    )) as Record<string, unknown>[];
    expect(rows.map((r) => [r.status, r.attempts, r.last_status, r.last_latency_ms, r.lease_until])).toEqual([
      ['delivered', 1, 200, 10, null],
      ['delivered', 1, 201, 11, null],
      ['cancelled', 0, null, null, null],
    ]);
    expect(rows.map((r) => r.logged)).toEqual([
      [{ attempt: 1, status: 200, outcome: 'delivered', startedAt: '2026-12-01T01:02:03+00:00' }],
      [{ attempt: 1, status: 201, outcome: 'delivered', startedAt: '2026-12-01T01:02:03+00:00' }],
      null,
    ]);
  });

  it("should route events by each subscription's patterns, region and status as they are right after a change", async () => {
    const sub = await subscribe('/routing', '16.12', ['kkb.survey.>']);
    const fanOut = n.svc.app.get(FanOutService);
    const generation = async () =>
      (await n.ds.query(`SELECT generation::text AS g FROM "${n.schema}".subscription_generation`))[0]
        .g as string;
    // Straight through the fan-out, one transaction per event, right after each change commits.
    const routedTo = async (event: CloudEvent<object> = kampungRegistered('16.12.01.2001')) => {
      await n.ds.transaction((m) => fanOut.record(m, event));
      const rows: { subscription_id: string }[] = await n.ds.query(
        `SELECT subscription_id FROM "${n.schema}".delivery WHERE event_id = $1`,
        [event.id],
      );
      return rows.some((r) => r.subscription_id === sub.id);
    };
    expect(await routedTo()).toBe(false);
    expect(await routedTo(submissionRejected('16.12.01.2001'))).toBe(true);

    const before = await generation();
    expect(
      (await call('PATCH', `/api/v1/subscriptions/${sub.id}`, { eventTypes: ['kkb.registry.>'] })).status,
    ).toBe(200);
    expect(await generation()).not.toBe(before);
    expect(await routedTo()).toBe(true);
    expect(await routedTo(submissionRejected('16.12.01.2001'))).toBe(false);

    expect((await call('PATCH', `/api/v1/subscriptions/${sub.id}`, { region: '16.13' })).status).toBe(200);
    expect(await routedTo()).toBe(false);
    expect(await routedTo(kampungRegistered('16.13.01.2001'))).toBe(true);

    // A paused subscription still gets its deliveries (they wait for the resume).
    expect((await call('POST', `/api/v1/subscriptions/${sub.id}/pause`)).status).toBe(200);
    expect(await routedTo(kampungRegistered('16.13.01.2002'))).toBe(true);

    // Counting failures changes nothing routing depends on: the generation stays.
    const unchanged = await generation();
    await n.ds.query(
      `UPDATE "${n.schema}".subscription SET consecutive_failures = consecutive_failures + 1 WHERE id = $1`,
      [sub.id],
    );
    expect(await generation()).toBe(unchanged);

    expect((await call('DELETE', `/api/v1/subscriptions/${sub.id}`)).status).toBe(204);
    expect(await generation()).not.toBe(unchanged);
    const after = kampungRegistered('16.13.01.2003');
    await n.ds.transaction((m) => fanOut.record(m, after));
    const [{ count }] = await n.ds.query(
      `SELECT count(*)::int AS count FROM "${n.schema}".delivery WHERE event_id = $1`,
      [after.id],
    );
    expect(count).toBe(0);
  });

  it('should keep the connection to an endpoint alive between deliveries', async () => {
    const sub = await subscribe('/keep-alive', '16.11');
    for (let i = 1; i <= 3; i++) {
      await publish(n, run, kampungRegistered(`16.11.01.200${i}`));
      await deliveredOnce(sub.id, i);
    }
    const sockets = receiver.to('/keep-alive').map((r) => r.socket);
    expect(sockets).toHaveLength(3);
    expect(new Set(sockets).size).toBe(1);
  });

  it('should replay every event of a time range that the subscription takes, including events from before it existed', async () => {
    const t0 = new Date(Date.now() - 60_000).toISOString();
    const wanted = [kampungRegistered('16.08.01.2001'), submissionRejected('16.08.02.2001')];
    const otherRegion = kampungRegistered('16.09.01.2001');
    for (const e of [...wanted, otherRegion]) await publish(n, run, e);
    await eventually(
      () =>
        n.ds.query(`SELECT 1 FROM "${n.schema}".received_event WHERE event_id = ANY($1)`, [
          [...wanted, otherRegion].map((e) => e.id),
        ]),
      { until: (r) => r.length === 3 },
    );
    const sub = await subscribe('/replay', '16.08', ['kkb.registry.kampung.*.v1', 'kkb.survey.>']);
    expect(await deliveries(sub.id)).toEqual([]);

    const res = await call<{ replayId: string; deliveries: number }>(
      'POST',
      `/api/v1/subscriptions/${sub.id}/replay`,
      {
        from: t0,
        to: new Date(Date.now() + 1000).toISOString(),
      },
    );
    expect(res.status).toBe(201);
    expect(res.body.deliveries).toBe(2);
    const done = await deliveredOnce(sub.id, 2);
    expect(done.map((d) => d.origin)).toEqual(['replay', 'replay']);
    expect(done.every((d) => d.originId === res.body.replayId)).toBe(true);
    await eventually(async () => receiver.to('/replay'), { until: (r) => r.length === 2 });
    expect(
      receiver
        .to('/replay')
        .map((r) => r.headers['webhook-id'])
        .sort(),
    ).toEqual(wanted.map((e) => e.id).sort());
    for (const r of receiver.to('/replay'))
      expect(() => new Webhook(sub.secret!).verify(r.body, r.headers)).not.toThrow();

    // A replay is a new batch each time; the original exactly-once record is unaffected.
    const again = await call<{ deliveries: number }>('POST', `/api/v1/subscriptions/${sub.id}/replay`, {
      from: t0,
      to: new Date(Date.now() + 1000).toISOString(),
    });
    expect(again.body.deliveries).toBe(2);
    expect((await call('POST', `/api/v1/subscriptions/${sub.id}/replay`, { from: t0, to: t0 })).status).toBe(
      400,
    );
  });

  it('should redeliver one delivery as a new delivery of the same event', async () => {
    const sub = await subscribe('/redeliver', '16.10');
    const event = kampungRegistered('16.10.01.2001');
    await publish(n, run, event);
    const [d] = await deliveredOnce(sub.id);
    const res = await call<Delivery>('POST', `/api/v1/subscriptions/${sub.id}/deliveries/${d.id}/redeliver`);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ eventId: event.id, origin: 'redelivery', originId: d.id });
    await deliveredOnce(sub.id, 2);
    expect(receiver.to('/redeliver').map((r) => r.headers['webhook-id'])).toEqual([event.id, event.id]);
  });

  it('should sign with the new secret and the old one during the grace period after a rotation, then the new one only', async () => {
    const sub = await subscribe('/rotate', '16.11');
    const rotated = await call('POST', `/api/v1/subscriptions/${sub.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(sub.secret);
    expect(rotated.body.previousSecretExpiresAt).not.toBeNull();

    await publish(n, run, kampungRegistered('16.11.01.2001'));
    const [req] = await eventually(async () => receiver.to('/rotate'), { until: (r) => r.length === 1 });
    expect(req.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(rotated.body.secret!).verify(req.body, req.headers)).not.toThrow();
    expect(() => new Webhook(sub.secret!).verify(req.body, req.headers)).not.toThrow();

    // The grace period ends: only the new secret signs.
    await n.ds.query(
      `UPDATE "${n.schema}".subscription SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`,
      [sub.id],
    );
    await publish(n, run, kampungRegistered('16.11.01.2002'));
    const [, later] = await eventually(async () => receiver.to('/rotate'), { until: (r) => r.length === 2 });
    expect(later.headers['webhook-signature'].split(' ')).toHaveLength(1);
    expect(() => new Webhook(rotated.body.secret!).verify(later.body, later.headers)).not.toThrow();
    expect(() => new Webhook(sub.secret!).verify(later.body, later.headers)).toThrow();
  });

  it('should answer a ping with how the endpoint answered, signed like a delivery', async () => {
    const sub = await subscribe('/ping', '16.12');
    const res = await call<{ delivered: boolean; statusCode: number; latencyMs: number }>(
      'POST',
      `/api/v1/subscriptions/${sub.id}/ping`,
    );
    expect(res.body).toMatchObject({ delivered: true, statusCode: 200 });
    const [req] = receiver.to('/ping');
    const body = new Webhook(sub.secret!).verify(req.body, req.headers) as { type: string; data: unknown };
    expect(body).toMatchObject({
      type: 'kkb.notifications.webhook.ping.v1',
      data: { subscriptionId: sub.id },
    });
    // A whole CloudEvent that its contract (and so the AsyncAPI document) accepts.
    expect(await checkEvent(body, webhookPingV1)).toMatchObject({ ok: true });
    expect(body).toMatchObject({ province: '16', correlationid: expect.any(String) });
    receiver.on('/ping', () => 500);
    expect((await call('POST', `/api/v1/subscriptions/${sub.id}/ping`)).body).toMatchObject({
      delivered: false,
      statusCode: 500,
    });
  });

  it('should let integrators manage only their own subscriptions, within their scope', async () => {
    const sub = await subscribe('/owned', '16.13');
    const stranger = tokenFor(Role.integrator, '16', 'someone-else');
    expect((await call('GET', `/api/v1/subscriptions/${sub.id}`, undefined, stranger)).status).toBe(404);
    expect((await call('DELETE', `/api/v1/subscriptions/${sub.id}`, undefined, stranger)).status).toBe(404);
    const url = receiver.url('/owned');
    expect(
      (await call('POST', '/api/v1/subscriptions', { url, eventTypes: ['kkb.>'], region: '18' })).status,
    ).toBe(403);
    expect(
      (await call('POST', '/api/v1/subscriptions', { url, eventTypes: ['kkb.>'], region: '' })).status,
    ).toBe(403);
    expect(
      (
        await call(
          'POST',
          '/api/v1/subscriptions',
          { url, eventTypes: ['kkb.>'] },
          run.token(Role.province, '16'),
        )
      ).status,
    ).toBe(403);
    expect(
      (await call('POST', '/api/v1/subscriptions', { url, eventTypes: ['kkb.>'] }, 'not-a-token')).status,
    ).toBe(401);
    const bad = await call<{ errors: { field: string }[] }>('POST', '/api/v1/subscriptions', {
      url,
      eventTypes: ['kkb..x'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toEqual(['eventTypes']);
    // Defaults to the caller's scope; a national officer may take the whole country.
    const defaulted = await call('POST', '/api/v1/subscriptions', { url, eventTypes: ['kkb.>'] });
    expect(defaulted.body.region).toBe('16');
    const national = await call(
      'POST',
      '/api/v1/subscriptions',
      { url, eventTypes: ['kkb.>'], region: '' },
      run.token(),
    );
    expect(national.status).toBe(201);
    for (const s of [defaulted.body, national.body]) {
      const token = s === national.body ? run.token() : integrator;
      expect((await call('DELETE', `/api/v1/subscriptions/${s.id}`, undefined, token)).status).toBe(204);
    }

    const patched = await call('PATCH', `/api/v1/subscriptions/${sub.id}`, {
      eventTypes: ['kkb.survey.>'],
      region: '16.13.01',
      description: 'survey only',
    });
    expect(patched.body).toMatchObject({
      eventTypes: ['kkb.survey.>'],
      region: '16.13.01',
      description: 'survey only',
    });
  });
});
