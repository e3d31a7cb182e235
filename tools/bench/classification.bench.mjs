// Classification: a kampung with a verified profile and report in every one of the 83,762
// villages; national recomputation when a rule set is published, and aggregate latency.
import { benchRun, dist, fmt, infrastructure, latency, ms, report, startService } from './bench-kit.mjs';

const VILLAGES = 83762;
const infra = await infrastructure();
const run = benchRun(infra);
const deadline = Date.now() + 165_000;
try {
  const { app, config } = await startService(run, 'classification');
  const { getDataSourceToken } = await import('@nestjs/typeorm');
  const ds = app.get(getDataSourceToken());
  const s = `"${config.DATABASE_SCHEMA}"`;
  const { RULE_SET_V1 } = dist('services/classification/src/rule-set/rule-set-v1.js');

  // Projection rows and verified submissions straight in SQL (the event path is measured by tests).
  let t = Date.now();
  await ds.query(`SELECT setseed(0.42)`);
  await ds.query(
    `INSERT INTO ${s}.kampung_projection (kampung_id, village_code, province_code, name, launch_date, active, version, last_event_id)
     SELECT gen_random_uuid(), v.code, substr(v.code, 1, 2), 'Kampung KB ' || i, DATE '2020-01-14', true, 1, 'bench'
       FROM generate_series(1, ${VILLAGES}) i,
            LATERAL (SELECT lpad((11 + i % 38)::text, 2, '0') || '.' || lpad((1 + (i / 38) % 20)::text, 2, '0') || '.' ||
                            lpad((1 + (i / 760) % 15)::text, 2, '0') || '.' || (2001 + i / 11400)::text AS code) v`,
  );
  const pick = (codes, max) =>
    `(ARRAY[${codes.map((c) => `'${c}'`).join(',')}])[1:floor(sqrt(random()) * ${max + 1})::int]`;
  await ds.query(
    `INSERT INTO ${s}.latest_submission (kampung_id, kind, submission_id, period, verified_at, instrument_code, instrument_version, answers)
     SELECT kampung_id, 'profile', gen_random_uuid(), DATE '2025-01-01', now(), 'kampung-profile', 1,
            jsonb_build_object(
              'pokja_exists', random() < 0.9, 'pokja_members', floor(random() * 20)::int, 'pokja_trained', random() < 0.6,
              'sk_exists', random() < 0.7, 'plkb_assigned', random() < 0.7,
              'funding_sources', to_jsonb(${pick(['apbn', 'apbd', 'dana_desa', 'csr', 'swadaya', 'hibah'], 6)}),
              'poktan_services', to_jsonb(${pick(['bkb', 'bkr', 'bkl', 'uppka', 'pik_r', 'kb_kr_service', 'population_service', 'other_sector'], 8)}),
              'facilities', to_jsonb(${pick(['secretariat', 'rumah_dataku'], 2)}),
              'data_sources', to_jsonb(${pick(['pk', 'bkkbn_routine', 'village_potential', 'sectoral', 'other'], 5)}),
              'operating_steps', to_jsonb(${pick(['planning_meeting', 'coordination', 'socialisation', 'monitoring_evaluation', 'reporting'], 5)}),
              'agencies', floor(sqrt(random()) * 10)::int, 'pus', 400, 'families', 900,
              'families_with_toddler', 200, 'families_with_teen', 250, 'families_with_elderly', 150)
       FROM ${s}.kampung_projection`,
  );
  await ds.query(
    `INSERT INTO ${s}.latest_submission (kampung_id, kind, submission_id, period, verified_at, instrument_code, instrument_version, answers)
     SELECT kampung_id, 'monthly-report', gen_random_uuid(), DATE '2025-03-01', now(), 'monthly-report', 1,
            jsonb_build_object('pus', 1000,
              'bkb_participants', floor(random() * 60)::int, 'bkb_target_families', 100,
              'bkr_participants', floor(random() * 60)::int, 'bkr_target_families', 100,
              'bkl_participants', floor(random() * 60)::int, 'bkl_target_families', 100,
              'uppka_participants', floor(random() * 60)::int, 'uppka_target_families', 100,
              'pik_r_participants', floor(random() * 60)::int, 'pik_r_target_families', 100,
              'users_iud', u.mkjp, 'users_mow', 0, 'users_mop', 0, 'users_implant', 0, 'users_condom', 0,
              'users_injection', u.users - u.mkjp, 'users_pill', 0,
              'nonusers_pregnant', 0, 'nonusers_want_child_now', 0,
              'nonusers_iat', floor(random() * 150)::int, 'nonusers_tial', 0, 'bpjs_users', 0)
       FROM ${s}.kampung_projection p,
            -- correlated, so that each kampung draws its own numbers
            LATERAL (SELECT floor(250 + random() * 450)::int AS users, floor(random() * 0.45 * 700)::int AS mkjp
                      WHERE p.kampung_id IS NOT NULL) u0,
            LATERAL (SELECT u0.users, least(u0.mkjp, u0.users) AS mkjp) u`,
  );
  await ds.query(
    `INSERT INTO ${s}.verified_submission (submission_id, kampung_id, kind, period, verified_at, verified_by, instrument_code, instrument_version, answers)
     SELECT submission_id, kampung_id, kind, period, verified_at, 'bench', instrument_code, instrument_version, answers FROM ${s}.latest_submission`,
  );
  await ds.query(`ANALYZE ${s}.kampung_projection`);
  await ds.query(`ANALYZE ${s}.latest_submission`);
  report(
    'classification.fill (SQL)',
    `${fmt(VILLAGES)} kampung, a verified profile and report each`,
    `${fmt((Date.now() - t) / 1000, 1)} s`,
  );

  const token = run.token();
  const call = async (method, url, payload) => {
    const res = await app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const publish = async (label, definition) => {
    const draft = await call('POST', '/api/v1/rule-sets', { name: label, definition });
    const started = Date.now();
    const job = await call('POST', `/api/v1/rule-sets/${draft.version}/publish`);
    let state = job;
    while (state.status !== 'done') {
      if (Date.now() > deadline) throw new Error(`recomputation not done in time: ${JSON.stringify(state)}`);
      await new Promise((r) => setTimeout(r, 100));
      state = await call('GET', `/api/v1/recompute-jobs/${job.id}`);
    }
    const secs = (Date.now() - started) / 1000;
    report(
      `classification.recompute ${label}`,
      `${fmt(state.processed)} kampung`,
      `${fmt(secs, 1)} s`,
      `${fmt(state.processed / secs)} kampung/s`,
      `changed ${fmt(state.changed)}`,
    );
  };
  // v2 = v1's rules: every kampung gets its first level (all "changed"); v3 raises the pass mark.
  await publish('(v2, first levels)', RULE_SET_V1);
  await publish('(v3, pass mark 3.25)', { ...RULE_SET_V1, passMark: 3.25 });

  t = Date.now();
  let pending = Infinity;
  while (pending > 0 && Date.now() < deadline) {
    [{ n: pending }] = await ds.query(
      `SELECT count(*)::int AS n FROM ${s}.outbox WHERE published_at IS NULL`,
    );
    if (pending) await new Promise((r) => setTimeout(r, 250));
  }
  report(
    'classification.outbox drained after',
    `${fmt((Date.now() - t) / 1000, 1)} s more`,
    pending ? `${fmt(pending)} still pending` : 'all published',
  );
  await ds.query(`ANALYZE ${s}.kampung_state`);
  const nation = await call('GET', '/api/v1/levels');
  if (nation.kampung !== VILLAGES || nation.assessed !== VILLAGES)
    throw new Error(`unexpected levels ${JSON.stringify(nation)}`);
  report(
    'classification.levels (distribution)',
    Object.entries(nation.levels)
      .map(([l, n]) => `${l} ${fmt(n)}`)
      .join('  '),
  );
  for (const [label, url, n] of [
    ['national', '/api/v1/levels', 200],
    ['national, by province', '/api/v1/levels?breakdown=true', 50],
    ['province 16, by regency', '/api/v1/levels?region=16&breakdown=true', 50],
    ['history national (12 months)', '/api/v1/levels/history?from=2025-01&to=2025-12', 50],
  ]) {
    await call('GET', url);
    const l = await latency(n, () => call('GET', url));
    report(
      `classification.levels ${label}`,
      `p50 ${ms(l.p50)}`,
      `p99 ${ms(l.p99)}`,
      `(n=${l.n}, HTTP in-process)`,
    );
  }
  const [{ id }] = await ds.query(`SELECT kampung_id AS id FROM ${s}.kampung_state LIMIT 1`);
  const l = await latency(50, () => call('GET', `/api/v1/kampung/${id}/classification`));
  report('classification.explain one kampung', `p50 ${ms(l.p50)}`, `p99 ${ms(l.p99)}`, `(n=${l.n})`);

  await app.close();
} finally {
  await run.cleanup();
  await infra.stop();
}
