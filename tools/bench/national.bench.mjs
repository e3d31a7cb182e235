// National scale: a Kampung KB in every one of Indonesia's 83,762 villages (the registry's own
// whole-country region import), a verified profile for each and a year of verified monthly
// reports (12 x 83,762 ~ 1.0 M), then a national recomputation and the aggregate and list
// latencies over HTTP against the services running as their own processes.
//
// The year of data is generated reproducibly and LOADED BY SQL, not through the API (over HTTP a
// million submissions and verifications would take hours): tools/bench/national-data.mjs says
// which rows are written and how they are made as the services would have made them.
//
//   node tools/bench/national.bench.mjs
//   env: NATIONAL_KAMPUNG (default: every village), NATIONAL_MONTHS (12), NATIONAL_SEED,
//        NATIONAL_FANOUT_SECONDS (30: how long notifications may catch up on the recomputation)
import { createRequire } from 'node:module';
import {
  benchRun,
  fmt,
  httpClient,
  infrastructure,
  mb,
  ms,
  prng,
  report,
  startServiceProcesses,
  summary,
} from './bench-kit.mjs';
import {
  assertMonthsPast,
  loadNational,
  nationalModules,
  prepareNational,
  SERVICES,
  secs,
  serviceSchemas,
} from './national-data.mjs';

const require = createRequire(import.meta.url);
const { Pool } = require('pg');
const { connect } = require('@nats-io/transport-node');
const { jetstreamManager } = require('@nats-io/jetstream');

const SEED = Number(process.env.NATIONAL_SEED ?? 20250101);
const WANTED = process.env.NATIONAL_KAMPUNG ? Number(process.env.NATIONAL_KAMPUNG) : Infinity;
const MONTHS = Number(process.env.NATIONAL_MONTHS ?? 12);
const FANOUT_SECONDS = Number(process.env.NATIONAL_FANOUT_SECONDS ?? 30);
const YEAR = 2025; // fixed, so that the same seed gives the same data whenever it runs
const DEPTH = 3; // statements in flight while the next batch is generated (national-data.mjs)

const now = () => performance.timeOrigin + performance.now();
const pad = (n) => String(n).padStart(2, '0');
const lastPeriod = { year: YEAR + Math.floor(MONTHS / 12), month: (MONTHS % 12) + 1 };
assertMonthsPast(MONTHS, { year: YEAR, month: 1 });

const infra = await infrastructure();
const run = benchRun(infra);
const pool = new Pool({ connectionString: infra.databaseUrl, max: DEPTH + 1 });
const client = httpClient({ maxSockets: 8 });
const procs = {};
let nc;
try {
  const { schema } = serviceSchemas(run);
  // Everything from dist/ is loaded now: a concurrent `npm run build` empties it for a moment.
  const { RULE_SET_V1 } = nationalModules();

  // ---- schemas and the whole country's regions, with the services' own commands
  await prepareNational(infra, run, { label: 'national' });

  // ---- the services, each its own process (started now: they idle while the data is loaded)
  let t = now();
  Object.assign(procs, await startServiceProcesses(run, SERVICES));
  report('national.start', '4 service processes ready', secs(now() - t), '(idle while the data is loaded)');
  const { registry, survey, classification } = procs;
  const national = run.token('national', '');
  const call = async (p, method, path, body, token = national) => {
    const res = await client.request(method, `${p.url}${path}`, { token, body });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text.slice(0, 500)}`);
    return res.json;
  };

  // ---- a kampung in every village and a year of verified reports, by SQL
  const { kampung, N } = await loadNational(pool, run, {
    label: 'national',
    kampung: WANTED,
    months: MONTHS,
    from: { year: YEAR, month: 1 },
    seed: SEED,
  });

  const first = await call(classification, 'GET', '/api/v1/levels');
  if (first.kampung !== N || first.assessed !== N)
    throw new Error(`unexpected national levels before the recomputation: ${JSON.stringify(first)}`);
  report(
    'national.levels (loaded)',
    Object.entries(first.levels)
      .map(([l, n]) => `${l} ${fmt(n)}`)
      .join('  '),
  );

  // ---- national recomputation: a rule set that raises the pass mark, through the API
  const draft = await call(classification, 'POST', '/api/v1/rule-sets', {
    name: 'bench: pass mark 3.25',
    definition: { ...RULE_SET_V1, passMark: 3.25 },
  });
  t = now();
  let job = await call(classification, 'POST', `/api/v1/rule-sets/${draft.version}/publish`);
  const jobDeadline = Date.now() + 15 * 60_000;
  while (job.status !== 'done') {
    if (Date.now() > jobDeadline) throw new Error(`recomputation not done in 15 min: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 250));
    job = await call(classification, 'GET', `/api/v1/recompute-jobs/${job.id}`);
  }
  const recomputeMs = now() - t;
  report(
    'national.recompute (pass mark 3.25)',
    `${fmt(job.processed)} kampung`,
    secs(recomputeMs),
    `${fmt(job.processed / (recomputeMs / 1000))} kampung/s`,
    `changed ${fmt(job.changed)}`,
    '(notifications taking in its events meanwhile)',
  );
  t = now();
  for (let pending = 1; pending;) {
    [{ n: pending }] = (
      await pool.query(
        `SELECT count(*)::int AS n FROM ${schema.classification}.outbox WHERE published_at IS NULL`,
      )
    ).rows;
    if (pending) {
      if (now() - t > 300_000)
        throw new Error(`${pending} classification events still unpublished after 5 min`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  report(
    'national.recompute events published',
    `${fmt(job.changed)} kampung classified events`,
    `${secs(now() - t)} after the job`,
  );
  const after = await call(classification, 'GET', '/api/v1/levels');
  report(
    'national.levels (after the recomputation)',
    Object.entries(after.levels)
      .map(([l, n]) => `${l} ${fmt(n)}`)
      .join('  '),
  );

  // ---- notifications catches up on those events (its fan-out), for at most FANOUT_SECONDS
  {
    nc = await connect({ servers: infra.natsUrl.split(',') });
    const jsm = await jetstreamManager(nc);
    const lag = async () => {
      const info = await jsm.consumers.info(
        `${run.id.toUpperCase()}_CLASSIFICATION`,
        'notifications-classification',
      );
      return info.num_pending + info.num_ack_pending;
    };
    const startedAt = now();
    const backlog = await lag();
    let left = backlog;
    while (left > 0 && now() - startedAt < FANOUT_SECONDS * 1000) {
      await new Promise((r) => setTimeout(r, 500));
      left = await lag();
    }
    const fanMs = now() - startedAt;
    const [{ n: received }] = (
      await pool.query(
        `SELECT count(*)::int AS n FROM ${schema.notifications}.received_event WHERE type = 'kkb.classification.kampung.classified.v1'`,
      )
    ).rows;
    report(
      'national.notifications fan-out',
      `${fmt(received)} of ${fmt(job.changed)} events taken in`,
      left
        ? `${fmt(left)} left after ${secs(fanMs)} more (${fmt((backlog - left) / (fanMs / 1000))} events/s)`
        : `all ${secs(fanMs)} after the events were published`,
      '(consuming while the recomputation ran)',
    );
    // Stopped, so that its backlog does not weigh on the latencies below.
    procs.notifications.final = procs.notifications.memory();
    await procs.notifications.stop();
  }

  // ---- aggregate and list latencies over HTTP (sequential calls, after one warm-up call each)
  await pool.query(`ANALYZE ${schema.classification}.kampung_state`);
  await pool.query(`ANALYZE ${schema.classification}.kampung_level_month`);
  await pool.query(`ANALYZE ${schema.classification}.evaluation`);
  const pick = prng(SEED, 424242);
  const someKampung = () => kampung[Math.floor(pick() * N)];
  const province = kampung.some((k) => k.code.startsWith('16.'))
    ? '16'
    : kampung[Math.floor(N / 2)].code.slice(0, 2);
  const provinceToken = run.token('province', province);
  const regency = (kampung.find((k) => k.code.startsWith(`${province}.`)) ?? someKampung()).code.slice(0, 5);
  // History: the 12 months ending with the month the last report was verified in.
  const monthName = (m) => `${Math.floor(m / 12)}-${pad((m % 12) + 1)}`;
  const lastMonth = lastPeriod.year * 12 + lastPeriod.month - 1;
  const [from12, last] = [monthName(lastMonth - 11), monthName(lastMonth)];
  const lastReport = monthName(YEAR * 12 + MONTHS - 1);
  /** Calls until `n` calls or `budgetMs` have passed (at least 5 calls); p50/p99 in ms. */
  const measure = async (label, p, path, { n = 50, budgetMs = 15_000, token = national } = {}) => {
    const url = typeof path === 'function' ? path : () => path;
    await call(p, 'GET', url(), undefined, token);
    const times = [];
    const startedAt = now();
    while (times.length < n && (times.length < 5 || now() - startedAt < budgetMs)) {
      const t0 = now();
      await call(p, 'GET', url(), undefined, token);
      times.push(now() - t0);
    }
    const l = summary(times);
    report(`national.${label}`, `p50 ${ms(l.p50)}`, `p99 ${ms(l.p99)}`, `(n=${l.n}, HTTP)`);
  };
  await measure('levels national', classification, '/api/v1/levels');
  await measure('levels national, by province', classification, '/api/v1/levels?breakdown=true', { n: 30 });
  await measure(`levels province ${province}`, classification, `/api/v1/levels?region=${province}`);
  await measure(
    `levels province ${province}, by regency`,
    classification,
    `/api/v1/levels?region=${province}&breakdown=true`,
  );
  await measure(
    `history national ${from12}..${last}`,
    classification,
    `/api/v1/levels/history?from=${from12}&to=${last}`,
    { n: 20 },
  );
  await measure(
    `history province ${province} (12 months)`,
    classification,
    `/api/v1/levels/history?region=${province}&from=${from12}&to=${last}`,
    { n: 20 },
  );
  await measure(
    'explain one kampung',
    classification,
    () => `/api/v1/kampung/${someKampung().id}/classification`,
  );
  await measure(
    'evaluations of one kampung',
    classification,
    () => `/api/v1/kampung/${someKampung().id}/classification/history`,
  );
  await measure('registry coverage national', registry, '/api/v1/coverage');
  await measure('registry coverage by province', registry, '/api/v1/coverage?breakdown=true');
  await measure(
    'survey submissions of one kampung',
    survey,
    () => `/api/v1/submissions?kampungId=${someKampung().id}`,
    { n: 20 },
  );
  await measure(`survey list, province ${province} officer`, survey, '/api/v1/submissions?limit=100', {
    n: 20,
    token: provinceToken,
  });
  await measure(`survey list, regency ${regency} officer`, survey, '/api/v1/submissions?limit=100', {
    n: 20,
    token: run.token('regency', regency),
  });
  await measure(
    `survey list, ${province} reports of ${lastReport}`,
    survey,
    `/api/v1/submissions?kind=monthly-report&year=${lastReport.slice(0, 4)}&month=${Number(lastReport.slice(5))}&limit=100`,
    { n: 20, token: provinceToken },
  );

  report(
    'national.memory (peak RSS)',
    SERVICES.map((s) => {
      const m = procs[s]?.final ?? procs[s]?.memory();
      return m ? `${s} ${mb(m.peak)}` : `${s} n/a`;
    }).join('  '),
  );
} catch (err) {
  for (const p of Object.values(procs))
    process.stderr.write(`--- ${p.name} (last lines)\n${p.output.slice(-15).join('\n')}\n`);
  throw err;
} finally {
  for (const p of Object.values(procs)) await p.stop().catch(() => undefined);
  client.close();
  await nc?.close().catch(() => undefined);
  await pool.end().catch(() => undefined);
  await run.cleanup();
  await infra.stop();
}
