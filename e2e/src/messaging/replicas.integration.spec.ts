import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { eventually, startTestService, TestRun, type TestService } from '@kkb/testing';
import { NatsConnectionService, OutboxRelayService, streamName } from '@kkb/messaging';
import { consumerDef, producerDef, TestProducer } from './messaging.fixtures';

/** Two replicas of a producer share one outbox; two replicas of a consumer share one durable. */
describe('replicas', () => {
  const run = new TestRun();
  const apps: TestService[] = [];

  afterAll(async () => {
    for (const a of apps) await a.close();
    await run.cleanup();
  });

  it('should publish each outbox row once and handle each event once with two replicas of each side', async () => {
    const outbox = { enabled: true, batchSize: 16, pollMs: 50, retentionHours: 1 };
    const p1 = await startTestService(run, producerDef, { messaging: { outbox } });
    const p2 = await startTestService(run, producerDef, { messaging: { outbox } });
    const c1 = await startTestService(run, consumerDef, {
      messaging: { consumers: [{ ...consumerDef.consumers[0], concurrency: 4 }] },
    });
    const c2 = await startTestService(run, consumerDef, {
      messaging: { consumers: [{ ...consumerDef.consumers[0], concurrency: 4 }] },
    });
    apps.push(p1, p2, c1, c2);

    const N = 300;
    const names = Array.from({ length: N }, (_, i) => `replica-${i}`);
    // Half written through each producer replica, concurrently.
    await Promise.all(names.map((n, i) => (i % 2 ? p1 : p2).app.get(TestProducer).register(n)));

    const ds = c1.app.get<DataSource>(getDataSourceToken());
    const handled = await eventually(
      async () =>
        (
          await ds.query(
            `SELECT count(*)::int AS n, sum(n)::int AS total FROM "${run.schema('survey')}".handled WHERE name LIKE 'replica-%'`,
          )
        )[0],
      { until: (r) => r.n === N, timeoutMs: 60000, what: `${N} events handled` },
    );
    expect(handled.total).toBe(N); // no event counted twice

    const jsm = p1.app.get(NatsConnectionService).jsm;
    const info = await jsm.streams.info(streamName(run.streamPrefix, 'registry'));
    expect(info.state.messages).toBe(N); // each row published once (Nats-Msg-Id would drop a second)
    const pds = p1.app.get<DataSource>(getDataSourceToken());
    const [{ left }] = await pds.query(
      `SELECT count(*)::int AS left FROM "${run.schema('registry')}".outbox WHERE published_at IS NULL`,
    );
    expect(left).toBe(0);

    // Both relays and both consumers did part of the work.
    const published = async (a: TestService) => {
      const m = await a.request({ method: 'GET', url: '/metrics' });
      return Number(/kkb_outbox_published_total (\d+)/.exec(m.body)?.[1] ?? 0);
    };
    const consumed = async (a: TestService) => {
      const m = await a.request({ method: 'GET', url: '/metrics' });
      return Number(/kkb_events_consumed_total\{[^}]*outcome="handled"\} (\d+)/.exec(m.body)?.[1] ?? 0);
    };
    expect((await published(p1)) + (await published(p2))).toBe(N);
    expect((await consumed(c1)) + (await consumed(c2))).toBe(N);
    expect(await consumed(c1)).toBeGreaterThan(0);
    expect(await consumed(c2)).toBeGreaterThan(0);
    expect(p1.app.get(OutboxRelayService)).toBeDefined();
  });
});
