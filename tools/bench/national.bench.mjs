// National scale: a Kampung KB in every one of Indonesia's 83,762 villages (the registry's own
// whole-country region import), a verified profile for each and a year of verified monthly
// reports (12 x 83,762 ~ 1.0 M), then a national recomputation and the aggregate and list
// latencies over HTTP against the services running as their own processes.
//
// The year of data is generated reproducibly (seeded PRNG: the same NATIONAL_SEED gives the same
// ids, answers and timestamps) and LOADED BY SQL, not through the API: over HTTP a million
// submissions and verifications would take hours (survey submit ~160 req/s). The rows are what the
// services would have written had each report been submitted, verified and evaluated in turn:
// - registry: `kampung` and its `kampung_audit` row (the coverage trigger keeps coverage_count);
// - survey and classification: `kampung_projection` (as the registry event would have made it);
// - survey: `submission`, status verified, answers in instrument order, validated with the
//   instrument's own validator, body_hash computed by the service's own function;
// - classification: `verified_submission` and `latest_submission` as the handler keeps them,
//   and every evaluation the handler would have made (profile, then each report, 13 per
//   kampung), computed by the service's own EvaluationService.records and written with the
//   service's own EvaluationRepository.write (evaluation, kampung_state, kampung_level_month).
// Not loaded: outbox rows (swept after OUTBOX_RETENTION_HOURS anyway), consumer inbox rows, and
// the notifications service's copies of a year of events.
//
//   node tools/bench/national.bench.mjs
//   env: NATIONAL_KAMPUNG (default: every village), NATIONAL_MONTHS (12), NATIONAL_SEED,
//        NATIONAL_FANOUT_SECONDS (30: how long notifications may catch up on the recomputation)
import { createRequire } from 'node:module';
import {
  benchRun,
  dist,
  fmt,
  httpClient,
  infrastructure,
  mb,
  ms,
  prng,
  profileAnswers,
  reportAnswers,
  report,
  runServiceCommand,
  startServiceProcesses,
  summary,
  uuidFrom,
} from './bench-kit.mjs';

const require = createRequire(import.meta.url);
const { Pool } = require('pg');
const { connect } = require('@nats-io/transport-node');
const { jetstreamManager } = require('@nats-io/jetstream');

const SEED = Number(process.env.NATIONAL_SEED ?? 20250101);
const WANTED = process.env.NATIONAL_KAMPUNG ? Number(process.env.NATIONAL_KAMPUNG) : Infinity;
const MONTHS = Number(process.env.NATIONAL_MONTHS ?? 12);
const FANOUT_SECONDS = Number(process.env.NATIONAL_FANOUT_SECONDS ?? 30);
const YEAR = 2025; // fixed, so that the same seed gives the same data whenever it runs
const BATCH = 2000; // kampung per statement
const DEPTH = 3; // statements in flight while the next batch is generated
const SERVICES = ['registry', 'survey', 'classification', 'notifications'];

const now = () => performance.timeOrigin + performance.now();
const secs = (v) => `${fmt(v / 1000, 1)} s`;
const pad = (n) => String(n).padStart(2, '0');
const lastPeriod = { year: YEAR + Math.floor(MONTHS / 12), month: (MONTHS % 12) + 1 };
{
  const jakarta = new Date(Date.now() + 7 * 3600 * 1000);
  const current = jakarta.getUTCFullYear() * 12 + jakarta.getUTCMonth();
  // The last report is submitted in the month after its period: that month must have begun.
  if (!(MONTHS >= 1) || lastPeriod.year * 12 + lastPeriod.month - 1 > current)
    throw new Error(`NATIONAL_MONTHS=${MONTHS} reaches past the current month (reports start at ${YEAR}-01)`);
}

/** Runs tasks (each builds its batch synchronously, then returns its statement's promise) with `depth` in flight, in order. */
async function pipelined(depth, tasks) {
  const inFlight = [];
  for (const task of tasks) {
    const p = task();
    p.catch(() => undefined); // awaited below, in order
    inFlight.push(p);
    if (inFlight.length >= depth) await inFlight.shift();
  }
  for (const p of inFlight) await p;
}

function* batches(n) {
  for (let from = 0; from < n; from += BATCH) yield [from, Math.min(n, from + BATCH)];
}

const infra = await infrastructure();
const run = benchRun(infra);
const pool = new Pool({ connectionString: infra.databaseUrl, max: DEPTH + 1 });
const client = httpClient({ maxSockets: 8 });
const procs = {};
let nc;
try {
  const env = Object.fromEntries(SERVICES.map((s) => [s, run.env(s)]));
  const schema = Object.fromEntries(SERVICES.map((s) => [s, `"${env[s].DATABASE_SCHEMA}"`]));
  // Everything from dist/ is loaded now: a concurrent `npm run build` empties it for a moment.
  const { provisionServiceDatabase } = dist('libs/persistence/src/index.js');
  const { compile, validateAnswers, normaliseAnswers } = dist(
    'services/survey/src/instrument/answers.validator.js',
  );
  const { bodyHash } = dist('services/survey/src/common/body-hash.js');
  const instruments = {
    profile: {
      code: 'kampung-profile',
      compiled: compile(dist('services/survey/src/instrument/seed/kampung-profile.v1.js').kampungProfileV1),
    },
    'monthly-report': {
      code: 'monthly-report',
      compiled: compile(dist('services/survey/src/instrument/seed/monthly-report.v1.js').monthlyReportV1),
    },
  };
  const { EvaluationService } = dist('services/classification/src/evaluation/evaluation.service.js');
  const { EvaluationRepository } = dist('services/classification/src/evaluation/evaluation.repository.js');
  const { RULE_SET_V1 } = dist('services/classification/src/rule-set/rule-set-v1.js');

  // ---- schemas and the whole country's regions, with the services' own commands
  let t = now();
  for (const s of SERVICES)
    await provisionServiceDatabase(infra.databaseUrl, {
      schema: env[s].DATABASE_SCHEMA,
      role: env[s].DATABASE_ROLE,
    });
  await Promise.all(SERVICES.map((s) => runServiceCommand(run, s, ['migrate'])));
  report('national.migrate', `4 services (main.js migrate)`, secs(now() - t));
  t = now();
  const out = await runServiceCommand(run, 'registry', ['import-regions']);
  const imported = JSON.parse(out.split('\n').find((l) => l.startsWith('{')) ?? '{}');
  report(
    'national.import-regions (registry CLI)',
    `${fmt(imported.inserted ?? NaN)} regions`,
    `importer ${secs(imported.ms ?? NaN)}`,
    `${fmt((imported.inserted ?? NaN) / ((imported.ms ?? NaN) / 1000))} rows/s`,
    `(${secs(now() - t)} with the process start)`,
  );

  // ---- the services, each its own process (started now: they idle while the data is loaded)
  t = now();
  Object.assign(procs, await startServiceProcesses(run, SERVICES));
  report('national.start', '4 service processes ready', secs(now() - t), '(idle while the data is loaded)');
  const { registry, survey, classification } = procs;
  const national = run.token('national', '');
  const call = async (p, method, path, body, token = national) => {
    const res = await client.request(method, `${p.url}${path}`, { token, body });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text.slice(0, 500)}`);
    return res.json;
  };

  // ---- the kampung: one per village (or NATIONAL_KAMPUNG spread evenly over the country)
  const villages = (
    await pool.query(
      `SELECT code, name FROM ${schema.registry}.region WHERE level = 4 AND active ORDER BY code`,
    )
  ).rows;
  const N = Math.min(WANTED, villages.length);
  const kampung = Array.from({ length: N }, (_, i) => {
    const v = villages[Math.floor((i * villages.length) / N)];
    const rng = prng(SEED, i, 0);
    const launch = new Date(Date.UTC(2016, 0, 1) + Math.floor(rng() * 3287) * 86400_000); // 2016..2024
    const registered = new Date(launch.getTime() + Math.floor(rng() * 20 * 86400_000));
    return {
      id: uuidFrom(rng),
      eventId: uuidFrom(rng),
      code: v.code,
      regency: v.code.slice(0, 5).replace('.', ''),
      name: `Kampung KB ${v.name}`,
      launch: launch.toISOString().slice(0, 10),
      registered: new Date(Math.min(registered.getTime(), Date.UTC(2024, 11, 31))),
      q: rng() ** 0.8,
      level: null, // the level before the next evaluation
      last: null, // the latest evaluation { id, level, at }
    };
  });

  /** What step `step` of kampung `i` submitted: 0 is the January profile, m the report of month m. */
  function step(i, s) {
    const k = kampung[i];
    const rng = prng(SEED, i, s + 1);
    const id = uuidFrom(rng);
    const period = { year: YEAR + Math.floor((s ? s - 1 : 0) / 12), month: ((s ? s - 1 : 0) % 12) + 1 };
    // A profile is sent in January; a report in the first ten days of the next month (due the 3rd).
    const sent =
      s === 0
        ? Date.UTC(YEAR, 0, 5 + Math.floor(rng() * 15))
        : Date.UTC(period.year, period.month, 1 + Math.floor(rng() * 10));
    const submittedAt = new Date(sent + (1 + rng() * 9) * 3600_000); // 08:00-17:00 WIB
    const verifiedAt = new Date(submittedAt.getTime() + (0.2 + rng() * 4) * 86400_000);
    const receivedAt = new Date(verifiedAt.getTime() + 200 + rng() * 1300);
    const evaluatedAt = new Date(receivedAt.getTime() + 5 + rng() * 45);
    const profile = s === 0 ? profileAnswers(rng, k.q) : null;
    if (profile) k.pus = profile.pus;
    const answers = profile ?? reportAnswers(rng, k.q, k.pus);
    return {
      id,
      period,
      submittedAt,
      verifiedAt,
      receivedAt,
      evaluatedAt,
      answers,
      kind: s ? 'monthly-report' : 'profile',
    };
  }

  /** The answers as the survey service stores them (instrument order), after its own validation. */
  const stored = (st) => {
    const instrument = instruments[st.kind];
    const problems = validateAnswers(instrument.compiled, st.answers);
    if (problems.length) throw new Error(`generated answers fail validation: ${JSON.stringify(problems)}`);
    return normaliseAnswers(instrument.compiled, st.answers);
  };
  const stages = [];
  report(
    'national.load method',
    'SQL (multi-row INSERT ... unnest), NOT the API: rows as the services would have written them',
    '(survey answers checked by its validator, body_hash by its function; evaluations by classification',
    'EvaluationService.records + EvaluationRepository.write; no outbox/inbox rows; seed ' + SEED + ')',
  );
  const stage = (name, rows, ms, note) => {
    stages.push({ name, rows, ms });
    report(
      `national.load ${name}`,
      ...(rows ? [`${fmt(rows)} rows`, secs(ms), `${fmt(rows / (ms / 1000))} rows/s`] : [secs(ms)]),
      note ?? '',
    );
  };

  // ---- registry: kampung and their audit rows (the coverage trigger runs for each). One batch
  // at a time: concurrent inserts deadlock on the trigger's coverage_count updates.
  t = now();
  await pipelined(
    1,
    [...batches(N)].map(([from, to]) => () => {
      const ks = kampung.slice(from, to);
      const changes = ks.map((k) =>
        JSON.stringify({
          name: { from: null, to: k.name },
          launchDate: { from: null, to: k.launch },
          description: { from: null, to: null },
          rw: { from: null, to: null },
          latitude: { from: null, to: null },
          longitude: { from: null, to: null },
          selectionCriteria: { from: null, to: [] },
          modelRegency: { from: null, to: false },
          modelProvince: { from: null, to: false },
          pokja: {
            from: null,
            to: { skNumber: null, skDate: null, skIssuer: null, trained: false, members: [] },
          },
          fieldOfficer: { from: null, to: null },
        }),
      );
      return pool.query(
        `WITH k AS (
           INSERT INTO ${schema.registry}.kampung (id, village_code, name, launch_date, version, created_at, updated_at)
           SELECT id, v, n, l, 1, r, r FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::timestamptz[]) AS t(id, v, n, l, r)
           RETURNING id)
         INSERT INTO ${schema.registry}.kampung_audit (kampung_id, version, action, actor, actor_role, at, changes, correlation_id)
         SELECT id, 1, 'registered', 'bench-national', 'national', r, c::jsonb, e
           FROM unnest($1::uuid[], $5::timestamptz[], $6::text[], $7::text[]) AS t(id, r, c, e)
          WHERE EXISTS (SELECT 1 FROM k)`,
        [
          ks.map((k) => k.id),
          ks.map((k) => k.code),
          ks.map((k) => k.name),
          ks.map((k) => k.launch),
          ks.map((k) => k.registered),
          changes,
          ks.map((k) => k.eventId),
        ],
      );
    }),
  );
  stage('registry kampung + audit', N * 2, now() - t, '(coverage_count trigger on each kampung)');

  // ---- the projections both consumers would have built from `kampung registered`
  t = now();
  for (const s of ['survey', 'classification'])
    await pipelined(
      DEPTH,
      [...batches(N)].map(([from, to]) => () => {
        const ks = kampung.slice(from, to);
        return pool.query(
          `INSERT INTO ${schema[s]}.kampung_projection
             (kampung_id, village_code, province_code, name, launch_date, active, version, last_event_id, updated_at)
           SELECT id, v, substr(v, 1, 2), n, l, true, 1, e, r + interval '1 second'
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::text[], $6::timestamptz[]) AS t(id, v, n, l, e, r)`,
          [
            ks.map((k) => k.id),
            ks.map((k) => k.code),
            ks.map((k) => k.name),
            ks.map((k) => k.launch),
            ks.map((k) => k.eventId),
            ks.map((k) => k.registered),
          ],
        );
      }),
    );
  stage('projections', N * 2, now() - t, '(kampung_projection of survey and classification)');

  // ---- survey: every submission, verified, month after month
  t = now();
  let genMs = 0;
  await pipelined(
    DEPTH,
    Array.from({ length: MONTHS + 1 }, (_, s) => [...batches(N)].map(([from, to]) => [s, from, to]))
      .flat()
      .map(([s, from, to]) => () => {
        const g = now();
        const rows = [];
        for (let i = from; i < to; i++) {
          const st = step(i, s);
          const answers = stored(st);
          const code = instruments[st.kind].code;
          rows.push({
            ...st,
            k: kampung[i],
            answers: JSON.stringify(answers),
            hash: bodyHash([kampung[i].id, code, 1, st.period.year, st.period.month, answers]),
          });
        }
        genMs += now() - g;
        const kind = s ? 'monthly-report' : 'profile';
        return pool.query(
          `INSERT INTO ${schema.survey}.submission (id, kampung_id, village_code, region_code, instrument_code,
               instrument_version, kind, period_year, period_month, answers, body_hash, status, via,
               submitted_at, submitted_by, verified_at, verified_by)
             SELECT id, k, v, replace(v, '.', ''), $1, 1, $2, $3, $4, a::jsonb, h, 'verified', 'api', sa, sb, va, vb
               FROM unnest($5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::text[], $10::timestamptz[], $11::text[],
                           $12::timestamptz[], $13::text[]) AS t(id, k, v, a, h, sa, sb, va, vb)`,
          [
            instruments[kind].code,
            kind,
            rows[0].period.year,
            rows[0].period.month,
            rows.map((r) => r.id),
            rows.map((r) => r.k.id),
            rows.map((r) => r.k.code),
            rows.map((r) => r.answers),
            rows.map((r) => r.hash),
            rows.map((r) => r.submittedAt),
            rows.map((r) => `officer-${r.k.regency}`),
            rows.map((r) => r.verifiedAt),
            rows.map((r) => `verifier-${r.k.regency}`),
          ],
        );
      }),
  );
  stage(
    'survey submissions',
    N * (MONTHS + 1),
    now() - t,
    `(generation and validation in Node ${secs(genMs)} of it)`,
  );

  // ---- classification: what the verified-submission handler keeps and evaluates, in order
  const evaluations = new EvaluationService(null, null);
  const repo = new EvaluationRepository();
  const ruleSet = { version: 1, definition: RULE_SET_V1 };
  /** The EntityManager surface the repository uses: `query` and the schema. */
  const manager = {
    connection: { options: { schema: env.classification.DATABASE_SCHEMA } },
    query: (sql, params) => pool.query(sql, params).then((r) => r.rows),
  };
  const periodDate = (p) => `${p.year}-${pad(p.month)}-01`;
  t = now();
  genMs = 0;
  let evalMs = 0;
  const latest = new Map(); // kampung index -> { profile, report } rows for latest_submission
  await pipelined(
    DEPTH,
    Array.from({ length: MONTHS + 1 }, (_, s) => [...batches(N)].map(([from, to]) => [s, from, to]))
      .flat()
      .map(([s, from, to]) => () => {
        const g = now();
        const rows = [];
        for (let i = from; i < to; i++) {
          const st = step(i, s);
          // Validated in the survey stage already (the same seed gives the same answers); jsonb
          // keeps no key order, so the instrument order does not matter here.
          rows.push({ ...st, i, k: kampung[i] });
        }
        genMs += now() - g;
        const e = now();
        const records = [];
        for (const r of rows) {
          const l = latest.get(r.i) ?? {};
          l[r.kind] = r;
          latest.set(r.i, l);
          const [rec] = evaluations.records(
            [
              {
                kampungId: r.k.id,
                villageCode: r.k.code,
                profileId: l.profile.id,
                profilePeriod: periodDate(l.profile.period),
                profile: l.profile.answers,
                reportId: l['monthly-report']?.id ?? null,
                reportPeriod: l['monthly-report'] ? periodDate(l['monthly-report'].period) : null,
                report: l['monthly-report']?.answers ?? null,
                previousLevel: r.k.level,
              },
            ],
            ruleSet,
            'submission',
            null,
            r.evaluatedAt.toISOString(),
          );
          rec.id = uuidFrom(prng(SEED, r.i, s + 1, 7));
          r.k.level = rec.level;
          r.k.last = { id: rec.id, level: rec.level, at: rec.evaluated_at };
          records.push(rec);
        }
        evalMs += now() - e;
        const kind = s ? 'monthly-report' : 'profile';
        const verified = pool.query(
          `INSERT INTO ${schema.classification}.verified_submission (submission_id, kampung_id, kind, period, verified_at,
               verified_by, instrument_code, instrument_version, answers, received_at)
             SELECT id, k, $1, $2::date, va, vb, $3, 1, a::jsonb, ra
               FROM unnest($4::uuid[], $5::uuid[], $6::timestamptz[], $7::text[], $8::text[], $9::timestamptz[])
                 AS t(id, k, va, vb, a, ra)`,
          [
            kind,
            periodDate(rows[0].period),
            instruments[kind].code,
            rows.map((r) => r.id),
            rows.map((r) => r.k.id),
            rows.map((r) => r.verifiedAt),
            rows.map((r) => `verifier-${r.k.regency}`),
            rows.map((r) => JSON.stringify(r.answers)),
            rows.map((r) => r.receivedAt),
          ],
        );
        // The evaluations reference the submissions they read: written once those are in.
        return verified.then(() => repo.write(manager, records));
      }),
  );
  const latestRows = [...latest.entries()].flatMap(([i, l]) =>
    Object.values(l).map((r) => ({ ...r, k: kampung[i] })),
  );
  for (const [from, to] of batches(latestRows.length)) {
    const rs = latestRows.slice(from, to);
    await pool.query(
      `INSERT INTO ${schema.classification}.latest_submission (kampung_id, kind, submission_id, period, verified_at,
         instrument_code, instrument_version, answers, received_at)
       SELECT k, kind, id, p, va, CASE kind WHEN 'profile' THEN 'kampung-profile' ELSE 'monthly-report' END, 1, a::jsonb, ra
         FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::date[], $5::timestamptz[], $6::text[], $7::timestamptz[])
           AS t(k, kind, id, p, va, a, ra)`,
      [
        rs.map((r) => r.k.id),
        rs.map((r) => r.kind),
        rs.map((r) => r.id),
        rs.map((r) => periodDate(r.period)),
        rs.map((r) => r.verifiedAt),
        rs.map((r) => JSON.stringify(r.answers)),
        rs.map((r) => r.receivedAt),
      ],
    );
  }
  const [{ n: levelMonths }] = (
    await pool.query(`SELECT count(*)::int AS n FROM ${schema.classification}.kampung_level_month`)
  ).rows;
  stage(
    'classification',
    N * (MONTHS + 1) * 2 + latestRows.length + levelMonths + N,
    now() - t,
    `(${fmt(N * (MONTHS + 1))} submissions and as many evaluations, ${fmt(levelMonths)} level months; ` +
      `Node: generation ${secs(genMs)}, evaluation ${secs(evalMs)})`,
  );

  t = now();
  for (const [s, tables] of [
    ['registry', ['kampung', 'kampung_audit', 'coverage_count']],
    ['survey', ['kampung_projection', 'submission']],
    [
      'classification',
      [
        'kampung_projection',
        'verified_submission',
        'latest_submission',
        'evaluation',
        'kampung_state',
        'kampung_level_month',
      ],
    ],
  ])
    for (const table of tables) await pool.query(`VACUUM ANALYZE ${schema[s]}.${table}`);
  stage('vacuum analyze', 0, now() - t, '(every loaded table, as autovacuum would have)');
  const loadMs = stages.reduce((a, x) => a + x.ms, 0);
  const size = async (s) =>
    Number(
      (
        await pool.query(
          `SELECT sum(pg_total_relation_size(c.oid))::bigint AS b FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relkind = 'r'`,
          [env[s].DATABASE_SCHEMA],
        )
      ).rows[0].b,
    );
  report(
    'national.load total',
    `${fmt(N)} kampung, ${fmt(N * (MONTHS + 1))} verified submissions (${MONTHS} months + profile)`,
    secs(loadMs),
    `on disk: survey ${mb(await size('survey'))}, classification ${mb(await size('classification'))}, registry ${mb(await size('registry'))}`,
  );

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
