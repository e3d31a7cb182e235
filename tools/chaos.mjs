#!/usr/bin/env node
// `npm run chaos`: the four services under a steady load of submissions while faults hit them,
// then an audit of what the platform did with every accepted submission.
//
// It always runs its own embedded Postgres and its own nats-server (it restarts both), the
// four built services as separate processes, and a webhook receiver in this process. Load:
// `--clients` virtual field officers each take a free kampung, submit its next monthly report
// (about one in eight is rejected by a verifier and corrected with a new submission), and
// have a verifier verify it; a kampung is free again once its report has been evaluated, so
// every verified report is the newest of its kampung and must cause exactly one evaluation.
// HTTP calls are retried (same submission id, so retries are idempotent) until they succeed.
// Faults, one every `--every` seconds, in a shuffled cycle: kill -9 a random service and start
// it again; restart nats-server (SIGTERM or SIGKILL); restart Postgres (fast or immediate
// shutdown, the latter with crash recovery).
//
// Afterwards, once everything has settled, it checks and prints:
//   - every accepted (verified) report produced exactly one evaluation, every kampung's first
//     profile exactly one, rejected submissions none, and nothing else was evaluated;
//   - per subscription, exactly one delivery record per matching event (classified events of
//     its province; the national subscription: every survey submission event), all delivered,
//     and the receiver got each at least once with a valid Standard Webhooks signature;
//   - no unpublished row in any outbox, nothing in the dead-letter stream.
// Exit code 0 when all hold, 1 otherwise (with the last lines of each service's output).
//
// With --cluster, NATS is the 3-node JetStream cluster of deploy/nats/cluster-local (loopback
// ports 14222-14224) with streams of 3 replicas, and the NATS fault kills -9 one node and brings
// it back while the load goes on.
//
//   node tools/chaos.mjs [--duration 120] [--clients 6] [--kampung 120] [--every 8]
//                        [--seed 7] [--settle 240] [--cluster] [--self-test] [--no-build] [--verbose]
// --self-test: after a passing audit, plants one defect of each kind and expects the audit to
// catch each (a check that cannot fail proves nothing).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { prng, profileAnswers, reportAnswers } from './bench/bench-kit.mjs';
import { freePort, startEmbeddedPostgres, startNatsServer } from './local-infra.mjs';
import { ensureBuilt, mainJs, ROOT, SERVICES } from './migrate.mjs';

const require = createRequire(import.meta.url);
/** @param {string} rel a compiled file under dist/ */
const dist = (rel) => require(path.join(ROOT, 'dist', rel));

const USAGE = `usage: npm run chaos -- [--duration S] [--clients N] [--kampung N] [--every S] [--seed N] [--settle S] [--cluster] [--self-test] [--no-build] [--verbose]`;
function parseOptions() {
  try {
    return parseArgs({
      options: {
        duration: { type: 'string', default: '120' },
        clients: { type: 'string', default: '6' },
        kampung: { type: 'string', default: '120' },
        every: { type: 'string', default: '8' },
        seed: { type: 'string', default: '7' },
        settle: { type: 'string', default: '240' },
        'no-build': { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        cluster: { type: 'boolean', default: false },
        'self-test': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`chaos: ${/** @type {Error} */ (err).message}\n${USAGE}\n`);
    process.exit(64);
  }
}
const args = parseOptions();
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const DURATION_S = Number(args.duration);
const CLIENTS = Number(args.clients);
const KAMPUNG = Number(args.kampung);
const EVERY_S = Number(args.every);
const SETTLE_S = Number(args.settle);
for (const [k, v] of Object.entries({ DURATION_S, CLIENTS, KAMPUNG, EVERY_S, SETTLE_S }))
  if (!Number.isFinite(v) || v <= 0) {
    process.stderr.write(`chaos: ${k} must be a positive number\n${USAGE}\n`);
    process.exit(64);
  }

// ---------------------------------------------------------------------------- small helpers
const t0 = performance.now();
const clock = () => `${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
/** @param {string} msg */
const say = (msg) => process.stdout.write(`[chaos ${clock()}] ${msg}\n`);
/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The same seed gives the same answers and fault order. */
const rand = prng(Number(args.seed));
/**
 * @template T
 * @param {T[]} list
 */
const pick = (list) => list[Math.floor(rand() * list.length)];
/**
 * @param {number} lo
 * @param {number} hi
 */
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

const JWT_SECRET = 'kkb-chaos-secret';
/** @param {string} name */
const SCHEMA = (name) => `chaos_${name}`;
/** @param {string} name */
const ROLE = (name) => `kkb_chaos_${name}`;
const SUBJECT_ROOT = 'kkbchaos';
const STREAM_PREFIX = 'CHAOS';

const counters = {
  httpRetries: 0,
  httpStatuses: new Map(), // non-2xx statuses and network errors seen (and retried)
  faults: new Map(),
};
/**
 * @param {Map<string, number>} map
 * @param {string} key
 */
const bump = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);

// ---------------------------------------------------------------------------- infrastructure
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kkb-chaos-'));
chmodSync(dataDir, 0o755); // the embedded Postgres runs as the postgres user when this runs as root
const pgPort = await freePort();
const natsPort = await freePort();
// Both set by setUp() and read after it; only stopInfrastructure() may find them unset.
/** @type {Awaited<ReturnType<typeof startEmbeddedPostgres>>} */
let postgres;
/** @type {{ url: string, stop: (signal?: NodeJS.Signals) => Promise<void> }} */
let nats;
const services = new Map(); // name -> { port, url, child, output, env }

/** The cleanup: stops NATS and Postgres if setUp() got as far as starting them. */
async function stopInfrastructure() {
  await nats?.stop().catch(() => undefined);
  await postgres?.stop().catch(() => undefined);
}

async function startPostgres() {
  postgres = await startEmbeddedPostgres({
    dataDir: path.join(dataDir, 'pg'),
    port: pgPort,
    database: 'chaos',
  });
}
/** @type {any} the compiled libs/testing's cluster, untyped here */
let cluster; // --cluster: deploy/nats/cluster-local's three nodes, streams of 3 replicas
async function startNats() {
  if (args.cluster) {
    const { startNatsCluster } = dist('libs/testing/src/nats-cluster.js');
    cluster = await startNatsCluster({ root: ROOT });
    await cluster.ready(60_000);
    nats = { url: cluster.url, stop: () => cluster.stop() };
    return;
  }
  nats = await startNatsServer({ storeDir: path.join(dataDir, 'nats'), port: natsPort });
}

/**
 * @param {string} name
 * @param {number} port
 */
function serviceEnv(name, port) {
  return {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: postgres.url,
    DATABASE_SCHEMA: SCHEMA(name),
    DATABASE_ROLE: ROLE(name),
    NATS_URL: nats.url,
    NATS_STREAM_REPLICAS: args.cluster ? '3' : '1',
    EVENT_SUBJECT_ROOT: SUBJECT_ROOT,
    EVENT_STREAM_PREFIX: STREAM_PREFIX,
    JWT_SECRET,
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: args.verbose ? 'info' : 'warn',
    REGIONS_AUTO_IMPORT: 'false',
    SURVEY_OVERDUE_CHECK_MS: '0',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_RETRY_SCHEDULE_MS: '1000,2000,4000,8000,15000,30000',
    WEBHOOK_POLL_MS: '500',
    EMAIL_DIGEST_INTERVAL_MS: '0',
  };
}

/** @param {string} name */
async function launch(name) {
  const s = services.get(name);
  const child = spawn(process.execPath, [mainJs(name)], { env: s.env, stdio: ['ignore', 'pipe', 'pipe'] });
  /** @param {Buffer} d */
  const keep = (d) => {
    const lines = String(d).trimEnd().split('\n');
    s.output.push(...lines);
    if (args.verbose) for (const l of lines) process.stdout.write(`[${name}] ${l}\n`);
    if (s.output.length > 300) s.output.splice(0, s.output.length - 300);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  s.child = child;
}

/**
 * @param {import('node:child_process').ChildProcess | undefined} child
 * @returns {child is import('node:child_process').ChildProcess}
 */
const alive = (child) => !!child && child.exitCode === null && child.signalCode === null;

/**
 * @param {string} name
 * @param {number} [timeoutMs]
 */
async function waitReady(name, timeoutMs = 90_000) {
  const s = services.get(name);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(s.child)) await launch(name); // a service that exits on its own (e.g. no Postgres at boot) is started again
    const ok = await fetch(`${s.url}/health/ready`, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    await sleep(250);
  }
  throw new Error(`${name} was not ready within ${timeoutMs / 1000} s:\n${s.output.slice(-20).join('\n')}`);
}

/**
 * @param {string} name
 * @param {NodeJS.Signals} [signal]
 * @returns {Promise<void>}
 */
function killService(name, signal = 'SIGKILL') {
  const { child } = services.get(name);
  if (!alive(child)) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

// ---------------------------------------------------------------------------- HTTP with retries
/**
 * Calls until an answer that is not a transient failure: network errors, 5xx and 429 are retried
 * (the request is idempotent: submissions carry their id, verify/reject answer 409 once done).
 * @param {string} service
 * @param {string} method
 * @param {string} urlPath
 * @param {unknown} body
 * @param {string} token
 * @param {{ okStatuses?: number[] }} [options]
 * @returns {Promise<{ status: number, body: any }>}
 */
async function call(service, method, urlPath, body, token, { okStatuses = [200, 201, 204] } = {}) {
  for (let attempt = 1; ; attempt++) {
    let status;
    let json;
    try {
      const res = await fetch(`${services.get(service).url}${urlPath}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(20_000),
      });
      status = res.status;
      const text = await res.text();
      json = text ? JSON.parse(text) : undefined;
    } catch (err) {
      const e = /** @type {Error & { cause?: { code?: string } }} */ (err);
      status = `network:${e.cause?.code ?? e.name}`;
    }
    if (typeof status === 'number' && (okStatuses.includes(status) || (status < 500 && status !== 429)))
      return { status, body: json };
    counters.httpRetries++;
    bump(counters.httpStatuses, `${service} ${status}`);
    if (attempt > 400) throw new Error(`${method} ${service}${urlPath} kept failing: ${status}`);
    await sleep(Math.min(2000, 100 * attempt));
  }
}

/**
 * @param {string} role
 * @param {string} scope
 * @returns {string}
 */
const token = (role, scope) =>
  dist('libs/auth/src/index.js').mintToken({
    role,
    scope,
    sub: `chaos-${role}-${scope || 'all'}`,
    secret: JWT_SECRET,
    expiresIn: '6h',
  });

// ---------------------------------------------------------------------------- database reads
const { Client } = require('pg');
/**
 * One query on a fresh connection (Postgres may have restarted since the last one).
 * @param {string} sql
 * @param {unknown[]} [params]
 * @returns {Promise<import('pg').QueryResultRow[]>}
 */
async function query(sql, params = []) {
  for (let attempt = 1; ; attempt++) {
    const db = new Client({ connectionString: postgres.url });
    db.on('error', () => undefined);
    try {
      await db.connect();
      return (await db.query(sql, params)).rows;
    } catch (err) {
      // Retry only while Postgres is away (refused, shutting down, starting up); a bad query fails at once.
      const code = /** @type {{ code?: string }} */ (err).code;
      const transient = !code || /^(ECONN|08|57P)/.test(code);
      if (!transient || attempt > 100) throw err;
      await sleep(300);
    } finally {
      await db.end().catch(() => undefined);
    }
  }
}

// ---------------------------------------------------------------------------- webhook receiver
/** @type {{ sub: string | undefined, webhookId: string | string[] | undefined, type: string }[]} */
const received = []; // { sub, webhookId, type, time }
let badSignatures = 0;
const secrets = new Map(); // subscription name -> secret
const { Webhook } = require('standardwebhooks');
const receiver = http.createServer((req, res) => {
  /** @type {Buffer[]} */
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const sub = String(req.url).split('/').pop(); // a request to a server always has a url
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      const headers = /** @type {Record<string, string>} */ (req.headers); // webhook-* headers are single
      const event = /** @type {{ type: string }} */ (new Webhook(secrets.get(sub)).verify(body, headers));
      received.push({ sub, webhookId: req.headers['webhook-id'], type: event.type });
      res.writeHead(204).end();
    } catch {
      badSignatures++;
      res.writeHead(400).end();
    }
  });
});

// ---------------------------------------------------------------------------- the run
/**
 * @typedef {{ id: string, province: string, villageCode: string, nextPeriod: { year: number, month: number }, profileId?: string }} Kampung
 */
/** @type {Kampung[]} */
const kampung = []; // { id, province, villageCode, nextPeriod: {year, month}, profileId }
/** @type {string[]} */
const accepted = []; // ids of the verified reports
/** @type {string[]} */
const rejected = []; // ids
/** @type {Map<string, Kampung>} */
const pending = new Map(); // report id -> kampung (waiting for its evaluation)
/** @type {Kampung[]} */
const free = []; // kampung ready for their next report
let stopLoad = false;

async function setUp() {
  say(
    `data in ${dataDir}; Postgres :${pgPort}, NATS ${args.cluster ? '3-node cluster on :14222-14224' : `:${natsPort}`}`,
  );
  await startPostgres();
  await startNats();
  const { provisionServiceDatabase } = dist('libs/persistence/src/index.js');
  for (const { name } of SERVICES) {
    await provisionServiceDatabase(postgres.url, { schema: SCHEMA(name), role: ROLE(name) });
    const port = await freePort();
    services.set(name, { port, url: `http://127.0.0.1:${port}`, output: [], env: serviceEnv(name, port) });
  }
  await /** @type {Promise<void>} */ (new Promise((r) => receiver.listen(0, '127.0.0.1', () => r())));
  // Each service migrates at boot; start them together.
  await Promise.all([...services.keys()].map((n) => launch(n)));
  await Promise.all([...services.keys()].map((n) => waitReady(n)));
  say('four services ready');

  // Regions: two provinces, each with one regency, one district and its villages.
  const villages = [];
  const regionRows = [
    ['16', '16', 'Sumatera Selatan', 1, 'provinsi', null],
    ['16.10', '1610', 'Ogan Ilir', 2, 'kabupaten', '16'],
    ['16.10.05', '161005', 'Pemulutan', 3, 'kecamatan', '16.10'],
    ['32', '32', 'Jawa Barat', 1, 'provinsi', null],
    ['32.04', '3204', 'Bandung', 2, 'kabupaten', '32'],
    ['32.04.10', '320410', 'Ciparay', 3, 'kecamatan', '32.04'],
  ];
  for (let i = 0; i < KAMPUNG; i++) {
    const district = i % 3 === 2 ? '32.04.10' : '16.10.05';
    const code = `${district}.${2001 + i}`;
    villages.push(code);
    regionRows.push([code, code.replace(/\./g, ''), `Desa Chaos ${i + 1}`, 4, 'desa', district]);
  }
  const values = regionRows
    .map(
      (_, i) =>
        `($${i * 6 + 1}, $${i * 6 + 2}, $${i * 6 + 3}, lower($${i * 6 + 3}), $${i * 6 + 4}, $${i * 6 + 5}, $${i * 6 + 6}, 'chaos')`,
    )
    .join(', ');
  await query(
    `INSERT INTO ${SCHEMA('registry')}.region (code, compact_code, name, search_name, level, kind, parent_code, source) VALUES ${values}`,
    regionRows.flat(),
  );

  const national = token('national', '');
  for (const [i, villageCode] of villages.entries()) {
    const r = await call(
      'registry',
      'POST',
      '/api/v1/kampung',
      { villageCode, name: `Kampung KB Chaos ${i + 1}`, launchDate: '2015-01-01' },
      national,
    );
    if (r.status !== 201)
      throw new Error(`registering ${villageCode}: ${r.status} ${JSON.stringify(r.body)}`);
    kampung.push({
      id: r.body.id,
      province: villageCode.slice(0, 2),
      villageCode,
      nextPeriod: { year: 2015, month: 1 },
    });
  }
  say(`${kampung.length} kampung registered`);

  // Subscriptions: two province integrators for classified events, a national one for survey events.
  const { port: hookPort } = /** @type {import('node:net').AddressInfo} */ (receiver.address()); // listening on TCP
  const hook = (/** @type {string} */ name) => `http://127.0.0.1:${hookPort}/hooks/${name}`;
  /**
   * @typedef {{ name: string, role: string, scope: string, body: { eventTypes: string[], region: string }, id?: string }} Subscription
   * @type {Subscription[]}
   */
  const subs = [
    {
      name: 'sumsel',
      role: 'integrator',
      scope: '16',
      body: { eventTypes: ['kkb.classification.kampung.classified.v1'], region: '16' },
    },
    {
      name: 'jabar',
      role: 'integrator',
      scope: '32',
      body: { eventTypes: ['kkb.classification.kampung.*.v1'], region: '32' },
    },
    {
      name: 'national',
      role: 'national',
      scope: '',
      body: { eventTypes: ['kkb.survey.submission.*.v1'], region: '' },
    },
  ];
  for (const s of subs) {
    const r = await call(
      'notifications',
      'POST',
      '/api/v1/subscriptions',
      { ...s.body, url: hook(s.name), description: `chaos ${s.name}` },
      token(s.role, s.scope),
    );
    if (r.status !== 201) throw new Error(`subscription ${s.name}: ${r.status} ${JSON.stringify(r.body)}`);
    secrets.set(s.name, r.body.secret);
    s.id = r.body.id;
  }

  // Wait until survey knows every kampung, then give each a verified profile (its first evaluation).
  await until(
    async () =>
      Number((await query(`SELECT count(*) AS n FROM ${SCHEMA('survey')}.kampung_projection`))[0].n) ===
      kampung.length,
    60_000,
    'survey projection',
  );
  await until(
    async () =>
      Number(
        (await query(`SELECT count(*) AS n FROM ${SCHEMA('classification')}.kampung_projection`))[0].n,
      ) === kampung.length,
    60_000,
    'classification projection',
  );
  for (const k of kampung) {
    const id = randomUUID();
    await submitAndVerify(k, {
      id,
      kampungId: k.id,
      instrumentCode: 'kampung-profile',
      instrumentVersion: 1,
      period: { year: 2015, month: 1 },
      answers: profileAnswers(rand, rand()),
    });
    k.profileId = id;
  }
  await until(
    async () =>
      Number((await query(`SELECT count(*) AS n FROM ${SCHEMA('classification')}.evaluation`))[0].n) >=
      kampung.length,
    120_000,
    'first evaluations',
  );
  free.push(...kampung);
  say(
    `every kampung has a verified profile and a level; subscriptions: ${subs.map((s) => s.name).join(', ')}`,
  );
  return subs;
}

/**
 * @param {() => Promise<boolean>} check
 * @param {number} timeoutMs
 * @param {string} what
 */
async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Submits (a retry with the same id answers 200); anything else than 200/201 stops the run. */
/**
 * @param {Kampung} k
 * @param {{ id: string } & Record<string, unknown>} body
 */
async function submit(k, body) {
  const s = await call('survey', 'POST', '/api/v1/submissions', body, token('field_officer', k.province));
  if (s.status !== 201 && s.status !== 200)
    throw new Error(`submission refused: ${s.status} ${JSON.stringify(s.body)}`);
}

/**
 * @param {Kampung} k
 * @param {{ year: number, month: number }} period
 */
const monthlyReport = (k, period) => ({
  id: randomUUID(),
  kampungId: k.id,
  instrumentCode: 'monthly-report',
  instrumentVersion: 1,
  period,
  answers: reportAnswers(rand, rand(), 640),
});

/**
 * @param {Kampung} k
 * @param {{ id: string } & Record<string, unknown>} body
 */
async function submitAndVerify(k, body) {
  const verifier = token('verifier', k.province);
  await submit(k, body);
  const v = await call('survey', 'POST', `/api/v1/submissions/${body.id}/verify`, undefined, verifier);
  // 409 after a retry whose first attempt did verify it (the answer was lost): check the state.
  if (v.status === 409) {
    const now = await call('survey', 'GET', `/api/v1/submissions/${body.id}`, undefined, verifier);
    if (now.body?.status !== 'verified') throw new Error(`verify refused: ${JSON.stringify(v.body)}`);
  } else if (v.status !== 200) throw new Error(`verify refused: ${v.status} ${JSON.stringify(v.body)}`);
}

async function client() {
  while (!stopLoad) {
    const k = free.shift();
    if (!k) {
      await sleep(100);
      continue;
    }
    const period = { ...k.nextPeriod };
    k.nextPeriod =
      period.month === 12
        ? { year: period.year + 1, month: 1 }
        : { year: period.year, month: period.month + 1 };
    if (rand() < 0.125) {
      // A report with a wrong figure: rejected, then corrected by a new submission.
      const wrong = monthlyReport(k, period);
      await submit(k, wrong);
      const r = await call(
        'survey',
        'POST',
        `/api/v1/submissions/${wrong.id}/reject`,
        { reason: 'PUS does not match the register' },
        token('verifier', k.province),
      );
      if (r.status !== 200 && r.status !== 409)
        throw new Error(`reject refused: ${r.status} ${JSON.stringify(r.body)}`);
      rejected.push(wrong.id);
    }
    const body = monthlyReport(k, period);
    await submitAndVerify(k, body);
    accepted.push(body.id);
    pending.set(body.id, k);
  }
}

/** Frees a kampung once its pending report has been evaluated. */
async function releaser() {
  while (!(stopLoad && pending.size === 0)) {
    await sleep(500);
    if (!pending.size) continue;
    const rows = await query(
      `SELECT report_submission_id::text AS id FROM ${SCHEMA('classification')}.evaluation WHERE report_submission_id = ANY($1::uuid[])`,
      [[...pending.keys()]],
    ).catch(() => []);
    for (const { id } of rows) {
      const k = pending.get(id);
      if (!k) continue;
      pending.delete(id);
      if (!stopLoad) free.push(k);
    }
  }
}

const FAULTS = ['service', 'nats', 'service', 'postgres', 'service'];
async function faults() {
  const order = [];
  while (!stopLoad) {
    if (!order.length) order.push(...[...FAULTS].sort(() => rand() - 0.5));
    await sleep(EVERY_S * 1000);
    if (stopLoad) break;
    const fault = order.shift();
    const started = Date.now();
    if (fault === 'service') {
      const name = pick([...services.keys()]);
      await killService(name, 'SIGKILL');
      await sleep(int(200, 2000));
      await launch(name);
      await waitReady(name);
      bump(counters.faults, `kill -9 ${name}`);
      say(`kill -9 ${name}, restarted, ready again after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } else if (fault === 'nats' && cluster) {
      // One node of three dies; the load goes on against the other two; it comes back later.
      const node = pick(['n1', 'n2', 'n3']);
      await cluster.kill(node);
      await sleep(int(3000, EVERY_S * 1000));
      cluster.restart(node);
      await cluster.ready(60_000);
      bump(counters.faults, `nats node kill -9`);
      say(
        `nats node ${node} kill -9, back in the cluster after ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    } else if (fault === 'nats') {
      const signal = pick(/** @type {NodeJS.Signals[]} */ (['SIGTERM', 'SIGKILL']));
      await nats.stop(signal);
      await sleep(int(500, 3000));
      await startNats();
      bump(counters.faults, `nats-server ${signal}`);
      say(`nats-server ${signal}, restarted after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } else {
      const signal = pick(/** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGQUIT']));
      await postgres.stop(signal);
      await sleep(int(500, 3000));
      await postgres.start();
      bump(counters.faults, `postgres ${signal === 'SIGINT' ? 'fast' : 'immediate'} shutdown`);
      say(
        `Postgres ${signal === 'SIGINT' ? 'fast' : 'immediate'} shutdown, restarted after ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    }
  }
}

async function countDlq() {
  const { connect } = require('@nats-io/transport-node');
  const { jetstreamManager } = require('@nats-io/jetstream');
  const nc = await connect({ servers: nats.url.split(',') });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(`${STREAM_PREFIX}_DLQ`).catch(() => null);
    const subjects = {};
    if (info?.state.messages) {
      const withSubjects = await jsm.streams.info(`${STREAM_PREFIX}_DLQ`, { subjects_filter: '>' });
      Object.assign(subjects, withSubjects.state.subjects ?? {});
    }
    return { messages: info?.state.messages ?? 0, subjects };
  } finally {
    await nc.close();
  }
}

/**
 * @param {{ name: string }[]} subs
 * @returns {Promise<string[]>} what failed
 */
async function audit(subs) {
  const c = SCHEMA('classification');
  const n = SCHEMA('notifications');
  /** @type {string[]} */
  const failures = [];
  /**
   * @param {boolean} ok
   * @param {string} what
   */
  const check = (ok, what) => {
    say(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures.push(what);
  };

  // Evaluations.
  const evals = await query(
    `SELECT e.id::text, e.report_submission_id::text AS report, e.profile_submission_id::text AS profile, e.trigger, p.village_code
       FROM ${c}.evaluation e JOIN ${c}.kampung_projection p ON p.kampung_id = e.kampung_id`,
  );
  const perReport = new Map();
  for (const e of evals) if (e.report) perReport.set(e.report, (perReport.get(e.report) ?? 0) + 1);
  const firstOnly = evals.filter((e) => !e.report).length;
  const missing = accepted.filter((id) => !perReport.has(id)).length;
  const twice = accepted.filter((id) => (perReport.get(id) ?? 0) > 1).length;
  const rejectedEvaluated = rejected.filter((id) => perReport.has(id)).length;
  const expectedEvals = kampung.length + accepted.length;
  say(
    `accepted reports ${accepted.length}, rejected and corrected ${rejected.length}, evaluations ${evals.length} (expected ${expectedEvals})`,
  );
  check(missing === 0, `every accepted report evaluated (${missing} without an evaluation)`);
  check(twice === 0, `no report evaluated twice (${twice} evaluated more than once)`);
  check(
    firstOnly === kampung.length,
    `one profile-only evaluation per kampung (${firstOnly} for ${kampung.length})`,
  );
  check(rejectedEvaluated === 0, `rejected submissions never evaluated (${rejectedEvaluated})`);
  check(evals.length === expectedEvals, `nothing else evaluated (${evals.length} = ${expectedEvals})`);

  // Deliveries: what each subscription should have had.
  const villageProvince = (/** @type {unknown} */ code) => String(code).replace(/\./g, '').slice(0, 2);
  const expected = new Map(subs.map((s) => [s.name, new Set()]));
  /** @param {string} name one of the subscriptions' names */
  const expectedOf = (name) => {
    const set = expected.get(name);
    if (!set) throw new Error(`no subscription ${name}`);
    return set;
  };
  for (const e of evals) {
    const prov = villageProvince(e.village_code);
    if (prov === '16') expectedOf('sumsel').add(e.id);
    if (prov === '32') expectedOf('jabar').add(e.id);
  }
  const surveyEvents = await query(
    `SELECT event_id FROM ${n}.received_event WHERE type LIKE '%.survey.submission.%'`,
  );
  // Every submission event survey published (its outbox is the source of truth; published rows stay for a day).
  const published = await query(
    `SELECT id::text FROM ${SCHEMA('survey')}.outbox WHERE type LIKE '%.survey.submission.%'`,
  );
  for (const r of published) expectedOf('national').add(r.id);
  const expectedSurvey = kampung.length * 2 + accepted.length * 2 + rejected.length * 3;
  check(
    published.length === expectedSurvey,
    `survey published one event per state change (${published.length} = ${expectedSurvey}: submitted, verified, rejected, superseded)`,
  );
  check(
    surveyEvents.length === published.length,
    `notifications received each survey event once (${surveyEvents.length})`,
  );

  const deliveries = await query(
    `SELECT s.description, d.event_id, d.status, count(*) OVER (PARTITION BY d.event_id, d.subscription_id) AS copies
       FROM ${n}.delivery d JOIN ${n}.subscription s ON s.id = d.subscription_id WHERE d.origin = 'event'`,
  );
  for (const s of subs) {
    const want = expectedOf(s.name);
    const rows = deliveries.filter((d) => d.description === `chaos ${s.name}`);
    const got = new Set(rows.map((d) => d.event_id));
    const missingD = [...want].filter((id) => !got.has(id)).length;
    const extra = [...got].filter((id) => !want.has(id)).length;
    const dup = rows.filter((d) => Number(d.copies) > 1).length;
    const undelivered = rows.filter((d) => d.status !== 'delivered').length;
    const hits = received.filter((r) => r.sub === s.name);
    const distinct = new Set(hits.map((r) => r.webhookId));
    const notReceived = [...want].filter((id) => !distinct.has(id)).length;
    say(
      `${s.name}: ${want.size} expected, ${rows.length} delivery records, ${hits.length} webhooks received (${distinct.size} distinct)`,
    );
    check(
      missingD === 0 && extra === 0 && dup === 0,
      `${s.name}: exactly one delivery per matching event (missing ${missingD}, unexpected ${extra}, duplicated ${dup})`,
    );
    check(undelivered === 0, `${s.name}: all delivered (${undelivered} not)`);
    check(
      notReceived === 0,
      `${s.name}: the receiver got every one (${notReceived} never arrived; ${hits.length - distinct.size} repeated)`,
    );
  }
  check(badSignatures === 0, `every webhook carried a valid signature (${badSignatures} did not)`);

  // Outboxes and dead letters.
  for (const [name, left] of Object.entries(await unpublished()))
    check(left === 0, `${name} outbox: ${left} unpublished`);
  const dlq = await countDlq();
  check(dlq.messages === 0, `dead-letter stream: ${dlq.messages} messages ${JSON.stringify(dlq.subjects)}`);
  return failures;
}

/** Unpublished outbox rows of each service, by name. */
async function unpublished() {
  const [row] = await query(
    `SELECT ${SERVICES.map(
      ({ name }) =>
        `(SELECT count(*)::int FROM ${SCHEMA(name)}.outbox WHERE published_at IS NULL) AS "${name}"`,
    ).join(', ')}`,
  );
  return row;
}

async function settle() {
  say('load stopped; waiting for the pipeline to settle');
  const deadline = Date.now() + SETTLE_S * 1000;
  const c = SCHEMA('classification');
  const n = SCHEMA('notifications');
  // Every event of registry, survey and classification reaches notifications.
  const produced = ['registry', 'survey', 'classification']
    .map((name) => `(SELECT count(*)::int FROM ${SCHEMA(name)}.outbox)`)
    .join(' + ');
  while (Date.now() < deadline) {
    const [{ evals, open, seen, published }] = await query(
      `SELECT (SELECT count(*)::int FROM ${c}.evaluation) AS evals,
              (SELECT count(*)::int FROM ${n}.delivery WHERE status = 'pending') AS open,
              (SELECT count(*)::int FROM ${n}.received_event) AS seen,
              ${produced} AS published`,
    );
    const left = Object.values(await unpublished()).reduce((a, b) => a + b, 0);
    if (evals >= kampung.length + accepted.length && open === 0 && left === 0 && seen >= published) {
      say(`settled: ${evals} evaluations, ${seen} events at notifications, no pending delivery`);
      return;
    }
    await sleep(1000);
  }
  say(`not settled within ${SETTLE_S} s: auditing anyway`);
}

/**
 * Shows that the audit can fail: with the services stopped, plants one defect of each kind it
 * looks for (an evaluation repeated, an unpublished outbox row, a webhook that never arrived, a
 * dead letter) and expects exactly those checks to fail.
 */
/** @param {{ name: string }[]} subs */
async function selfTest(subs) {
  say('self-test: planting a defect of each kind; the audit must catch every one');
  for (const name of services.keys()) await killService(name, 'SIGTERM');
  const c = SCHEMA('classification');
  await query(
    `INSERT INTO ${c}.evaluation (id, kampung_id, rule_set_version, level, previous_level, changed, indices, indicators,
            profile_submission_id, profile_period, report_submission_id, report_period, trigger, evaluated_at)
     SELECT gen_random_uuid(), kampung_id, rule_set_version, level, previous_level, changed, indices, indicators,
            profile_submission_id, profile_period, report_submission_id, report_period, trigger, now()
       FROM ${c}.evaluation WHERE report_submission_id = $1`,
    [accepted[0]],
  );
  await query(
    `INSERT INTO ${SCHEMA('survey')}.outbox (id, subject, type, payload) VALUES (gen_random_uuid(), 'planted', 'planted', '{}')`,
  );
  received.splice(
    received.findIndex((r) => r.sub === 'national'),
    1,
  );
  const { connect } = require('@nats-io/transport-node');
  const nc = await connect({ servers: nats.url.split(',') });
  const { jetstream } = require('@nats-io/jetstream');
  await jetstream(nc).publish(`${SUBJECT_ROOT}.dlq.chaos.planted`, '{}');
  await nc.close();
  const failures = await audit(subs);
  const expected = [
    'no report evaluated twice',
    'nothing else evaluated',
    'survey outbox',
    'national: the receiver got every one',
    'dead-letter stream',
  ];
  const caught = expected.filter((e) => failures.some((f) => f.includes(e)));
  // The repeated evaluation also has no delivery of its own: its subscription's checks fail too.
  const ok = caught.length === expected.length;
  say(
    ok
      ? `self-test passed: the audit caught all ${expected.length} planted defects (${failures.length - caught.length} more failed checks follow from the repeated evaluation)`
      : `self-test FAILED: caught ${caught.length} of ${expected.length} planted defects; failures: ${failures.join('; ')}`,
  );
  return ok;
}

let exitCode = 1;
try {
  if (!args['no-build']) await ensureBuilt('always');
  const subs = await setUp();
  say(`load: ${CLIENTS} clients for ${DURATION_S} s, a fault every ${EVERY_S} s`);
  const loadStarted = Date.now();
  const clients = Array.from({ length: CLIENTS }, () => client());
  const release = releaser();
  const chaos = faults();
  await sleep(DURATION_S * 1000);
  stopLoad = true;
  await chaos;
  await Promise.all(clients);
  const loadSeconds = (Date.now() - loadStarted) / 1000;
  for (const name of services.keys()) await waitReady(name);
  await release;
  await settle();
  const failures = await audit(subs);
  say('counts');
  /**
   * @param {string} k
   * @param {unknown} v
   */
  const line = (k, v) => process.stdout.write(`  ${k.padEnd(44)}${v}\n`);
  line('load duration', `${loadSeconds.toFixed(0)} s`);
  line('accepted reports', `${accepted.length} (${(accepted.length / loadSeconds).toFixed(1)}/s)`);
  line('rejected then corrected', rejected.length);
  line('faults', [...counters.faults].map(([k, v]) => `${k} ×${v}`).join(', ') || 'none');
  line('HTTP calls retried', counters.httpRetries);
  line('  of which', [...counters.httpStatuses].map(([k, v]) => `${k} ×${v}`).join(', ') || 'none');
  line('webhooks received', received.length);
  exitCode = failures.length ? 1 : 0;
  say(
    failures.length ? `${failures.length} check(s) failed` : 'all checks passed: nothing lost, nothing twice',
  );
  if (!failures.length && args['self-test']) exitCode = (await selfTest(subs)) ? 0 : 1;
  if (failures.length)
    for (const [name, s] of services)
      process.stdout.write(`--- ${name} (last lines)\n${s.output.slice(-25).join('\n')}\n`);
} catch (err) {
  say(`error: ${/** @type {Error} */ (err).stack ?? err}`);
  for (const [name, s] of services)
    process.stdout.write(`--- ${name} (last lines)\n${s.output.slice(-25).join('\n')}\n`);
} finally {
  stopLoad = true;
  for (const name of services.keys()) await killService(name, 'SIGTERM').catch(() => undefined);
  receiver.close();
  await stopInfrastructure();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
