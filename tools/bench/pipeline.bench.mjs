// Pipeline: the four services as their own processes (built dist/, as `npm start` runs them), a
// monthly report carried end to end: survey submit -> verify -> outbox -> JetStream ->
// classification evaluates -> outbox -> JetStream -> notifications fan-out -> signed webhook to an
// integrator's endpoint (a node:http receiver in this process).
//
// Setup: PIPELINE_KAMPUNG kampung (default 200) in province 16, regions inserted by SQL into the
// registry schema (REGIONS_AUTO_IMPORT=false), kampung registered over HTTP, then waited for in
// the survey and classification projections; one webhook subscription to
// kkb.classification.kampung.classified.v1; a verified profile for every kampung (warm-up).
// Load: closed loop at each PIPELINE_CONCURRENCY level (default 16,64) for PIPELINE_SECONDS (20):
// each virtual client submits a monthly report (field officer token), verifies it (verifier
// token, `x-correlation-id` = the submission id) and waits for the `kampung classified` webhook,
// which carries that correlation id; then its next kampung. Reported: webhooks delivered per
// second, submit-to-webhook p50/p99, the HTTP calls, and each stage from the timestamps the
// services write anyway (outbox created/published, inbox handled_at, the event `time`, the
// delivery attempt) so that the slowest stage can be named; each service's peak RSS; the ceiling
// (ceiling.bench.mjs) with the size of the real events, and pipeline ÷ ceiling.
// CPU per submission over each measured window, from /proc/<pid>/stat (utime+stime, and the
// cutime+cstime of exited children) at its start and end: each service process (and its children),
// the Postgres cluster the bench uses (its postmaster and all its backends, those that exited
// included), the nats-server serving NATS_URL, and this process (the load generator and webhook
// receiver, process.cpuUsage()); node ms and commits per submission against issue 15's targets.
// Then an open loop (unless BENCH_OPEN_SECONDS=0): BENCH_OPEN_RATE arrivals a second (200) for
// BENCH_OPEN_SECONDS (15), each carried as in the closed loop, latency taken from the arrival's
// SCHEDULED time (a stall of the scheduler or of the services is not hidden), with the late starts,
// the arrivals dropped at the in-flight cap (BENCH_OPEN_MAX_IN_FLIGHT, 2,000, and at most one
// submission per kampung at a time: PIPELINE_KAMPUNG), those unfinished after BENCH_OPEN_DRAIN_SECONDS
// (10) and CPU per submission; p99 against the 100 ms target.
//
//   node tools/bench/pipeline.bench.mjs   (env: PIPELINE_KAMPUNG, PIPELINE_CONCURRENCY,
//   PIPELINE_SECONDS, PIPELINE_CEILING_SECONDS, WEBHOOK_POLL_MS, SERVICE_NODE_ARGS,
//   BENCH_OPEN_RATE, BENCH_OPEN_SECONDS, BENCH_OPEN_MAX_IN_FLIGHT, BENCH_OPEN_DRAIN_SECONDS,
//   BENCH_OPEN_LATE_MS)
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import {
  benchRun,
  CLOCK_TICKS,
  cpuMeter,
  dist,
  fmt,
  httpClient,
  infrastructure,
  mb,
  ms,
  natsRoots,
  postgresRoots,
  profileAnswers,
  reportAnswers,
  report,
  startServiceProcesses,
  summary,
} from './bench-kit.mjs';
import { measureCeiling } from './ceiling.bench.mjs';

/** Each durable consumer's concurrency (messages handled at once per replica), from the services. */
const CONSUMER_SLOTS = Object.fromEntries(
  ['survey', 'classification', 'notifications'].flatMap((name) =>
    dist(`services/${name}/src/service.js`)[`${name}Service`].consumers.map((c) => [
      c.durable,
      c.concurrency ?? 1,
    ]),
  ),
);

const require = createRequire(import.meta.url);
const { Client } = require('pg');
const { connect } = require('@nats-io/transport-node');
const { jetstreamManager } = require('@nats-io/jetstream');

const KAMPUNG = Number(process.env.PIPELINE_KAMPUNG ?? 200);
const LEVELS = (process.env.PIPELINE_CONCURRENCY ?? '16,64').split(',').map(Number);
const SECONDS = Number(process.env.PIPELINE_SECONDS ?? 20);
const CEILING_SECONDS = Number(process.env.PIPELINE_CEILING_SECONDS ?? 3);
/** Iterations started in the first RAMP seconds of a level are left out of its figures. */
const RAMP = Math.min(2, SECONDS / 5);
const WEBHOOK_TIMEOUT_MS = 60_000;
const CLASSIFIED = 'kkb.classification.kampung.classified.v1';
const VERIFIED = 'kkb.survey.submission.verified.v1';
const SERVICES = ['registry', 'survey', 'classification', 'notifications'];
const OPEN_RATE = Number(process.env.BENCH_OPEN_RATE ?? 200);
const OPEN_SECONDS = Number(process.env.BENCH_OPEN_SECONDS ?? 15);
const OPEN_MAX_IN_FLIGHT = Number(process.env.BENCH_OPEN_MAX_IN_FLIGHT ?? 2000);
const OPEN_DRAIN_SECONDS = Number(process.env.BENCH_OPEN_DRAIN_SECONDS ?? 10);
/** An arrival started more than this after its scheduled time counts as late (the scheduler fell behind). */
const OPEN_LATE_MS = Number(process.env.BENCH_OPEN_LATE_MS ?? 10);
/** Issue 15's targets. */
const TARGET = { nodeMs: 3, commits: 4, openP99Ms: 100, rssMb: 150 };
if (LEVELS.some((c) => !(c >= 1 && c <= KAMPUNG)))
  throw new Error(`PIPELINE_CONCURRENCY levels must be between 1 and PIPELINE_KAMPUNG (${KAMPUNG})`);

const now = () => performance.timeOrigin + performance.now(); // wall clock, sub-millisecond
const pad = (n, w = 2) => String(n).padStart(w, '0');
const secs = (msValue) => `${fmt(msValue / 1000, 1)} s`;
const sleep = (msValue) => new Promise((r) => setTimeout(r, Math.max(0, msValue)));
const ms2 = (v) => fmt(v, v < 10 ? 2 : 1);

// ---- the integrator's endpoint: answers 204 at once, hands each event to whoever waits for it
const waiters = new Map(); // correlation id -> resolve
const early = new Map(); // events that arrived before anyone waited (never expected)
const hookSizes = [];
let hooks = 0;
const receiver = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = now();
    res.writeHead(204).end();
    hooks++;
    const body = Buffer.concat(chunks);
    hookSizes.push(body.length);
    let event;
    try {
      event = JSON.parse(body.toString('utf8'));
    } catch {
      return;
    }
    const hit = { at, event, signed: Boolean(req.headers['webhook-signature']) };
    const resolve = waiters.get(event.correlationid);
    if (resolve) resolve(hit);
    else early.set(event.correlationid, hit);
  });
});
/** Resolves with the webhook carrying `correlationId`, or null after WEBHOOK_TIMEOUT_MS. */
function webhookFor(correlationId) {
  const got = early.get(correlationId);
  if (got) {
    early.delete(correlationId);
    return Promise.resolve(got);
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiters.delete(correlationId);
      resolve(null);
    }, WEBHOOK_TIMEOUT_MS);
    waiters.set(correlationId, (hit) => {
      clearTimeout(timer);
      waiters.delete(correlationId);
      resolve(hit);
    });
  });
}

const infra = await infrastructure();
const run = benchRun(infra);
const procs = {};
const db = new Client({ connectionString: infra.databaseUrl });
const client = httpClient({ maxSockets: 512 });
let nc;
try {
  await /** @type {Promise<void>} */ (new Promise((r) => receiver.listen(0, '127.0.0.1', () => r())));
  const { port: hookPort } = /** @type {import('node:net').AddressInfo} */ (receiver.address()); // listening on TCP
  const hookUrl = `http://127.0.0.1:${hookPort}/kkb-hook`;
  await db.connect();

  // ---- the services, each its own process
  let t = now();
  Object.assign(
    procs,
    await startServiceProcesses(run, SERVICES, (name) =>
      name === 'notifications'
        ? {
            WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
            ...(process.env.WEBHOOK_POLL_MS ? { WEBHOOK_POLL_MS: process.env.WEBHOOK_POLL_MS } : {}),
          }
        : {},
    ),
  );
  const startMs = now() - t;
  const schema = Object.fromEntries(SERVICES.map((n) => [n, `"${procs[n].schema}"`]));
  const { registry, survey, notifications } = procs;

  // ---- regions (just province 16's part the bench needs), then kampung over HTTP
  const villages = [];
  const rows = [`('16', '16', 'Sumatera Selatan', 'sumatera selatan', 1, 'provinsi', NULL, 'bench')`];
  for (let r = 1; villages.length < KAMPUNG; r++) {
    const regency = `16.${pad(r)}`;
    rows.push(
      `('${regency}', '16${pad(r)}', 'Kabupaten ${r}', 'kabupaten ${r}', 2, 'kabupaten', '16', 'bench')`,
    );
    for (let d = 1; d <= 5 && villages.length < KAMPUNG; d++) {
      const district = `${regency}.${pad(d)}`;
      rows.push(
        `('${district}', '${district.replaceAll('.', '')}', 'Kecamatan ${r}-${d}', 'kecamatan ${r}-${d}', 3, 'kecamatan', '${regency}', 'bench')`,
      );
      for (let v = 1; v <= 10 && villages.length < KAMPUNG; v++) {
        const code = `${district}.${2000 + v}`;
        villages.push(code);
        rows.push(
          `('${code}', '${code.replaceAll('.', '')}', 'Desa ${r}-${d}-${v}', 'desa ${r}-${d}-${v}', 4, 'desa', '${district}', 'bench')`,
        );
      }
    }
  }
  await db.query(
    `INSERT INTO ${schema.registry}.region (code, compact_code, name, search_name, level, kind, parent_code, source)
     VALUES ${rows.join(',\n')}`,
  );
  await db.query(`SELECT ${schema.registry}.coverage_count_recount()`);

  t = now();
  const national = run.token('national', '');
  const kampung = [];
  let registerRetries = 0;
  const queue = [...villages.entries()];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const [i, villageCode] = item;
        let res;
        for (let attempt = 1; ; attempt++) {
          res = await client.request('POST', `${registry.url}/api/v1/kampung`, {
            token: national,
            body: { villageCode, name: `Kampung KB Bench ${i + 1}`, launchDate: '2015-01-01' },
          });
          // Concurrent registrations in one province can deadlock in the coverage_count trigger
          // (a 500); the transaction rolled back, so the same request is sent again, and counted.
          if (res.status !== 500 || attempt === 5) break;
          registerRetries++;
        }
        if (res.status !== 201) throw new Error(`register ${villageCode}: ${res.status} ${res.text}`);
        kampung[i] = { id: res.json.id, villageCode, q: (i % 10) / 10 + 0.05, month: 0 };
      }
    }),
  );
  const registerMs = now() - t;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const counts = await Promise.all(
      ['survey', 'classification'].map(async (s) => {
        const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM ${schema[s]}.kampung_projection`))
          .rows;
        return n;
      }),
    );
    if (counts.every((n) => n === KAMPUNG)) break;
    if (Date.now() > deadline)
      throw new Error(`projections have ${counts.join(' and ')} of ${KAMPUNG} kampung`);
    await new Promise((r) => setTimeout(r, 50));
  }
  report(
    'pipeline.setup',
    `4 service processes ready in ${secs(startMs)}`,
    `${fmt(KAMPUNG)} kampung registered over HTTP in ${secs(registerMs)}`,
    `in both projections after ${secs(now() - t - registerMs)} more`,
  );
  if (registerRetries)
    report(
      'pipeline.setup registry 500s',
      `${registerRetries} of ${fmt(KAMPUNG)} registrations answered 500 (8 concurrent) and were sent again`,
      `(deadlock in the coverage_count trigger: see the registry's log)`,
    );

  // ---- the integrator's subscription
  const sub = await client.request('POST', `${notifications.url}/api/v1/subscriptions`, {
    token: run.token('integrator', ''),
    body: { url: hookUrl, eventTypes: [CLASSIFIED], region: '', description: 'pipeline bench' },
  });
  if (sub.status !== 201) throw new Error(`subscribe: ${sub.status} ${sub.text}`);

  // ---- one submission carried end to end
  const officer = run.token('field_officer', '16');
  const verifier = run.token('verifier', '16');
  const errors = new Map();
  const fail = (what, res) => {
    const key = `${what} ${res.status}`;
    if (!errors.has(key)) errors.set(key, { n: 0, text: res.text.slice(0, 300) });
    errors.get(key).n++;
  };
  /** Submits and verifies one submission of kampung `k`, then waits for its webhook. */
  async function carry(k, kind) {
    const id = randomUUID();
    // Profile for January 2015; then one monthly report per month from February 2015 on, so that
    // each report is the kampung's latest and is evaluated (an older period would not be).
    const monthIndex = kind === 'profile' ? 0 : ++k.month;
    if (monthIndex > 140)
      throw new Error(`kampung ${k.id} ran out of past months: use more PIPELINE_KAMPUNG`);
    const period = { year: 2015 + Math.floor(monthIndex / 12), month: 1 + (monthIndex % 12) };
    const answers =
      kind === 'profile'
        ? (k.profile = profileAnswers(Math.random, k.q))
        : reportAnswers(Math.random, k.q, k.profile.pus);
    const s = { id, kampungId: k.id, kind, t0: now() };
    const arrived = webhookFor(id);
    const submitted = await client.request('POST', `${survey.url}/api/v1/submissions`, {
      token: officer,
      body: {
        id,
        kampungId: k.id,
        instrumentCode: kind === 'profile' ? 'kampung-profile' : 'monthly-report',
        instrumentVersion: 1,
        period,
        answers,
      },
    });
    s.t1 = now();
    if (submitted.status !== 201) {
      fail('submit', submitted);
      return null;
    }
    const verified = await client.request('POST', `${survey.url}/api/v1/submissions/${id}/verify`, {
      token: verifier,
      headers: { 'x-correlation-id': id },
    });
    s.t2 = now();
    if (verified.status !== 200) {
      fail('verify', verified);
      return null;
    }
    const hit = await arrived;
    if (!hit) {
      s.lost = true;
      return s;
    }
    s.arrival = hit.at;
    s.eventTime = Date.parse(hit.event.time);
    s.eventId = hit.event.id;
    s.signed = hit.signed;
    const rp = hit.event.data?.reportPeriod;
    if (kind !== 'profile' && (rp?.year !== period.year || rp?.month !== period.month)) s.mismatch = true;
    return s;
  }

  // ---- warm-up: a verified profile for every kampung (each is assessed from then on)
  t = now();
  const warm = [];
  const todo = [...kampung];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let k = todo.shift(); k; k = todo.shift()) warm.push(await carry(k, 'profile'));
    }),
  );
  const warmDone = warm.filter((s) => s?.arrival);
  if (warmDone.length !== KAMPUNG)
    throw new Error(
      `warm-up: ${warmDone.length} of ${KAMPUNG} profiles delivered; ${JSON.stringify([...errors])}`,
    );
  const warmE2e = summary(warmDone.map((s) => s.arrival - s.t0));
  report(
    'pipeline.warm-up (profiles)',
    `${fmt(KAMPUNG)} verified profiles delivered in ${secs(now() - t)}`,
    `e2e p50 ${ms(warmE2e.p50)}  p99 ${ms(warmE2e.p99)}`,
    `(16 clients)`,
  );

  // ---- the measured load
  nc = await connect({ servers: infra.natsUrl.split(',') });
  const jsm = await jetstreamManager(nc);
  const prefix = run.id.toUpperCase();
  const streamMessages = async () => {
    let n = 0;
    for (const p of ['SURVEY', 'CLASSIFICATION'])
      n += (await jsm.streams.info(`${prefix}_${p}`)).state.messages;
    return n;
  };
  const commits = async () =>
    Number(
      (await db.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`)).rows[0]
        .xact_commit,
    );
  /** Events handled and seconds spent handling them (parse, check, transaction, ack), per durable consumer. */
  const handling = async () => {
    const out = {};
    for (const p of [procs.classification, procs.notifications]) {
      const text = (await client.request('GET', `${p.url}/metrics`)).text;
      for (const [, what, consumer, value] of text.matchAll(
        /^kkb_event_handle_seconds_(sum|count)\{consumer="([^"]+)"\} (\S+)$/gm,
      ))
        (out[consumer] ??= { sum: 0, count: 0 })[what] = Number(value);
    }
    return out;
  };
  // CPU: each service's process tree, the Postgres cluster, the nats-server(s), and this process.
  const pg = await postgresRoots(db);
  const natsServer = natsRoots(infra.natsUrl);
  const meter = cpuMeter({
    ...Object.fromEntries(SERVICES.map((n) => [n, () => [procs[n].pid]])),
    postgres: () => pg.roots,
    nats: () => natsServer.roots,
  });
  const levels = [];
  for (const concurrency of LEVELS) {
    const samples = [];
    const errorsBefore = [...errors.values()].reduce((a, e) => a + e.n, 0);
    const before = { msgs: await streamMessages(), commits: await commits(), handling: await handling() };
    const cpuBefore = meter.read();
    const start = now();
    const stop = start + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, c) => {
        const mine = kampung.filter((_, i) => i % concurrency === c);
        for (let i = 0; now() < stop; i++) {
          const s = await carry(mine[i % mine.length], 'monthly-report');
          if (s) samples.push(s);
        }
      }),
    );
    const drained = now();
    const cpu = meter.since(cpuBefore);
    const after = { msgs: await streamMessages(), commits: await commits(), handling: await handling() };
    const consumers = Object.fromEntries(
      Object.entries(after.handling).map(([name, a]) => {
        const b = before.handling[name] ?? { sum: 0, count: 0 };
        const count = a.count - b.count;
        return [
          name,
          {
            count,
            mean: count ? ((a.sum - b.sum) / count) * 1000 : NaN,
            busy: (a.sum - b.sum) / ((drained - start) / 1000),
          },
        ];
      }),
    );
    const from = start + RAMP * 1000;
    const window = (stop - from) / 1000;
    const measured = samples.filter((s) => s.t0 >= from && s.t0 < stop);
    const done = measured.filter((s) => s.arrival);
    const deliveredInWindow = samples.filter((s) => s.arrival >= from && s.arrival < stop).length;
    levels.push({
      /** The done samples with every stage's timestamp: filled in once all levels have run. */
      staged: /** @type {any[]} */ ([]),
      concurrency,
      from,
      stop,
      samples,
      measured,
      done,
      window,
      rate: deliveredInWindow / window,
      started: measured.length / window,
      lost: measured.filter((s) => s.lost).length,
      mismatched: samples.filter((s) => s.mismatch).length,
      drainMs: drained - stop,
      consumers,
      errors: [...errors.values()].reduce((a, e) => a + e.n, 0) - errorsBefore,
      msgsPer: (after.msgs - before.msgs) / samples.length,
      commitsPer: (after.commits - before.commits) / samples.length,
      cpu,
    });
  }
  // Peak RSS at the closed-loop levels (the open loop may raise it: reported on its own).
  const memory = SERVICES.map((n) => [n, procs[n].memory()]);

  // ---- open loop: arrivals at a fixed rate, latency from the scheduled time
  let open = null;
  if (OPEN_SECONDS > 0 && OPEN_RATE > 0) {
    // A kampung carries one submission at a time: two of one kampung in flight could be verified
    // out of order, and the older period would not be classified (no webhook). So in flight is at
    // most PIPELINE_KAMPUNG too; an arrival finding no idle kampung is dropped like one at the cap.
    const idle = [...kampung];
    const cap = Math.min(OPEN_MAX_IN_FLIGHT, KAMPUNG);
    const total = Math.round(OPEN_RATE * OPEN_SECONDS);
    const period = 1000 / OPEN_RATE;
    /** @type {{ due: number, started: number, done: boolean, s?: any, error?: string }[]} */
    const arrivals = [];
    const pending = new Set();
    let inFlight = 0;
    let dropped = 0;
    let peakInFlight = 0;
    const errorsBefore = [...errors.values()].reduce((a, e) => a + e.n, 0);
    const before = { msgs: await streamMessages(), commits: await commits() };
    const cpuBefore = meter.read();
    const start = now() + 10;
    /** @param {number} due */
    const launch = (due) => {
      if (inFlight >= cap || !idle.length) {
        dropped++;
        return;
      }
      const k = idle.shift();
      const a = {
        due,
        started: now(),
        done: false,
        s: /** @type {any} */ (undefined),
        error: /** @type {string | undefined} */ (undefined),
      };
      arrivals.push(a);
      peakInFlight = Math.max(peakInFlight, ++inFlight);
      const p = carry(k, 'monthly-report')
        .then(
          (s) => void (a.s = s),
          (err) => void (a.error = String(err?.message ?? err)),
        )
        .finally(() => {
          a.done = true;
          inFlight--;
          idle.push(k);
          pending.delete(p);
        });
      pending.add(p);
    };
    for (let i = 0; i < total;) {
      const wait = start + i * period - now();
      if (wait > 0) {
        await sleep(wait);
        continue;
      }
      // Every arrival due by now starts now (late if the timer or the event loop fell behind).
      for (; i < total && start + i * period <= now(); i++) launch(start + i * period);
    }
    const scheduled = now();
    await Promise.race([Promise.allSettled([...pending]), sleep(OPEN_DRAIN_SECONDS * 1000)]);
    const ended = now();
    const cpu = meter.since(cpuBefore);
    const after = { msgs: await streamMessages(), commits: await commits() };
    open = {
      total,
      cap,
      arrivals,
      dropped,
      peakInFlight,
      scheduleMs: scheduled - start,
      drainMs: ended - scheduled,
      cpu,
      errors: [...errors.values()].reduce((a, e) => a + e.n, 0) - errorsBefore,
      msgsPer: (after.msgs - before.msgs) / (arrivals.length || 1),
      commitsPer: (after.commits - before.commits) / (arrivals.length || 1),
      memory: SERVICES.map((n) => [n, procs[n].memory()]),
    };
  }

  // ---- where the time went: the timestamps the services wrote anyway
  const epoch = (col) => `extract(epoch FROM ${col}) * 1000`;
  const surveyOut = new Map(
    (
      await db.query(
        `SELECT id, payload AS event, payload->'data'->>'submissionId' AS sid, ${epoch('published_at')} AS published
           FROM ${schema.survey}.outbox WHERE type = $1`,
        [VERIFIED],
      )
    ).rows.map((r) => [r.sid, r]),
  );
  const classIn = new Map(
    (
      await db.query(
        `SELECT event_id, ${epoch('handled_at')} AS handled FROM ${schema.classification}.inbox WHERE consumer = 'classification-survey-submission'`,
      )
    ).rows.map((r) => [r.event_id, Number(r.handled)]),
  );
  const classOut = new Map(
    (
      await db.query(
        `SELECT id, payload AS event, ${epoch('published_at')} AS published FROM ${schema.classification}.outbox WHERE type = $1`,
        [CLASSIFIED],
      )
    ).rows.map((r) => [r.id, r]),
  );
  const notif = new Map(
    (
      await db.query(
        `SELECT i.event_id, ${epoch('i.handled_at')} AS handled, ${epoch('a.started_at')} AS attempt
           FROM ${schema.notifications}.inbox i
           JOIN ${schema.notifications}.delivery d ON d.event_id = i.event_id
           JOIN ${schema.notifications}.delivery_attempt a ON a.delivery_id = d.id AND a.attempt = 1
          WHERE i.consumer = 'notifications-classification'`,
      )
    ).rows.map((r) => [r.event_id, { handled: Number(r.handled), attempt: Number(r.attempt) }]),
  );
  /** @type {[string, (s: any) => number][]} */
  const STAGES = [
    ['submit (HTTP)', (s) => s.t1 - s.t0],
    ['verify (HTTP)', (s) => s.t2 - s.t1],
    ['survey outbox -> relay pick-up', (s) => s.sPub - s.t2],
    ['JetStream -> classification handler', (s) => s.cHandled - s.sPub],
    ['classification handler', (s) => s.eventTime - s.cHandled],
    ['classification outbox -> relay pick-up', (s) => s.cPub - s.eventTime],
    ['JetStream -> notifications fan-out', (s) => s.nHandled - s.cPub],
    ['fan-out -> delivery attempt', (s) => s.attempt - s.nHandled],
    ['webhook POST -> received', (s) => s.arrival - s.attempt],
  ];
  for (const level of levels) {
    level.staged = level.done.filter((s) => {
      const so = surveyOut.get(s.id);
      const co = classOut.get(s.eventId);
      const n = notif.get(s.eventId);
      if (!so || !co || !n || !classIn.has(so.id)) return false;
      Object.assign(s, {
        sPub: Number(so.published),
        cHandled: classIn.get(so.id),
        cPub: Number(co.published),
        nHandled: n.handled,
        attempt: n.attempt,
      });
      return true;
    });
  }

  // ---- the services go (the ceiling runs on a quiet machine)
  const verifiedSize = summary(
    [...surveyOut.values()].slice(-200).map((r) => Buffer.byteLength(JSON.stringify(r.event))),
  ).p50;
  const classifiedSize = summary(
    [...classOut.values()].slice(-200).map((r) => Buffer.byteLength(JSON.stringify(r.event))),
  ).p50;
  for (const p of Object.values(procs)) await p.stop();

  // ---- the figures
  /** CPU ms per submission of each part over a window, and the parts of the line that prints them. */
  const cpuFigures = (cpu, n) => {
    const per = (v) => v / (n || 1);
    const node = SERVICES.reduce((a, name) => a + cpu.ms[name], 0);
    const all = node + cpu.ms.postgres + cpu.ms.nats + cpu.selfMs;
    return {
      node: per(node),
      parts: [
        `node ${ms2(per(node))} ms/submission (${SERVICES.map((name) => `${name} ${ms2(per(cpu.ms[name]))}`).join(' ')})`,
        `postgres ${ms2(per(cpu.ms.postgres))} ms`,
        `nats ${ms2(per(cpu.ms.nats))} ms`,
        `bench client ${ms2(per(cpu.selfMs))} ms`,
        `total ${ms2(per(all))} ms`,
        `(${fmt(n)} submissions in ${secs(cpu.wallMs)}: ${fmt(all / cpu.wallMs, 2)} of ${os.availableParallelism()} cores busy;`,
        `machine ${fmt(cpu.machineMs / cpu.wallMs, 2)}: ${fmt(Math.max(0, cpu.machineMs - all) / cpu.wallMs, 2)} outside these processes)`,
      ],
    };
  };
  report(
    'pipeline.cpu measured',
    `each service process tree (pids ${SERVICES.map((n) => procs[n].pid).join(', ')})`,
    `postgres: ${pg.note}`,
    `nats: ${natsServer.note}`,
    `bench client: this process (load generator and webhook receiver)`,
    `/proc utime+stime+cutime+cstime at ${CLOCK_TICKS} ticks/s`,
  );
  for (const l of levels) {
    const e2e = summary(l.done.map((s) => s.arrival - s.t0));
    report(
      `pipeline.e2e concurrency ${l.concurrency}`,
      `${fmt(l.rate, 1)} submissions/s delivered`,
      `submit->webhook p50 ${ms(e2e.p50)}  p99 ${ms(e2e.p99)}`,
      `(${fmt(l.done.length)} in ${fmt(l.window, 0)} s, ${l.lost} lost, ${l.errors} HTTP errors)`,
    );
    const submit = summary(l.measured.map((s) => s.t1 - s.t0));
    const verify = summary(l.measured.map((s) => s.t2 - s.t1));
    report(
      `pipeline.http concurrency ${l.concurrency}`,
      `submit p50 ${ms(submit.p50)}  p99 ${ms(submit.p99)}`,
      `verify p50 ${ms(verify.p50)}  p99 ${ms(verify.p99)}`,
    );
    /** @type {[string, (s: any) => number][]} */
    const coarseStages = [
      ['submit -> verify done', (s) => s.t2 - s.t0],
      ['verify done -> classified (event time)', (s) => s.eventTime - s.t2],
      ['classified -> webhook received', (s) => s.arrival - s.eventTime],
    ];
    const coarse = coarseStages.map(([name, f]) => /** @type {const} */ ([name, summary(l.done.map(f))]));
    report(
      `pipeline.stages concurrency ${l.concurrency}`,
      coarse.map(([name, x]) => `${name} p50 ${ms(x.p50)} p99 ${ms(x.p99)}`).join(' | '),
    );
    const fine = STAGES.map(([name, f]) => /** @type {const} */ ([name, summary(l.staged.map(f))]));
    for (const [name, x] of fine)
      report(`  c${l.concurrency} ${name}`, `p50 ${ms(x.p50)}`, `p99 ${ms(x.p99)}`, `mean ${ms(x.mean)}`);
    const total = fine.reduce((a, [, x]) => a + x.mean, 0);
    const [slowName, slow] = fine.reduce((a, b) => (b[1].mean > a[1].mean ? b : a));
    report(
      `pipeline.slowest stage c${l.concurrency}`,
      `${slowName}: mean ${ms(slow.mean)} of ${ms(total)} (${fmt((100 * slow.mean) / total)} %)`,
      `(${fmt(l.staged.length)} traced)`,
    );
    report(
      `pipeline.consumers c${l.concurrency}`,
      Object.entries(l.consumers)
        .filter(([, c]) => c.count)
        .map(([name, c]) => `${name} ${ms(c.mean)}/event busy ${fmt(100 * c.busy)} %`)
        .join('  '),
    );
    // The most saturated consumer: the share of its slots (its concurrency) busy, and the event
    // rate its time per event allows with every slot busy.
    const saturation = Object.entries(l.consumers)
      .filter(([, c]) => c.count)
      .map(([name, c]) => ({ name, c, slots: CONSUMER_SLOTS[name] ?? 1 }))
      .map((x) => ({ ...x, share: x.c.busy / x.slots }))
      .sort((a, b) => b.share - a.share)[0];
    if (saturation)
      report(
        `pipeline.bound c${l.concurrency}`,
        `most saturated consumer ${saturation.name}: ${fmt(100 * saturation.share)} % of its ${saturation.slots} slot(s) busy,`,
        `${ms(saturation.c.mean)} per event: at most ${fmt((1000 * saturation.slots) / saturation.c.mean)} events/s`,
      );
    report(
      `pipeline.per submission c${l.concurrency}`,
      `${fmt(l.msgsPer, 1)} JetStream messages`,
      `${fmt(l.commitsPer, 1)} Postgres commits (database-wide)`,
      `drained ${ms(l.drainMs)} after the window`,
    );
    report(`pipeline.cpu c${l.concurrency}`, ...cpuFigures(l.cpu, l.samples.length).parts);
    if (l.mismatched)
      report(`pipeline.WARNING c${l.concurrency}`, `${l.mismatched} webhooks named another period`);
  }
  for (const [key, e] of errors) report('pipeline.http error', `${key} x${e.n}: ${e.text}`);
  const memoryLine = (mem) =>
    mem.map(([n, m]) => (m ? `${n} ${mb(m.peak)} (sampled ${mb(m.sampledPeak)})` : `${n} n/a`)).join('  ');
  report('pipeline.memory (peak RSS)', memoryLine(memory));
  if (open) {
    const tag = `pipeline.open ${fmt(OPEN_RATE)}/s`;
    const { arrivals } = open;
    const delivered = arrivals.filter((a) => a.s?.arrival);
    const unfinished = arrivals.filter((a) => !a.done).length;
    const lost = arrivals.filter((a) => a.s?.lost).length;
    const thrown = arrivals.filter((a) => a.error);
    const lag = summary(arrivals.map((a) => a.started - a.due));
    const late = arrivals.filter((a) => a.started - a.due > OPEN_LATE_MS).length;
    const fromScheduled = summary(delivered.map((a) => a.s.arrival - a.due));
    const fromSend = summary(delivered.map((a) => a.s.arrival - a.s.t0));
    report(
      tag,
      `${fmt(open.total)} arrivals scheduled over ${secs(open.scheduleMs)} (${fmt(arrivals.length / (open.scheduleMs / 1000), 1)}/s started)`,
      `${fmt(delivered.length)} webhooks`,
      `${fmt(late)} late starting (> ${OPEN_LATE_MS} ms)`,
      `${fmt(open.dropped)} dropped (in flight at most ${fmt(open.cap)}${open.cap === KAMPUNG ? ', one per kampung' : ''}; peak ${fmt(open.peakInFlight)})`,
      `${fmt(unfinished)} unfinished after ${secs(open.drainMs)} of drain`,
      `${fmt(lost)} lost`,
      `${fmt(open.errors)} HTTP errors${thrown.length ? `, ${thrown.length} failed: ${thrown[0].error}` : ''}`,
    );
    report(
      `${tag} latency`,
      `scheduled->webhook p50 ${ms(fromScheduled.p50)}  p99 ${ms(fromScheduled.p99)}  max ${ms(fromScheduled.max)}`,
      `(send->webhook p50 ${ms(fromSend.p50)}  p99 ${ms(fromSend.p99)}; start lag p99 ${ms(lag.p99)}  max ${ms(lag.max)})`,
    );
    report(`${tag} cpu`, ...cpuFigures(open.cpu, arrivals.length).parts);
    report(
      `${tag} per submission`,
      `${fmt(open.msgsPer, 1)} JetStream messages`,
      `${fmt(open.commitsPer, 1)} Postgres commits (database-wide)`,
    );
    report('pipeline.memory after open loop', memoryLine(open.memory));
  }
  report(
    'pipeline.event sizes',
    `submission verified ${fmt(verifiedSize)} B`,
    `kampung classified ${fmt(classifiedSize)} B (webhook body ${fmt(summary(hookSizes).p50)} B)`,
    `${fmt(hooks)} webhooks, ${hooks && warmDone.every((s) => s.signed) ? 'signed' : 'NOT all signed'}`,
  );

  // ---- the ceiling with the real sizes, and the ratios
  const ceilV = await measureCeiling({
    databaseUrl: infra.databaseUrl,
    natsUrl: infra.natsUrl,
    payloadBytes: verifiedSize,
    seconds: CEILING_SECONDS,
    prefix: '  ceiling',
  });
  const ceilC = await measureCeiling({
    databaseUrl: infra.databaseUrl,
    natsUrl: infra.natsUrl,
    payloadBytes: classifiedSize,
    seconds: CEILING_SECONDS,
    prefix: '  ceiling',
  });
  for (const l of levels)
    report(
      `pipeline.ratio c${l.concurrency}`,
      `÷ pg row+outbox tx/s ${fmt(l.rate / ceilV.pgTx, 3)}`,
      `÷ JetStream publish (ack awaited) ${fmt(l.rate / ceilV.jsAwait, 3)}`,
      `÷ pull drain ${fmt(l.rate / ceilC.jsDrain, 3)}`,
      `(x${fmt(l.commitsPer, 1)} commits: ${fmt((l.rate * l.commitsPer) / ceilV.pgTx, 2)} of the Postgres ceiling)`,
    );
  // Against issue 15's targets (at most 1 meets it).
  for (const l of levels)
    report(
      `pipeline.ratio c${l.concurrency} ÷ targets`,
      `node CPU ${ms(cpuFigures(l.cpu, l.samples.length).node)} ÷ ${TARGET.nodeMs} ms ${fmt(cpuFigures(l.cpu, l.samples.length).node / TARGET.nodeMs, 2)}`,
      `Postgres commits ${fmt(l.commitsPer, 1)} ÷ ${TARGET.commits} ${fmt(l.commitsPer / TARGET.commits, 2)}`,
    );
  const rss = memory.reduce((a, [, m]) => Math.max(a, m?.peak ?? NaN), 0) / 2 ** 20;
  report(
    `pipeline.ratio memory ÷ target`,
    `highest peak RSS at the closed-loop levels ${fmt(rss)} MB ÷ ${TARGET.rssMb} MB ${fmt(rss / TARGET.rssMb, 2)}`,
  );
  if (open) {
    const node = cpuFigures(open.cpu, open.arrivals.length).node;
    // Every scheduled arrival counts: one dropped, unfinished, lost or failed is later than any.
    const all = summary(
      Array.from({ length: open.total }, (_, i) => {
        const a = open.arrivals[i];
        return a?.s?.arrival ? a.s.arrival - a.due : Infinity;
      }),
    );
    report(
      `pipeline.ratio open ${fmt(OPEN_RATE)}/s ÷ targets`,
      `p99 scheduled->webhook ${Number.isFinite(all.p99) ? ms(all.p99) : 'never (over 1 % not delivered)'} ÷ ${TARGET.openP99Ms} ms ${fmt(all.p99 / TARGET.openP99Ms, 2)}`,
      `node CPU ${ms(node)} ÷ ${TARGET.nodeMs} ms ${fmt(node / TARGET.nodeMs, 2)}`,
      `Postgres commits ${fmt(open.commitsPer, 1)} ÷ ${TARGET.commits} ${fmt(open.commitsPer / TARGET.commits, 2)}`,
      `(of all ${fmt(open.total)} scheduled; not delivered = never)`,
    );
  }
} catch (err) {
  for (const p of Object.values(procs))
    process.stderr.write(`--- ${p.name} (last lines)\n${p.output.slice(-15).join('\n')}\n`);
  throw err;
} finally {
  for (const p of Object.values(procs)) await p.stop().catch(() => undefined);
  client.close();
  for (const resolve of waiters.values()) resolve(null);
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
  await nc?.close().catch(() => undefined);
  await db.end().catch(() => undefined);
  await run.cleanup();
  await infra.stop();
}
