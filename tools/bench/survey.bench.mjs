#!/usr/bin/env node
// Benchmarks of the survey service, run after `npm run build` (it uses dist/):
//
//   survey.submit       submissions/s over HTTP with p50/p99 latency (autocannon, a built service
//                       process, CONCURRENCY connections for SUBMIT_SECONDS)
//   survey.round-trips  database round trips per submission (pg Client.query calls, counted in an
//                       in-process app with the outbox relay off, for fresh submissions and retries)
//   survey.submit bare  the same requests against bare fastify + pg (tools/bench/bare-submit-server.mjs:
//                       one transaction of a row and an outbox row), and the endpoint's ratio to it
//   survey.csv-import   a CSV_ROWS-row CSV streamed to a fresh service process: rows/s and the
//                       process's peak RSS (VmHWM from /proc, Linux)
//
// Uses DATABASE_URL / NATS_URL when set, else an embedded Postgres and a nats-server child. Every
// run makes its own schema, role, subject root and stream prefix and removes them at the end.
//
//   node tools/bench/survey.bench.mjs
//   (env: CONCURRENCY, SUBMIT_SECONDS, CSV_ROWS, KAMPUNG, PHASES, SERVICE_NODE_ARGS)
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { freePort, startEmbeddedPostgres, startNatsServer } from '../local-infra.mjs';
import { memoryOf } from './bench-kit.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = path.join(ROOT, 'dist');
const require = createRequire(path.join(ROOT, 'package.json'));
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 32);
const SUBMIT_SECONDS = Number(process.env.SUBMIT_SECONDS ?? 10);
const CSV_ROWS = Number(process.env.CSV_ROWS ?? 100_000);
const KAMPUNG = Number(process.env.KAMPUNG ?? 2000);
const SECRET = 'kkb-bench-secret';
/** Which parts to run, e.g. PHASES=csv (default: all). */
const PHASES = new Set((process.env.PHASES ?? 'round-trips,submit,csv').split(','));

const fmt = (n, digits = 0) =>
  Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const log = (line) => process.stdout.write(`${line}\n`);
const note = (line) => process.stderr.write(`  ${line}\n`);

// ---- the report as monthly-report v1 asks it (kept in step with services/survey/test/factories.ts)
const POKTAN = ['bkb', 'bkr', 'bkl', 'uppka', 'pik_r'];
const METHODS = ['iud', 'mow', 'mop', 'condom', 'implant', 'injection', 'pill'];
const REASONS = ['pregnant', 'want_child_now', 'iat', 'tial'];
const QUESTIONS = [
  ...POKTAN.flatMap((p) => [`${p}_participants`, `${p}_target_families`]),
  'pus',
  ...METHODS.map((m) => `users_${m}`),
  ...REASONS.map((r) => `nonusers_${r}`),
  'bpjs_users',
];
function answers(seed) {
  const a = {};
  for (const p of POKTAN) {
    a[`${p}_target_families`] = 60 + (seed % 50);
    a[`${p}_participants`] = 10 + (seed % 40);
  }
  a.pus = 600 + (seed % 100);
  for (const m of METHODS) a[`users_${m}`] = 20 + ((seed + m.length) % 30);
  for (const r of REASONS) a[`nonusers_${r}`] = 10 + ((seed + r.length) % 20);
  a.bpjs_users = 300 + (seed % 50);
  return a;
}

// ---- infrastructure
async function infra(cleanups) {
  let databaseUrl = process.env.DATABASE_URL;
  let natsUrl = process.env.NATS_URL;
  if (databaseUrl && natsUrl) return { databaseUrl, natsUrl };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kkb-bench-survey-'));
  chmodSync(dir, 0o755);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(dir, 'pg'),
      port: await freePort(),
      database: 'bench',
    });
    cleanups.push(() => pg.stop());
    databaseUrl = pg.url;
  }
  if (!natsUrl) {
    const nats = await startNatsServer({ storeDir: path.join(dir, 'nats'), port: await freePort() });
    cleanups.push(() => nats.stop());
    natsUrl = nats.url;
  }
  return { databaseUrl, natsUrl };
}

function serviceEnv(run, extra = {}) {
  return {
    ...process.env,
    DATABASE_URL: run.databaseUrl,
    NATS_URL: run.natsUrl,
    DATABASE_SCHEMA: run.schema,
    DATABASE_ROLE: run.role,
    EVENT_SUBJECT_ROOT: run.subjectRoot,
    EVENT_STREAM_PREFIX: run.streamPrefix,
    JWT_SECRET: SECRET,
    LOG_LEVEL: 'warn',
    SURVEY_OVERDUE_CHECK_MS: '0',
    HOST: '127.0.0.1',
    ...extra,
  };
}

const MAIN = path.join(DIST, 'services', 'survey', 'src', 'main.js');

/** @returns {Promise<void>} */
function runCli(run, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: serviceEnv(run),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`survey ${args.join(' ')}: ${err}`)),
    );
  });
}

async function startProcess(run) {
  const port = await freePort();
  // SERVICE_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to look inside the service.
  const nodeArgs = (process.env.SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return startChild(
    'survey',
    [...nodeArgs, MAIN],
    serviceEnv(run, { PORT: String(port), DATABASE_POOL_SIZE: '16', MIGRATIONS_RUN: 'false' }),
    `http://127.0.0.1:${port}`,
    '/health/ready',
  );
}

/** A node child process serving HTTP at `url`, once `readyPath` answers 2xx; stop() ends it. */
async function startChild(name, args, env, url, readyPath) {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr}`);
    const ok = await fetch(`${url}${readyPath}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`${name} not ready in 30 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid,
    /** @returns {Promise<void>} */
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

async function seedKampung(pgClient, run) {
  const ids = [];
  const values = [];
  const params = [];
  for (let i = 0; i < KAMPUNG; i++) {
    const id = randomUUID();
    ids.push(id);
    const code = `16.${String(10 + (i % 60)).padStart(2, '0')}.${String(1 + (i % 30)).padStart(2, '0')}.${2000 + i}`;
    params.push(id, code);
    values.push(
      `($${params.length - 1}, $${params.length}, '16', 'Kampung KB bench', '2015-01-01', true, 1, 'bench')`,
    );
  }
  await pgClient.query(
    `INSERT INTO "${run.schema}".kampung_projection
       (kampung_id, village_code, province_code, name, launch_date, active, version, last_event_id)
     VALUES ${values.join(',')}`,
    params,
  );
  return ids;
}

// ---- the benchmarks
async function roundTrips(run, kampung) {
  require('reflect-metadata');
  const pg = require('pg');
  const { loadServiceConfig, startService } = require(path.join(DIST, 'libs/bootstrap/src/index.js'));
  const { surveyService } = require(path.join(DIST, 'services/survey/src/service.js'));
  const { mintToken } = require(path.join(DIST, 'libs/auth/src/index.js'));
  const config = loadServiceConfig(
    surveyService,
    serviceEnv(run, { PORT: '0', MIGRATIONS_RUN: 'false', LOG_LEVEL: 'error' }),
  );
  const app = await startService(surveyService, config, {
    listen: false,
    quiet: true,
    messaging: {
      outbox: { enabled: false, batchSize: 1, pollMs: 60000, retentionHours: 1 },
      consumersEnabled: false,
    },
  });
  let queries = 0;
  const original = pg.Client.prototype.query;
  // Counts every query, whichever overload it is called with.
  pg.Client.prototype.query = /** @type {typeof original} */ (
    /** @type {unknown} */ (
      /** @this {import('pg').Client} @param {Parameters<typeof original>} args */
      function countQuery(...args) {
        queries++;
        return original.apply(this, args);
      }
    )
  );
  const token = mintToken({ role: 'field_officer', scope: '16', sub: 'bench-rt', secret: SECRET });
  const post = (body) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/submissions',
      payload: body,
      headers: { authorization: `Bearer ${token}` },
    });
  const n = 200;
  const bodies = Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    kampungId: kampung[i % kampung.length],
    instrumentCode: 'monthly-report',
    instrumentVersion: 1,
    period: { year: 2016, month: 1 + (i % 12) },
    answers: answers(i),
  }));
  try {
    await post({ ...bodies[0], id: randomUUID(), period: { year: 2016, month: 12 } }); // warm caches
    const measure = async (label, list, status) => {
      const before = queries;
      for (const b of list) {
        const res = await post(b);
        if (res.statusCode !== status) throw new Error(`${label}: ${res.statusCode} ${res.body}`);
      }
      return (queries - before) / list.length;
    };
    const fresh = await measure('fresh', bodies.slice(0, n / 2), 201);
    const superseding = await measure(
      'superseding',
      bodies.slice(0, n / 2).map((b) => ({ ...b, id: randomUUID(), answers: answers(b.period.month + 7) })),
      201,
    );
    const retry = await measure('retry', bodies.slice(0, n / 2), 200);
    log(
      `survey.round-trips  per submission: ${fmt(fresh, 1)} new, ${fmt(superseding, 1)} superseding, ${fmt(retry, 1)} same-body retry` +
        '  (BEGIN and COMMIT included)',
    );
  } finally {
    pg.Client.prototype.query = original;
    await app.close();
  }
}

async function submitThroughput(run, kampung) {
  const autocannon = require('autocannon');
  const { mintToken } = require(path.join(DIST, 'libs/auth/src/index.js'));
  const server = await startProcess(run);
  try {
    const token = mintToken({
      role: 'field_officer',
      scope: '16',
      sub: 'bench-http',
      secret: SECRET,
      expiresIn: '1h',
    });
    let seq = 0;
    const request = {
      method: 'POST',
      path: '/api/v1/submissions',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      setupRequest: (req) => {
        const i = seq++;
        // Spread over kampung and 5 years of months: mostly new periods, some supersede.
        return {
          ...req,
          body: JSON.stringify({
            id: randomUUID(),
            kampungId: kampung[i % kampung.length],
            instrumentCode: 'monthly-report',
            instrumentVersion: 1,
            period: {
              year: 2018 + (Math.floor(i / kampung.length) % 5),
              month: 1 + (Math.floor(i / (kampung.length * 5)) % 12),
            },
            answers: answers(i),
          }),
        };
      },
    };
    const opts = { url: server.url, connections: CONCURRENCY, requests: [request] };
    await autocannon({ ...opts, duration: 2 }); // warm-up
    const result = await autocannon({ ...opts, duration: SUBMIT_SECONDS });
    const created = Number(result.statusCodeStats?.['201']?.count ?? 0);
    const rate = created / result.duration;
    log(
      `survey.submit  concurrency=${CONCURRENCY}  ${fmt(rate)} req/s  p50 ${fmt(result.latency.p50)} ms  p99 ${fmt(result.latency.p99)} ms` +
        `  (${SUBMIT_SECONDS} s, ${fmt(created)} created, ${fmt(result.non2xx)} non-2xx, ${fmt(result.errors)} errors)`,
    );
    await server.stop();
    // The same requests against bare fastify + pg committing a row and an outbox row (no Nest, no
    // validation, no auth): what the endpoint is measured against (issue 15: at least half).
    const bare = await startBareServer(run);
    try {
      seq = 0;
      const bareOpts = { ...opts, url: bare.url, requests: [{ ...request, path: '/submit' }] };
      await autocannon({ ...bareOpts, duration: 2 });
      const b = await autocannon({ ...bareOpts, duration: SUBMIT_SECONDS });
      const bareRate = Number(b.statusCodeStats?.['201']?.count ?? 0) / b.duration;
      log(
        `survey.submit bare fastify+pg row+outbox  concurrency=${CONCURRENCY}  ${fmt(bareRate)} req/s  p50 ${fmt(b.latency.p50)} ms  p99 ${fmt(b.latency.p99)} ms` +
          `  (same bodies, one transaction of two inserts, no Nest/validation/auth)`,
      );
      log(`survey.submit ratio  ÷ bare fastify+pg row+outbox ${fmt(rate / bareRate, 2)}  (target ≥ 0.5)`);
    } finally {
      await bare.stop();
    }
  } finally {
    await server.stop();
  }
}

/** tools/bench/bare-submit-server.mjs as a child process, like the service. */
async function startBareServer(run) {
  const port = await freePort();
  return startChild(
    'bare server',
    [path.join(ROOT, 'tools/bench/bare-submit-server.mjs')],
    {
      ...process.env,
      DATABASE_URL: run.databaseUrl,
      BARE_SCHEMA: `bare_${run.schema}`,
      PORT: String(port),
      DATABASE_POOL_SIZE: '16',
    },
    `http://127.0.0.1:${port}`,
    '/ready',
  );
}

async function csvImport(run, kampung) {
  const { mintToken } = require(path.join(DIST, 'libs/auth/src/index.js'));
  const server = await startProcess(run);
  try {
    const token = mintToken({
      role: 'national',
      scope: '',
      sub: 'bench-csv',
      secret: SECRET,
      expiresIn: '1h',
    });
    const before = memoryOf(server.pid);
    // Periods 2005…: the projection says launched 2015, so use 2015-2024 (120 months) × kampung.
    const perKampung = Math.ceil(CSV_ROWS / kampung.length);
    if (perKampung > 120) throw new Error(`CSV_ROWS ${CSV_ROWS} needs more than ${kampung.length} kampung`);
    async function* rows() {
      yield `submission_id,kampung_id,year,month,${QUESTIONS.join(',')}\n`;
      let chunk = '';
      for (let i = 0; i < CSV_ROWS; i++) {
        const k = kampung[i % kampung.length];
        const m = Math.floor(i / kampung.length);
        const a = answers(i);
        chunk += `${randomUUID()},${k},${2015 + Math.floor(m / 12)},${1 + (m % 12)},${QUESTIONS.map((q) => a[q]).join(',')}\n`;
        if (chunk.length > 64 * 1024) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    }
    let peak = before?.peak ?? 0;
    const sampler = setInterval(() => {
      const m = memoryOf(server.pid);
      if (m) peak = Math.max(peak, m.peak);
    }, 200);
    const started = performance.now();
    const body = await new Promise((resolve, reject) => {
      const req = http.request(
        `${server.url}/api/v1/imports?instrumentCode=monthly-report&instrumentVersion=1`,
        { method: 'POST', headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () =>
            res.statusCode === 201
              ? resolve(JSON.parse(text))
              : reject(new Error(`${res.statusCode} ${text}`)),
          );
        },
      );
      req.on('error', reject);
      Readable.from(rows()).pipe(req);
    });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    const after = memoryOf(server.pid);
    if (after) peak = Math.max(peak, after.peak);
    if (body.created !== CSV_ROWS)
      note(`csv import: expected ${CSV_ROWS} created, got ${JSON.stringify(body)}`);
    log(
      `survey.csv-import  ${fmt(CSV_ROWS)} rows  ${fmt(CSV_ROWS / seconds)} rows/s  ` +
        (after
          ? `peak RSS ${fmt(peak / 2 ** 20)} MB (idle ${fmt((before?.current ?? 0) / 2 ** 20)} MB)`
          : 'peak RSS n/a (no /proc)') +
        `  (${fmt(seconds, 1)} s, ${fmt(body.created)} created, ${fmt(body.failed)} failed)`,
    );
  } finally {
    await server.stop();
  }
}

async function main() {
  if (!existsSync(MAIN))
    throw new Error('dist/services/survey/src/main.js is missing: run `npm run build` first');
  const cleanups = [];
  const id = randomBytes(4).toString('hex');
  let run;
  try {
    const { databaseUrl, natsUrl } = await infra(cleanups);
    run = {
      databaseUrl,
      natsUrl,
      schema: `survey_bench_${id}`,
      role: `kkb_survey_bench_${id}`,
      subjectRoot: `b${id}`,
      streamPrefix: `B${id.toUpperCase()}`,
    };
    await runCli(run, ['provision']);
    await runCli(run, ['migrate']);
    const pg = require('pg');
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    cleanups.push(() => client.end());
    const kampung = await seedKampung(client, run);
    note(`survey bench: schema ${run.schema}, ${fmt(KAMPUNG)} kampung`);
    if (PHASES.has('round-trips')) await roundTrips(run, kampung);
    if (PHASES.has('submit')) await submitThroughput(run, kampung);
    if (PHASES.has('csv')) await csvImport(run, kampung);
  } finally {
    if (run) {
      const { dropServiceDatabase } = require(path.join(DIST, 'libs/persistence/src/index.js'));
      await dropServiceDatabase(run.databaseUrl, { schema: run.schema, role: run.role }).catch((err) =>
        note(`cleanup of ${run.schema} failed: ${err.message}`),
      );
      const { connect } = await import('@nats-io/transport-node');
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const nc = await connect({ servers: run.natsUrl.split(',') }).catch(() => null);
      if (nc) {
        const jsm = await jetstreamManager(nc);
        for await (const name of jsm.streams.names())
          if (name.startsWith(`${run.streamPrefix}_`)) await jsm.streams.delete(name);
        await nc.close();
      }
    }
    for (const c of cleanups.reverse()) await c();
  }
}

main().catch((err) => {
  process.stderr.write(`survey bench failed: ${err.stack ?? err}\n`);
  process.exit(1);
});
