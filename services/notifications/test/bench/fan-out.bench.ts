import { randomUUID } from 'node:crypto';
import { TestRun } from '@kkb/testing';
import { FanOutService } from '../../src/fan-out/fan-out.service';
import { SubscriptionRepository } from '../../src/subscription/subscription.repository';
import { typePatternRegex } from '../../src/common/event-matching';
import {
  FAST_ENV,
  kampungClassified,
  kampungRegistered,
  reportOverdue,
  startNotifications,
  type Notifications,
} from '../notifications.fixtures';

/**
 * Micro-benchmark, not a test (it asserts nothing, and the suite does not find it: no `.spec`):
 * N FanOutService.record calls in batches of 32 against the real Postgres. Run it with
 * `BENCH=1 npx jest -c services/notifications/jest.config.js --testMatch '<rootDir>/test/bench/fan-out.bench.ts'`
 * (BENCH_N, BENCH_C to change the count and the concurrency).
 */
(process.env.BENCH ? describe : describe.skip)('fan-out bench', () => {
  const run = new TestRun();
  let n: Notifications;
  beforeAll(async () => {
    n = await startNotifications(run, {
      ...FAST_ENV,
      WEBHOOK_WORKER_ENABLED: 'false',
      EMAIL_DIGEST_INTERVAL_MS: '0',
    });
    const subs = n.svc.app.get(SubscriptionRepository);
    // 40 subscriptions: most on other regions or other types.
    await n.ds.transaction(async (m) => {
      for (let i = 0; i < 40; i++) {
        const types =
          i % 4 === 0
            ? ['kkb.registry.>']
            : i % 4 === 1
              ? ['kkb.survey.*.*.v1']
              : ['kkb.classification.kampung.classified.v1'];
        await subs.insert(m, {
          id: randomUUID(),
          owner: 'bench',
          url: 'http://127.0.0.1:9/x',
          description: null,
          eventTypes: types,
          typePattern: typePatternRegex(types),
          regionPrefix: i < 4 ? '16' : `${20 + i}`,
          secretCiphertext: 'x',
        });
      }
    });
  }, 60000);
  afterAll(async () => {
    await n?.close();
    await run.cleanup();
  });

  // Default: 1 in 5 events makes an inbox item and deliveries, the rest concern no one here.
  // BENCH_MIX=inbox: every event makes an inbox item and a delivery.
  const mix = (i: number) =>
    process.env.BENCH_MIX === 'inbox' || i % 10 === 0
      ? kampungRegistered('16.10.05.2041')
      : i % 10 === 1
        ? reportOverdue('16.10.01.2001')
        : kampungClassified('33.10.05.2041', false);

  it('times record()', async () => {
    const fan = n.svc.app.get(FanOutService);
    const N = Number(process.env.BENCH_N ?? 2000);
    const B = 32;
    const C = Number(process.env.BENCH_C ?? 4);
    // warm-up
    await n.ds.transaction(async (m) => {
      for (let i = 0; i < B; i++) await fan.record(m, mix(i));
    });
    const events = Array.from({ length: N }, (_, i) => mix(i));
    const batches: (typeof events)[] = [];
    for (let i = 0; i < N; i += B) batches.push(events.slice(i, i + B));
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    let next = 0;
    await Promise.all(
      Array.from({ length: C }, async () => {
        while (next < batches.length) {
          const b = batches[next++];
          await n.ds.transaction(async (m) => {
            for (const e of b) await fan.record(m, e);
          });
        }
      }),
    );
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    console.log(
      `mix=${process.env.BENCH_MIX ?? 'default'} N=${N} batch=${B} concurrency=${C}: ${ms.toFixed(0)} ms wall, ${(ms / N).toFixed(3)} ms/event, node cpu ${((cpu.user + cpu.system) / 1000 / N).toFixed(3)} ms/event`,
    );
  }, 600000);
});
