import { DeliverPolicy, type OrderedConsumerOptions } from '@nats-io/jetstream';
import { streamName } from '@kkb/messaging';
import { Role, TestRun, eventually } from '@kkb/testing';
import {
  FAST_ENV,
  kampungClassified,
  kampungRegistered,
  publish,
  Receiver,
  reportOverdue,
  startNotifications,
  submissionRejected,
  tokenFor,
  type Notifications,
} from './notifications.fixtures';

/**
 * Issue 16's "done when": an integrator of province 16 reads the same events by webhook (its
 * subscription), by NATS (a JetStream consumer on the producers' streams, as an integrator with a
 * NATS account would) and by the HTTP feed; the three sets are the same.
 */
describe('an integrator reading events three ways', () => {
  const run = new TestRun();
  const receiver = new Receiver();
  let n: Notifications;
  const integrator = tokenFor(Role.integrator, '16', 'three-ways-dashboard');

  beforeAll(async () => {
    await receiver.start();
    n = await startNotifications(run, FAST_ENV);
  });

  afterAll(async () => {
    await n?.close();
    await receiver.close();
    await run.cleanup();
  });

  it('should give the same events by webhook, by NATS and by the feed', async () => {
    const url = receiver.on('/hook', () => 200);
    const sub = await n.svc.request({
      method: 'POST',
      url: '/api/v1/subscriptions',
      payload: { url, eventTypes: ['kkb.>'], region: '16' },
      token: integrator,
    });
    expect(sub.statusCode).toBe(201);

    const events = [
      kampungRegistered('16.10.05.2041'),
      submissionRejected('16.10.05.2041'),
      reportOverdue('16.01.02.2003'),
      kampungClassified('16.10.05.2041', true),
      kampungRegistered('32.01.01.2001'),
      kampungClassified('32.01.01.2001', false),
      kampungRegistered('16.71.01.1001'),
    ];
    for (const e of events) await publish(n, run, e);
    const expected = events.filter((e) => e.province === '16').map((e) => e.id);

    // By webhook: the CloudEvent is the body.
    const byWebhook = await eventually(
      async () => new Set(receiver.to('/hook').map((r) => (JSON.parse(r.body) as { id: string }).id)),
      { until: (ids) => ids.size >= expected.length, what: 'the webhooks' },
    );

    // By NATS: the producers' streams, province 16's subjects (`<root>.<producer>.….16`).
    const byNats = new Set<string>();
    for (const producer of ['registry', 'survey', 'classification']) {
      const opts: Partial<OrderedConsumerOptions> = {
        filter_subjects: `${run.subjectRoot}.${producer}.*.*.*.16`,
        deliver_policy: DeliverPolicy.All,
      };
      const consumer = await n.js.consumers.get(streamName(run.streamPrefix, producer), opts);
      const info = await consumer.info();
      const pending = info.num_pending;
      if (pending === 0) continue;
      const messages = await consumer.fetch({ max_messages: pending, expires: 5000 });
      for await (const m of messages) {
        byNats.add(m.json<{ id: string }>().id);
        if (m.info.pending === 0) break;
      }
    }

    // By the feed: every page.
    const byFeed = new Set<string>();
    let after = '';
    for (;;) {
      const r = await n.svc.request({
        method: 'GET',
        url: `/api/v1/events?limit=2${after ? `&after=${after}` : ''}`,
        token: integrator,
      });
      expect(r.statusCode).toBe(200);
      const page = r.json() as { items: { id: string }[]; next: string };
      if (page.items.length === 0) break;
      for (const e of page.items) byFeed.add(e.id);
      after = page.next;
    }

    const sorted = (s: Set<string>) => [...s].sort();
    expect(sorted(byWebhook)).toEqual([...expected].sort());
    expect(sorted(byNats)).toEqual(sorted(byWebhook));
    expect(sorted(byFeed)).toEqual(sorted(byWebhook));
  });
});
