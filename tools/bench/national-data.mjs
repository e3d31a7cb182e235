// National data for the benches: a Kampung KB in every one of Indonesia's 83,762 villages (the
// registry's own whole-country region import), a verified profile for each and `months` of
// verified monthly reports, with every evaluation the classification service would have made.
//
// The data is generated reproducibly (seeded PRNG: the same seed gives the same ids, answers,
// timestamps, coordinates) and LOADED BY SQL, not through the API: over HTTP a million submissions
// and verifications would take hours (survey submit ~160 req/s). The rows are what the services
// would have written had each report been submitted, verified and evaluated in turn:
// - registry: `kampung` (with plausible coordinates and one model kampung per regency and per
//   province) and its `kampung_audit` row (the coverage trigger keeps coverage_count);
// - survey and classification: `kampung_projection` (as the registry event would have made it:
//   model flags and coordinates included);
// - survey (unless `survey: false`): `submission`, status verified, answers in instrument order,
//   validated with the instrument's own validator, body_hash computed by the service's own function;
// - classification: `verified_submission` and `latest_submission` as the handler keeps them,
//   and every evaluation the handler would have made (profile, then each report), computed by the
//   service's own EvaluationService.records and written with the service's own
//   EvaluationRepository.write (evaluation, kampung_state, kampung_level_month).
// Not loaded: outbox rows (swept after OUTBOX_RETENTION_HOURS anyway), consumer inbox rows, and
// the notifications service's copies of the events.
//
// Coordinates: province 16 (Sumatera Selatan) uses the registry seed's own demoCoordinates (the
// same points `npm start -- --seed` gives); elsewhere a point around an approximate centre of the
// province, regencies and districts clustered like the seed's. Plausible for a map, not survey data.
import {
  dist,
  fmt,
  mb,
  prng,
  profileAnswers,
  reportAnswers,
  report,
  runServiceCommand,
  uuidFrom,
} from './bench-kit.mjs';

export const SERVICES = ['registry', 'survey', 'classification', 'notifications'];
const BATCH = 2000; // kampung per statement
const DEPTH = 3; // statements in flight while the next batch is generated

const now = () => performance.timeOrigin + performance.now();
export const secs = (v) => `${fmt(v / 1000, 1)} s`;
const pad = (n) => String(n).padStart(2, '0');

/** Approximate centre and spread (degrees) of each province: where its kampung go on the map. */
const PROVINCES = {
  11: [4.4, 96.9, 1.0],
  12: [2.2, 99.1, 1.2],
  13: [-0.8, 100.6, 0.8],
  14: [0.5, 101.8, 1.0],
  15: [-1.6, 103.0, 0.9],
  16: [-3.3, 104.0, 1.0],
  17: [-3.6, 102.3, 0.6],
  18: [-4.9, 105.0, 0.8],
  19: [-2.4, 106.2, 0.6],
  21: [1.0, 104.5, 0.6],
  31: [-6.2, 106.85, 0.12],
  32: [-6.9, 107.6, 0.8],
  33: [-7.2, 110.2, 0.8],
  34: [-7.85, 110.4, 0.2],
  35: [-7.6, 112.5, 1.0],
  36: [-6.4, 106.1, 0.4],
  51: [-8.4, 115.1, 0.35],
  52: [-8.6, 117.3, 0.8],
  53: [-9.3, 121.5, 1.5],
  61: [-0.1, 110.9, 1.5],
  62: [-1.5, 113.4, 1.5],
  63: [-2.9, 115.3, 0.7],
  64: [0.5, 116.6, 1.3],
  65: [3.0, 116.3, 0.8],
  71: [1.2, 124.8, 0.6],
  72: [-1.4, 121.4, 1.2],
  73: [-4.0, 120.0, 1.0],
  74: [-4.1, 122.2, 0.8],
  75: [0.7, 122.5, 0.4],
  76: [-2.5, 119.3, 0.5],
  81: [-3.2, 129.5, 1.5],
  82: [1.0, 127.8, 0.9],
  91: [-2.5, 139.5, 1.2],
  92: [-1.5, 133.3, 0.9],
  93: [-7.0, 139.5, 1.0],
  94: [-3.8, 136.5, 1.2],
  95: [-4.0, 138.9, 0.8],
  96: [-1.0, 131.5, 0.6],
};

/** FNV-1a of a string: a seed of its own per code. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
function inDisc(rand, radius) {
  const r = radius * Math.sqrt(rand());
  const a = 2 * Math.PI * rand();
  return [r * Math.sin(a), r * Math.cos(a)];
}
const round5 = (x) => Math.round(x * 1e5) / 1e5;

/** Plausible coordinates of a village (dotted code); the same code always gives the same point. */
function coordinatesOf(code, demoCoordinates) {
  const seeded = demoCoordinates(code);
  if (seeded) return seeded;
  const [lat, lon, radius] = PROVINCES[code.slice(0, 2)] ?? [-2.5, 118, 3];
  const [rLat, rLon] = inDisc(prng(hash(code.slice(0, 5))), radius * 0.75);
  const [dLat, dLon] = inDisc(prng(hash(code.slice(0, 8))), radius * 0.15);
  const [vLat, vLon] = inDisc(prng(hash(code)), radius * 0.06);
  return { latitude: round5(lat + rLat + dLat + vLat), longitude: round5(lon + rLon + dLon + vLon) };
}

let modules;
/**
 * Everything the loader needs from dist/, required at once: call it first thing (a concurrent
 * `npm run build` empties dist/ for a moment).
 */
export function nationalModules() {
  if (modules) return modules;
  const { compile, validateAnswers, normaliseAnswers } = dist('libs/instrument-rules/src/answers.js');
  modules = {
    provisionServiceDatabase: dist('libs/persistence/src/index.js').provisionServiceDatabase,
    validateAnswers,
    normaliseAnswers,
    bodyHash: dist('services/survey/src/common/body-hash.js').bodyHash,
    instruments: {
      profile: {
        code: 'kampung-profile',
        compiled: compile(dist('services/survey/src/instrument/seed/kampung-profile.v1.js').kampungProfileV1),
      },
      'monthly-report': {
        code: 'monthly-report',
        compiled: compile(dist('services/survey/src/instrument/seed/monthly-report.v1.js').monthlyReportV1),
      },
    },
    EvaluationService: dist('services/classification/src/evaluation/evaluation.service.js').EvaluationService,
    EvaluationRepository: dist('services/classification/src/evaluation/evaluation.repository.js')
      .EvaluationRepository,
    RULE_SET_V1: dist('services/classification/src/rule-set/rule-set-v1.js').RULE_SET_V1,
    demoCoordinates: dist('services/registry/src/seed/coordinates.js').demoCoordinates,
  };
  return modules;
}

/** Each service's env and quoted schema name for this run. */
export function serviceSchemas(run) {
  const env = Object.fromEntries(SERVICES.map((s) => [s, run.env(s)]));
  const schema = Object.fromEntries(SERVICES.map((s) => [s, `"${env[s].DATABASE_SCHEMA}"`]));
  return { env, schema };
}

/**
 * The four services' schemas, migrated by `main.js migrate`, and the whole country's regions by
 * the registry's `import-regions`; reported as `<label>.migrate` and `<label>.import-regions`.
 */
export async function prepareNational(infra, run, { label = 'national' } = {}) {
  const { provisionServiceDatabase } = nationalModules();
  const { env } = serviceSchemas(run);
  let t = now();
  for (const s of SERVICES)
    await provisionServiceDatabase(infra.databaseUrl, {
      schema: env[s].DATABASE_SCHEMA,
      role: env[s].DATABASE_ROLE,
    });
  await Promise.all(SERVICES.map((s) => runServiceCommand(run, s, ['migrate'])));
  report(`${label}.migrate`, `4 services (main.js migrate)`, secs(now() - t));
  t = now();
  const out = await runServiceCommand(run, 'registry', ['import-regions']);
  const imported = JSON.parse(out.split('\n').find((l) => l.startsWith('{')) ?? '{}');
  report(
    `${label}.import-regions (registry CLI)`,
    `${fmt(imported.inserted ?? NaN)} regions`,
    `importer ${secs(imported.ms ?? NaN)}`,
    `${fmt((imported.inserted ?? NaN) / ((imported.ms ?? NaN) / 1000))} rows/s`,
    `(${secs(now() - t)} with the process start)`,
  );
}

/**
 * Throws unless `months` of reports from `from` were all sent by now (the last report is sent in
 * the month after its period: that month must have begun, in Jakarta). Returns the month index
 * (year * 12 + month - 1) of `from`.
 */
export function assertMonthsPast(months, from) {
  const first = from.year * 12 + from.month - 1;
  const jakarta = new Date(Date.now() + 7 * 3600 * 1000);
  const current = jakarta.getUTCFullYear() * 12 + jakarta.getUTCMonth();
  if (!(months >= 1) || first + months > current)
    throw new Error(
      `${months} months from ${from.year}-${pad(from.month)} reach past the current month (the last report is sent the month after)`,
    );
  return first;
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

/**
 * Loads the kampung and their verified submissions and evaluations into the (migrated, region-
 * imported) schemas of `run`, reporting each stage as `<label>.load ...`.
 *   pool      a pg Pool on the run's database (at least DEPTH + 1 connections)
 *   kampung   how many (default every village; fewer are spread evenly over the country)
 *   months    monthly reports per kampung after the profile (>= 1)
 *   from      { year, month } of the profile and the first report (default 2025-01)
 *   seed      the PRNG seed
 *   survey    false: no survey submissions (only registry and classification rows)
 * Resolves to { kampung: [{ id, code, name, level, ... }], N, months, levelMonths, loadMs }.
 */
export async function loadNational(
  pool,
  run,
  {
    label = 'national',
    kampung: wanted = Infinity,
    months = 12,
    from = { year: 2025, month: 1 },
    seed = 20250101,
    survey = true,
  } = {},
) {
  const {
    validateAnswers,
    normaliseAnswers,
    bodyHash,
    instruments,
    EvaluationService,
    EvaluationRepository,
    RULE_SET_V1,
    demoCoordinates,
  } = nationalModules();
  const { env, schema } = serviceSchemas(run);
  const first = assertMonthsPast(months, from); // month index of the profile and first report
  const periodOf = (index) => ({ year: Math.floor(index / 12), month: (index % 12) + 1 });

  // ---- the kampung: one per village (or `wanted` spread evenly over the country)
  const villages = (
    await pool.query(
      `SELECT code, name FROM ${schema.registry}.region WHERE level = 4 AND active ORDER BY code`,
    )
  ).rows;
  const N = Math.min(wanted, villages.length);
  const modelRegency = new Set();
  const modelProvince = new Set();
  const kampung = Array.from({ length: N }, (_, i) => {
    const v = villages[Math.floor((i * villages.length) / N)];
    const rng = prng(seed, i, 0);
    const launch = new Date(Date.UTC(2016, 0, 1) + Math.floor(rng() * 3287) * 86400_000); // 2016..2024
    const registered = new Date(launch.getTime() + Math.floor(rng() * 20 * 86400_000));
    // The first kampung of each regency and of each province is its model (percontohan) kampung.
    const regency = v.code.slice(0, 5);
    const province = v.code.slice(0, 2);
    const isModelRegency = !modelRegency.has(regency);
    const isModelProvince = !modelProvince.has(province);
    modelRegency.add(regency);
    modelProvince.add(province);
    return {
      id: uuidFrom(rng),
      eventId: uuidFrom(rng),
      code: v.code,
      regency: regency.replace('.', ''),
      name: `Kampung KB ${v.name}`,
      launch: launch.toISOString().slice(0, 10),
      registered: new Date(Math.min(registered.getTime(), Date.UTC(2024, 11, 31))),
      ...coordinatesOf(v.code, demoCoordinates),
      modelRegency: isModelRegency,
      modelProvince: isModelProvince,
      q: rng() ** 0.8,
      level: null, // the level before the next evaluation
      last: null, // the latest evaluation { id, level, at }
    };
  });

  /** What step `s` of kampung `i` submitted: 0 is the profile, m the report of month m. */
  function step(i, s) {
    const k = kampung[i];
    const rng = prng(seed, i, s + 1);
    const id = uuidFrom(rng);
    const period = periodOf(first + (s ? s - 1 : 0));
    // A profile is sent in the first month; a report in the first ten days of the next month (due the 3rd).
    const sent =
      s === 0
        ? Date.UTC(period.year, period.month - 1, 5 + Math.floor(rng() * 15))
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
    `${label}.load method`,
    'SQL (multi-row INSERT ... unnest), NOT the API: rows as the services would have written them',
    survey
      ? '(survey answers checked by its validator, body_hash by its function; evaluations by classification'
      : '(no survey submissions: the pages measured do not read them; evaluations by classification',
    'EvaluationService.records + EvaluationRepository.write; no outbox/inbox rows; seed ' + seed + ')',
  );
  const stage = (name, rows, ms, note) => {
    stages.push({ name, rows, ms });
    report(
      `${label}.load ${name}`,
      ...(rows ? [`${fmt(rows)} rows`, secs(ms), `${fmt(rows / (ms / 1000))} rows/s`] : [secs(ms)]),
      note ?? '',
    );
  };

  // ---- registry: kampung and their audit rows (the coverage trigger runs for each). One batch
  // at a time: concurrent inserts deadlock on the trigger's coverage_count updates.
  let t = now();
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
          latitude: { from: null, to: k.latitude },
          longitude: { from: null, to: k.longitude },
          selectionCriteria: { from: null, to: [] },
          modelRegency: { from: null, to: k.modelRegency },
          modelProvince: { from: null, to: k.modelProvince },
          pokja: {
            from: null,
            to: { skNumber: null, skDate: null, skIssuer: null, trained: false, members: [] },
          },
          fieldOfficer: { from: null, to: null },
        }),
      );
      return pool.query(
        `WITH k AS (
           INSERT INTO ${schema.registry}.kampung (id, village_code, name, launch_date, latitude, longitude,
               model_regency, model_province, version, created_at, updated_at)
           SELECT id, v, n, l, la, lo, mr, mp, 1, r, r
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::timestamptz[], $8::numeric[],
                         $9::numeric[], $10::boolean[], $11::boolean[]) AS t(id, v, n, l, r, la, lo, mr, mp)
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
          ks.map((k) => k.latitude),
          ks.map((k) => k.longitude),
          ks.map((k) => k.modelRegency),
          ks.map((k) => k.modelProvince),
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
             (kampung_id, village_code, province_code, name, launch_date, active, version, last_event_id,
              model_regency, model_province, latitude, longitude, updated_at)
           SELECT id, v, substr(v, 1, 2), n, l, true, 1, e, mr, mp, la, lo, r + interval '1 second'
             FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::text[], $6::timestamptz[],
                         $7::boolean[], $8::boolean[], $9::float8[], $10::float8[])
               AS t(id, v, n, l, e, r, mr, mp, la, lo)`,
          [
            ks.map((k) => k.id),
            ks.map((k) => k.code),
            ks.map((k) => k.name),
            ks.map((k) => k.launch),
            ks.map((k) => k.eventId),
            ks.map((k) => k.registered),
            ks.map((k) => k.modelRegency),
            ks.map((k) => k.modelProvince),
            ks.map((k) => k.latitude),
            ks.map((k) => k.longitude),
          ],
        );
      }),
    );
  stage('projections', N * 2, now() - t, '(kampung_projection of survey and classification)');

  // ---- survey: every submission, verified, month after month
  let genMs = 0;
  if (survey) {
    t = now();
    await pipelined(
      DEPTH,
      Array.from({ length: months + 1 }, (_, s) => [...batches(N)].map(([from, to]) => [s, from, to]))
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
      N * (months + 1),
      now() - t,
      `(generation and validation in Node ${secs(genMs)} of it)`,
    );
  }

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
    Array.from({ length: months + 1 }, (_, s) => [...batches(N)].map(([from, to]) => [s, from, to]))
      .flat()
      .map(([s, from, to]) => () => {
        const g = now();
        const rows = [];
        for (let i = from; i < to; i++) {
          const st = step(i, s);
          // Validated in the survey stage (when loaded: the same seed gives the same answers);
          // jsonb keeps no key order, so the instrument order does not matter here.
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
          rec.id = uuidFrom(prng(seed, r.i, s + 1, 7));
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
    N * (months + 1) * 2 + latestRows.length + levelMonths + N,
    now() - t,
    `(${fmt(N * (months + 1))} submissions and as many evaluations, ${fmt(levelMonths)} level months; ` +
      `Node: generation ${secs(genMs)}, evaluation ${secs(evalMs)})`,
  );

  t = now();
  /** @type {[keyof typeof schema, string[]][]} */
  const analysed = [
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
  ];
  for (const [s, tables] of analysed)
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
  const last = periodOf(first + months - 1);
  report(
    `${label}.load total`,
    `${fmt(N)} kampung, ${fmt(N * (months + 1))} verified ${survey ? 'submissions' : 'evaluations'} ` +
      `(profile + ${months} months, ${from.year}-${pad(from.month)}..${last.year}-${pad(last.month)})`,
    secs(loadMs),
    `on disk: ${survey ? `survey ${mb(await size('survey'))}, ` : ''}classification ${mb(await size('classification'))}, registry ${mb(await size('registry'))}`,
  );
  return { kampung, N, months, levelMonths, loadMs };
}
