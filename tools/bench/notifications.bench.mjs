// Notifications: webhook deliveries per second to a local receiver that answers at once, and the
// rate to healthy endpoints while another endpoint hangs (no head-of-line blocking).
// Deliveries are seeded in SQL (as the fan-out would write them) so the figures are the worker's.
import http from 'node:http';
import { benchRun, fmt, infrastructure, ms, percentile, report, startService } from './bench-kit.mjs';

const TOTAL = 5000;
const ENDPOINTS = 8;
const HEALTHY = 4;
const HOL_PER_ENDPOINT = 500;

const infra = await infrastructure();
const run = benchRun(infra);
let hanging = [];
const counts = new Map();
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    counts.set(req.url, (counts.get(req.url) ?? 0) + 1);
    if (req.url?.startsWith('/hang')) hanging.push(res);
    else res.writeHead(204).end();
  });
});
await /** @type {Promise<void>} */ (new Promise((r) => receiver.listen(0, '127.0.0.1', () => r())));
const { port: receiverPort } = /** @type {import('node:net').AddressInfo} */ (receiver.address()); // listening on TCP
const base = `http://127.0.0.1:${receiverPort}`;

try {
  const { app, config } = await startService(run, 'notifications', {
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_TIMEOUT_MS: '60000',
    WEBHOOK_POLL_MS: '200',
  });
  const { getDataSourceToken } = await import('@nestjs/typeorm');
  const ds = app.get(getDataSourceToken());
  const s = `"${config.DATABASE_SCHEMA}"`;
  const token = run.token('integrator', '');
  const subscribe = async (path, region) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/subscriptions',
      headers: { authorization: `Bearer ${token}` },
      payload: { url: `${base}${path}`, eventTypes: ['kkb.registry.>'], region },
    });
    if (res.statusCode !== 201) throw new Error(`subscribe: ${res.statusCode} ${res.body}`);
    return res.json().id;
  };
  /** `events` received events of province `prov`, each with a pending delivery to every one of `subs`. */
  const seed = async (prov, events, subs) => {
    await ds.query(
      `WITH ev AS (
         INSERT INTO ${s}.received_event (event_id, type, province_code, subject, occurred_at, event, region_code)
         SELECT id, 'kkb.registry.kampung.registered.v1', $1::text, 'kampung/' || id, now(),
                jsonb_build_object('specversion', '1.0', 'id', id, 'source', '/kkb/registry',
                  'type', 'kkb.registry.kampung.registered.v1', 'subject', 'kampung/' || id, 'time', now(),
                  'datacontenttype', 'application/json', 'correlationid', id, 'province', $1::text,
                  'data', jsonb_build_object('kampungId', id, 'villageCode', $1::text || '.01.01.2001',
                    'name', 'Kampung KB bench', 'launchDate', '2022-03-14', 'active', true,
                    'modelRegency', false, 'modelProvince', false, 'version', 1)),
                $1::text || '01012001'
           FROM (SELECT gen_random_uuid()::text AS id FROM generate_series(1, $2)) g
         RETURNING event_id)
       INSERT INTO ${s}.delivery (id, subscription_id, event_id)
       SELECT gen_random_uuid(), sub, ev.event_id FROM ev CROSS JOIN unnest($3::uuid[]) AS sub`,
      [prov, events, subs],
    );
    await ds.query(`SELECT pg_notify($1, '')`, [`kkb_webhooks_${config.DATABASE_SCHEMA}`]);
  };
  const delivered = async (subs) => {
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM ${s}.delivery WHERE subscription_id = ANY($1::uuid[]) AND status = 'delivered'`,
      [subs],
    );
    return n;
  };
  /** Seeds, then waits until every delivery to `subs` is delivered; returns deliveries/s. */
  const measure = async (prov, events, subs, allSubs = subs) => {
    const want = (await delivered(subs)) + events * subs.length;
    const t = process.hrtime.bigint();
    await seed(prov, events, allSubs);
    const deadline = Date.now() + 90_000;
    while ((await delivered(subs)) < want) {
      if (Date.now() > deadline) throw new Error('deliveries did not finish within 90 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    return (events * subs.length) / (Number(process.hrtime.bigint() - t) / 1e9);
  };

  // 1. Throughput to endpoints that answer at once.
  const fast = [];
  for (let i = 0; i < ENDPOINTS; i++) fast.push(await subscribe(`/fast/${i}`, '11'));
  await measure('11', 50, fast); // warm-up: connections, JIT
  const rate = await measure('11', TOTAL / ENDPOINTS, fast);
  const lat = (
    await ds.query(
      `SELECT a.latency_ms FROM ${s}.delivery_attempt a JOIN ${s}.delivery d ON d.id = a.delivery_id
        WHERE d.subscription_id = ANY($1::uuid[]) ORDER BY a.latency_ms`,
      [fast],
    )
  ).map((r) => r.latency_ms);
  report(
    'notifications.deliver',
    `${fmt(TOTAL)} deliveries`,
    `${fmt(rate)} /s`,
    `attempt p50 ${ms(percentile(lat, 50))}  p99 ${ms(percentile(lat, 99))}`,
    `(${ENDPOINTS} endpoints, ${config.WEBHOOK_ENDPOINT_CONCURRENCY} in flight each, ${config.WEBHOOK_CONCURRENCY} in all)`,
  );

  // 2. Healthy endpoints alone, then the same with one more endpoint that never answers.
  const healthy = [];
  for (let i = 0; i < HEALTHY; i++) healthy.push(await subscribe(`/healthy/${i}`, '12'));
  const baseline = await measure('12', HOL_PER_ENDPOINT, healthy);
  const hang = await subscribe('/hang', '12');
  const withHang = await measure('12', HOL_PER_ENDPOINT, healthy, [...healthy, hang]);
  const [{ n: stuck }] = await ds.query(
    `SELECT count(*)::int AS n FROM ${s}.delivery WHERE subscription_id = $1 AND status = 'pending'`,
    [hang],
  );
  report(
    'notifications.hol',
    `healthy endpoints ${fmt(withHang)} /s while one endpoint hangs`,
    `(baseline ${fmt(baseline)} /s, ratio ${fmt(withHang / baseline, 2)})`,
    `hung attempts held ${hanging.length}, ${fmt(stuck)} waiting`,
  );
  for (const r of hanging) r.destroy();
  hanging = [];
  await app.close();
} finally {
  for (const r of hanging) r.destroy();
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
  await run.cleanup();
  await infra.stop();
}
