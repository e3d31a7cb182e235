import { randomUUID } from 'node:crypto';
import { eventually, Role, TestRun } from '@kkb/testing';
import { profileAnswers, reportAnswers } from '../src/evaluation/evaluation.fixtures';
import { SubmissionVerifiedHandler } from '../src/evaluation/submission-verified.handler';
import { RULE_SET_V1 } from '../src/rule-set/rule-set-v1';
import { startClassification, type Classification } from './classification.fixtures';

const CLASSIFIED = 'kkb.classification.kampung.classified.v1';
const FUNDING_5 = ['apbn', 'apbd', 'dana_desa', 'csr', 'swadaya'];

describe(SubmissionVerifiedHandler.name, () => {
  const run = new TestRun();
  let c: Classification;
  // K1 passes every index (input 3.6); K2 gets a report first, then a profile (Berkembang);
  // K3, in Lampung, has a profile only (Berkembang: no report, output fails).
  const k1 = randomUUID();
  const k2 = randomUUID();
  const k3 = randomUUID();

  const evaluations = async (kampungId: string) =>
    (await c.ds.query(`SELECT * FROM "${c.schema}".evaluation WHERE kampung_id = $1 ORDER BY seq`, [
      kampungId,
    ])) as Record<string, unknown>[];
  const events = async (kampungId: string) =>
    (
      await c.ds.query(
        `SELECT payload FROM "${c.schema}".outbox WHERE type = $1 AND payload->'data'->>'kampungId' = $2 ORDER BY seq`,
        [CLASSIFIED, kampungId],
      )
    ).map((r: { payload: { data: Record<string, unknown>; province: string; id: string } }) => r.payload);
  const projected = (id: string) =>
    eventually(
      async () =>
        (await c.ds.query(`SELECT 1 FROM "${c.schema}".kampung_projection WHERE kampung_id = $1`, [id]))
          .length,
      { what: `kampung ${id} projected` },
    );
  const get = async (url: string, token = run.token()) => {
    const res = await c.svc.request({ method: 'GET', url, token });
    return { status: res.statusCode, body: res.json() as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  beforeAll(async () => {
    c = await startClassification(run);
    await c.register('16.10.05.2041', k1);
    await c.register('16.10.05.2042', k2);
    await c.register('18.01.01.2001', k3);
    await Promise.all([k1, k2, k3].map(projected));
  });

  afterAll(async () => {
    await c?.svc.close();
    await run.cleanup();
  });

  it('should store one evaluation and publish one event for a verified profile, and nothing for its redelivery', async () => {
    const profile = c.verified(
      k1,
      '16.10.05.2041',
      'profile',
      { year: 2025, month: 1 },
      profileAnswers({ funding_sources: FUNDING_5 }),
    );
    await c.publish(profile);
    const [first] = await eventually(() => evaluations(k1), {
      until: (e) => e.length === 1,
      what: 'evaluation of k1',
    });
    expect(first).toMatchObject({
      level: 'berkembang',
      previous_level: null,
      changed: true,
      trigger: 'submission',
      rule_set_version: 1,
    });
    expect(first.profile_submission_id).toBe(profile.data.submissionId);
    expect(first.report_submission_id).toBeNull();

    // The same CloudEvent again under a new Nats-Msg-Id, as a redelivery brings it; then a marker.
    await c.publish(profile, `${profile.id}-again`);
    const report = c.verified(
      k1,
      '16.10.05.2041',
      'monthly-report',
      { year: 2025, month: 3 },
      reportAnswers(),
    );
    await c.publish(report);
    const both = await eventually(() => evaluations(k1), {
      until: (e) => e.length === 2,
      what: 'second evaluation',
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await evaluations(k1)).toHaveLength(2);
    expect(both[1]).toMatchObject({
      level: 'berkelanjutan',
      previous_level: 'berkembang',
      changed: true,
      report_period: '2025-03-01',
    });

    const published = await events(k1);
    expect(published).toHaveLength(2);
    expect(published[1].id).toBe(both[1].id);
    expect(published[1].province).toBe('16');
    expect(published[1].data).toMatchObject({
      kampungId: k1,
      villageCode: '16.10.05.2041',
      ruleSetVersion: 1,
      level: 'berkelanjutan',
      previousLevel: 'berkembang',
      changed: true,
      indices: { input: 3.6, process: 4, output: 4 },
      profilePeriod: { year: 2025, month: 1 },
      reportPeriod: { year: 2025, month: 3 },
      trigger: 'submission',
    });
    const inbox = await c.ds.query(`SELECT count(*)::int AS n FROM "${c.schema}".inbox WHERE event_id = $1`, [
      profile.id,
    ]);
    expect(inbox[0].n).toBe(1);
  });

  it('should ignore a verified submission for an older period than the one in use', async () => {
    await c.publish(
      c.verified(k1, '16.10.05.2041', 'monthly-report', { year: 2025, month: 2 }, reportAnswers({ cpr: 5 })),
    );
    const marker = c.verified(k3, '18.01.01.2001', 'profile', { year: 2025, month: 1 }, profileAnswers());
    await c.publish(marker);
    await eventually(() => evaluations(k3), { until: (e) => e.length === 1, what: 'the marker evaluated' });
    expect(await evaluations(k1)).toHaveLength(2);
    const [stored] = await c.ds.query(
      `SELECT to_char(period, 'YYYY-MM') AS period FROM "${c.schema}".latest_submission WHERE kampung_id = $1 AND kind = 'monthly-report'`,
      [k1],
    );
    expect(stored.period).toBe('2025-03');
  });

  it('should keep a kampung with only a report not assessed, then use that report once its profile is verified', async () => {
    await c.publish(
      c.verified(
        k2,
        '16.10.05.2042',
        'monthly-report',
        { year: 2025, month: 4 },
        reportAnswers({ cpr: 10, unmet: 20 }),
      ),
    );
    const notYet = await eventually(() => get(`/api/v1/kampung/${k2}/classification`), {
      until: (r) => r.body.report !== null,
      what: 'report stored for k2',
    });
    expect(notYet.body).toMatchObject({
      status: 'not_assessed',
      level: null,
      profile: null,
      report: { period: '2025-04' },
    });
    expect(await evaluations(k2)).toHaveLength(0);
    expect(await events(k2)).toHaveLength(0);

    await c.publish(c.verified(k2, '16.10.05.2042', 'profile', { year: 2025, month: 2 }, profileAnswers()));
    const [e] = await eventually(() => evaluations(k2), { until: (x) => x.length === 1 });
    expect(e).toMatchObject({
      level: 'berkembang',
      profile_period: '2025-02-01',
      report_period: '2025-04-01',
    });
  });

  it('should retry a submission for a kampung the projection does not know yet until the registry event arrives', async () => {
    const late = randomUUID();
    await c.publish(c.verified(late, '16.10.05.2043', 'profile', { year: 2025, month: 1 }, profileAnswers()));
    await new Promise((r) => setTimeout(r, 500));
    expect(await evaluations(late)).toHaveLength(0);
    await c.register('16.10.05.2043', late);
    const done = await eventually(() => evaluations(late), {
      until: (x) => x.length === 1,
      timeoutMs: 30000,
    });
    expect(done[0].level).toBe('berkembang');
  });

  describe('explain', () => {
    it('should explain the level indicator by indicator, with the periods used and what would lift it', async () => {
      const { status, body } = await get(`/api/v1/kampung/${k2}/classification`);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        status: 'assessed',
        level: 'berkembang',
        ruleSetVersion: 1,
        profile: { period: '2025-02' },
        report: { period: '2025-04' },
      });
      expect(body.indices.output).toMatchObject({ value: 2.5, passes: false, passMark: 3 });
      expect(body.inputs.report).toMatchObject({ pus: 2000, users_injection: 140, nonusers_iat: 400 });
      expect(body.inputs.profile).not.toHaveProperty('families');
      const cpr = body.indices.output.indicators.find((i: { id: string }) => i.id === 'cpr');
      expect(cpr).toMatchObject({ value: 10, band: '< 30', score: 1, maxScore: 4 });
      expect(cpr.bands.map((b: { interval: string }) => b.interval)).toEqual([
        '(-∞, 29.5)',
        '[29.5, 40.5)',
        '[40.5, 50.5)',
        '[50.5, ∞)',
      ]);
      expect(body.indices.input.indicators).toHaveLength(5);
      expect(body.lift.failing.map((f: { index: string }) => f.index)).toEqual(['output']);
      expect(body.lift.failing[0]).toMatchObject({ pointsNeeded: 2 });
      expect(body.lift.failing[0].moves).toEqual([
        expect.objectContaining({
          indicator: 'cpr',
          toScore: 3,
          target: { op: '>=', value: 40.5 },
          change: 30.5,
        }),
      ]);
      expect(body.lift.nextLevel).toMatchObject({ level: 'berkelanjutan', indices: ['output'] });
    });

    it('should page the history newest first and keep the kampung out of other regions', async () => {
      const page1 = await get(`/api/v1/kampung/${k1}/classification/history?limit=1`);
      expect(page1.body.items).toHaveLength(1);
      expect(page1.body.items[0]).toMatchObject({ level: 'berkelanjutan', report: { period: '2025-03' } });
      const page2 = await get(
        `/api/v1/kampung/${k1}/classification/history?limit=1&cursor=${page1.body.nextCursor}`,
      );
      expect(page2.body.items[0]).toMatchObject({ level: 'berkembang', report: null });
      expect(page2.body.nextCursor).toBeNull();
      expect((await get(`/api/v1/kampung/${k1}/classification`, run.token(Role.province, '18'))).status).toBe(
        403,
      );
      expect((await get(`/api/v1/kampung/${randomUUID()}/classification`)).status).toBe(404);
    });
  });

  describe('aggregates', () => {
    it('should count kampung per level, not assessed and coverage for the nation and a region', async () => {
      const unassessed = randomUUID();
      await c.register('16.71.01.1001', unassessed);
      await projected(unassessed);
      const nation = await get('/api/v1/levels?breakdown=true');
      expect(nation.body).toMatchObject({
        region: null,
        regionLevel: 'nation',
        kampung: 5,
        assessed: 4,
        notAssessed: 1,
        coverage: 80,
        levels: { dasar: 0, berkembang: 3, mandiri: 0, berkelanjutan: 1 },
      });
      expect(
        nation.body.children.map((x: { region: string; kampung: number }) => [x.region, x.kampung]),
      ).toEqual([
        ['16', 4],
        ['18', 1],
      ]);
      const regency = await get('/api/v1/levels?region=16.10&breakdown=true');
      expect(regency.body).toMatchObject({
        region: '16.10',
        regionLevel: 'regency',
        kampung: 3,
        assessed: 3,
      });
      expect(regency.body.children).toEqual([
        expect.objectContaining({ region: '16.10.05', regionLevel: 'district', kampung: 3 }),
      ]);
      const mine = await get('/api/v1/levels', run.token(Role.province, '18'));
      expect(mine.body).toMatchObject({ region: '18', kampung: 1, levels: { berkembang: 1 } });
      expect((await get('/api/v1/levels?region=16', run.token(Role.province, '18'))).status).toBe(403);
      expect((await get('/api/v1/levels?region=16.1')).status).toBe(400);
    });

    it('should give the distribution at the end of each month from the evaluation history', async () => {
      const [{ month }] = await c.ds.query(
        `SELECT to_char(date_trunc('month', now() AT TIME ZONE 'Asia/Jakarta'), 'YYYY-MM') AS month`,
      );
      const h = await get(`/api/v1/levels/history?region=16&from=2020-01&to=${month}`);
      expect(h.status).toBe(200);
      expect(h.body.months[0]).toEqual({
        month: '2020-01',
        assessed: 0,
        levels: { dasar: 0, berkembang: 0, mandiri: 0, berkelanjutan: 0 },
      });
      expect(h.body.months.at(-1)).toEqual({
        month,
        assessed: 3,
        levels: { dasar: 0, berkembang: 2, mandiri: 0, berkelanjutan: 1 },
      });
      expect((await get('/api/v1/levels/history?from=2025-05&to=2025-01')).status).toBe(400);
    });

    it('should count each month from the level changes before and within it, across years', async () => {
      // Random level changes of 60 kampung in province 19 over three years, against a direct count.
      let seed = 19;
      const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
      const levels = ['dasar', 'berkembang', 'mandiri', 'berkelanjutan'] as const;
      const rows: { kampung: string; month: string; village: string; level: string }[] = [];
      for (let k = 0; k < 60; k++) {
        const kampung = `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`;
        const village = `19.0${1 + (k % 3)}.01.${2001 + k}`;
        const months = new Set<string>();
        for (let n = Math.floor(rnd() * 6); n >= 0; n--)
          months.add(
            `${2023 + Math.floor(rnd() * 3)}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}`,
          );
        for (const month of months)
          rows.push({ kampung, month, village, level: levels[Math.floor(rnd() * 4)] });
      }
      await c.ds.query(
        `INSERT INTO "${run.schema('classification')}".kampung_level_month (kampung_id, month, village_code, level)
         SELECT k, (m || '-01')::date, v, l FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS u(k, m, v, l)`,
        [
          rows.map((r) => r.kampung),
          rows.map((r) => r.month),
          rows.map((r) => r.village),
          rows.map((r) => r.level),
        ],
      );
      const expected = (region: string, month: string) => {
        const counts = { dasar: 0, berkembang: 0, mandiri: 0, berkelanjutan: 0 } as Record<string, number>;
        const latest = new Map<string, { month: string; level: string }>();
        for (const r of rows)
          if (
            r.village.startsWith(region) &&
            r.month <= month &&
            (latest.get(r.kampung)?.month ?? '') < r.month
          )
            latest.set(r.kampung, r);
        for (const { level } of latest.values()) counts[level]++;
        return counts;
      };
      for (const [region, from, to] of [
        ['19', '2023-01', '2025-12'],
        ['19', '2024-03', '2024-11'],
        ['19.02', '2022-06', '2026-02'],
      ]) {
        const h = await get(`/api/v1/levels/history?region=${region}&from=${from}&to=${to}`);
        expect(h.status).toBe(200);
        for (const m of h.body.months as { month: string; levels: Record<string, number> }[])
          expect({ month: m.month, levels: m.levels }).toEqual({
            month: m.month,
            levels: expected(region, m.month),
          });
      }
    });
  });

  describe('rule sets', () => {
    const v2 = { ...RULE_SET_V1, passMark: 3.5 };

    it('should let only national officers create drafts, and reject an invalid one field by field', async () => {
      const post = (payload: unknown, token = run.token()) =>
        c.svc.request({ method: 'POST', url: '/api/v1/rule-sets', payload, token });
      expect((await post({ name: 'x', definition: v2 }, run.token(Role.province, '16'))).statusCode).toBe(
        403,
      );
      const bad = await post({ name: 'gaps', definition: { ...v2, levelMapping: v2.levelMapping.slice(1) } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({
        errors: [{ field: 'definition.levelMapping', reason: 'no level for combination ---' }],
      });
      const ok = await post({ name: 'Stricter pass mark', definition: v2 });
      expect(ok.statusCode).toBe(201);
      expect(ok.json()).toMatchObject({ version: 2, status: 'draft', publishedAt: null });
    });

    it('should publish a version, re-evaluate every assessed kampung and publish events only for changed levels', async () => {
      const before = await c.ds.query(`SELECT count(*)::int AS n FROM "${c.schema}".outbox WHERE type = $1`, [
        CLASSIFIED,
      ]);
      const res = await c.svc.request({ method: 'POST', url: '/api/v1/rule-sets/2/publish' });
      expect(res.statusCode).toBe(202);
      const job = res.json() as { id: string; total: number };
      expect(job.total).toBe(4);
      const done = await eventually(() => get(`/api/v1/recompute-jobs/${job.id}`), {
        until: (r) => r.body.status === 'done',
        what: 'recomputation done',
        timeoutMs: 30000,
      });
      // k1 keeps Berkelanjutan (input 3.6 ≥ 3.5); the three others drop from Berkembang to Dasar.
      expect(done.body).toMatchObject({ processed: 4, changed: 3, ruleSetVersion: 2 });
      const states = await c.ds.query(
        `SELECT kampung_id, level, rule_set_version FROM "${c.schema}".kampung_state`,
      );
      expect(states.every((s: { rule_set_version: number }) => s.rule_set_version === 2)).toBe(true);
      expect(states.find((s: { kampung_id: string }) => s.kampung_id === k1).level).toBe('berkelanjutan');
      expect(states.find((s: { kampung_id: string }) => s.kampung_id === k3).level).toBe('dasar');
      const after = await c.ds.query(`SELECT count(*)::int AS n FROM "${c.schema}".outbox WHERE type = $1`, [
        CLASSIFIED,
      ]);
      expect(after[0].n - before[0].n).toBe(3);
      const k3Events = await events(k3);
      expect(k3Events.at(-1)!.data).toMatchObject({
        trigger: 'rule-set',
        ruleSetVersion: 2,
        previousLevel: 'berkembang',
        level: 'dasar',
      });
      expect(await events(k1)).toHaveLength(2);
      expect((await evaluations(k1)).at(-1)).toMatchObject({
        trigger: 'rule-set',
        changed: false,
        job_id: job.id,
      });
      const published = await c.ds.query(
        `SELECT payload FROM "${c.schema}".outbox WHERE type = 'kkb.classification.rule-set.published.v1'`,
      );
      expect(published[0].payload).toMatchObject({ province: '00', data: { version: 2, jobId: job.id } });
    });

    it('should keep a published rule set and every evaluation immutable', async () => {
      expect((await c.svc.request({ method: 'POST', url: '/api/v1/rule-sets/2/publish' })).statusCode).toBe(
        409,
      );
      expect((await c.svc.request({ method: 'POST', url: '/api/v1/rule-sets/9/publish' })).statusCode).toBe(
        404,
      );
      await expect(
        c.ds.query(`UPDATE "${c.schema}".rule_set SET definition = '{}' WHERE version = 1`),
      ).rejects.toThrow(/rule set 1 is published and cannot change/);
      await expect(c.ds.query(`DELETE FROM "${c.schema}".rule_set WHERE version = 2`)).rejects.toThrow(
        /published/,
      );
      await expect(c.ds.query(`UPDATE "${c.schema}".evaluation SET level = 'dasar'`)).rejects.toThrow(
        /never changed/,
      );
      const list = await get('/api/v1/rule-sets');
      expect(list.body.map((r: { version: number; status: string }) => [r.version, r.status])).toEqual([
        [2, 'published'],
        [1, 'published'],
      ]);
      const v1 = await get('/api/v1/rule-sets/1');
      expect(v1.body.definition).toEqual(JSON.parse(JSON.stringify(RULE_SET_V1)));
    });
  });
});
