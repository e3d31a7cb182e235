import { randomUUID } from 'node:crypto';
import { eventually, TestRun } from '@kkb/testing';
import { profileAnswers, reportAnswers } from '../src/evaluation/evaluation.fixtures';
import { LevelsRepository } from '../src/levels/levels.repository';
import { RULE_SET_V1 } from '../src/rule-set/rule-set-v1';
import { startClassification, type Classification } from './classification.fixtures';

type Row = Record<string, unknown>;

/**
 * The per-regency counters (level_count, level_month_count) against a recount from the base
 * tables, and the levels endpoints' counter reads against the base-table queries they replace,
 * after evaluations, re-evaluations that change level, a recomputation, deactivation, a merge,
 * a move to another regency, and month rows written straight in SQL.
 */
describe('level counters', () => {
  const run = new TestRun();
  let c: Classification;
  const repo = new LevelsRepository();
  const villages = [
    '16.10.05.2041',
    '16.10.05.2042',
    '16.10.06.2001',
    '16.71.01.1001',
    '16.71.01.1002',
    '18.01.01.2001',
    '18.01.02.2002',
    '18.02.01.2003',
  ];
  const ids = villages.map(() => randomUUID());
  const funding = [
    ['apbd'],
    ['apbd', 'dana_desa', 'swadaya'],
    ['apbn', 'apbd', 'dana_desa', 'csr', 'swadaya'],
  ];

  const evaluationCount = async () =>
    (await c.ds.query(`SELECT count(*)::int AS n FROM "${c.schema}".evaluation`))[0].n as number;
  const expectCountersToMatchBase = async () => {
    const s = `"${c.schema}"`;
    const q = (sql: string) => c.ds.query(sql) as Promise<Row[]>;
    expect(
      await q(
        `SELECT * FROM (SELECT regency, sum(kampung)::int AS kampung, sum(dasar)::int AS dasar, sum(berkembang)::int AS berkembang,
                  sum(mandiri)::int AS mandiri, sum(berkelanjutan)::int AS berkelanjutan FROM ${s}.level_count GROUP BY regency) c
          WHERE (kampung, dasar, berkembang, mandiri, berkelanjutan) <> (0, 0, 0, 0, 0) ORDER BY regency`,
      ),
    ).toEqual(await q(`SELECT * FROM ${s}.level_count_of_base() ORDER BY regency`));
    expect(
      await q(
        `SELECT * FROM (SELECT regency, month, sum(dasar)::int AS dasar, sum(berkembang)::int AS berkembang, sum(mandiri)::int AS mandiri,
                  sum(berkelanjutan)::int AS berkelanjutan FROM ${s}.level_month_count GROUP BY regency, month) c
          WHERE (dasar, berkembang, mandiri, berkelanjutan) <> (0, 0, 0, 0) ORDER BY regency, month`,
      ),
    ).toEqual(await q(`SELECT * FROM ${s}.level_month_count_of_base() ORDER BY regency, month`));
    // What the endpoints read: the counters' answers equal the base tables' (order aside).
    const m = c.ds.manager;
    const sorted = <T extends object>(rows: T[]) =>
      rows.map((r) => JSON.stringify(r)).sort((a, b) => a.localeCompare(b));
    for (const [prefix, pattern, childLength] of [
      ['', '%', 0],
      ['', '%', 2],
      ['16', '16.%', 5],
      ['16.10', '16.10.%', 0],
      ['18.01', '18.01.%', 5],
    ] as const)
      expect(sorted(await repo.countedByChild(m, prefix, childLength))).toEqual(
        sorted(await repo.countsByChild(m, pattern, childLength)),
      );
    // Month by month, the distribution of the nation (a kampung's runs end at its next change
    // wherever it is) and of regions no kampung left.
    const fold = (rows: { month: string; level: string; n: number }[], months: string[]) => {
      const levels: Record<string, number> = { dasar: 0, berkembang: 0, mandiri: 0, berkelanjutan: 0 };
      return months.map((month) => {
        for (const r of rows) if (r.month === month) levels[r.level] = r.n;
        return { month, ...levels };
      });
    };
    const [{ now }] = await q(
      `SELECT to_char(date_trunc('month', now() AT TIME ZONE 'Asia/Jakarta'), 'YYYY-MM') AS now`,
    );
    const months = [
      ...['2022-11', '2022-12'],
      ...Array.from({ length: 12 }, (_, i) => `2023-${String(i + 1).padStart(2, '0')}`),
      now as string,
    ];
    for (const [prefix, pattern] of [
      ['', '%'],
      ['18', '18.%'],
      ['18.01', '18.01.%'],
    ] as const)
      expect(fold(await repo.countedMonthlyChanges(m, prefix, '2022-11', now as string), months)).toEqual(
        fold(await repo.monthlyChanges(m, pattern, '2022-11', now as string), months),
      );
  };

  beforeAll(async () => {
    // Batches of 2: the recomputation runs two batches at a time (RecomputeService.follow).
    c = await startClassification(run, { RECOMPUTE_BATCH_SIZE: '2' });
    for (const [i, v] of villages.entries()) await c.register(v, ids[i]);
    await eventually(
      async () => (await c.ds.query(`SELECT count(*)::int AS n FROM "${c.schema}".kampung_projection`))[0].n,
      { until: (n) => n === villages.length, what: 'kampung projected' },
    );
  });

  afterAll(async () => {
    await c?.svc.close();
    await run.cleanup();
  });

  it('should keep the counters equal to a recount from the base tables', async () => {
    await expectCountersToMatchBase();

    // Month rows of earlier years written straight in SQL, one of them corrected, one removed.
    const s = `"${c.schema}"`;
    await c.ds.query(
      `INSERT INTO ${s}.kampung_level_month (kampung_id, month, village_code, level)
       VALUES ($1, '2022-11-01', $2, 'dasar'), ($1, '2023-02-01', $2, 'mandiri'), ($1, '2023-06-01', $2, 'berkembang'),
              ($3, '2023-01-01', $4, 'berkembang'), ($3, '2023-04-01', $4, 'dasar')`,
      [ids[5], villages[5], ids[6], villages[6]],
    );
    await c.ds.query(
      `UPDATE ${s}.kampung_level_month SET level = 'berkelanjutan' WHERE kampung_id = $1 AND month = '2023-02-01'`,
      [ids[5]],
    );
    await c.ds.query(`DELETE FROM ${s}.kampung_level_month WHERE kampung_id = $1 AND month = '2023-04-01'`, [
      ids[6],
    ]);
    await expectCountersToMatchBase();

    // Profiles for all but one kampung (different levels), then reports that change some levels.
    for (const [i, v] of villages.entries()) {
      if (i === 4) continue; // never assessed
      await c.publish(
        c.verified(
          ids[i],
          v,
          'profile',
          { year: 2025, month: 1 },
          profileAnswers({ funding_sources: funding[i % 3] }),
        ),
      );
    }
    await eventually(evaluationCount, { until: (n) => n === 7, what: 'first evaluations' });
    for (const [i, v] of villages.entries()) {
      if (i === 4 || i === 3) continue;
      await c.publish(
        c.verified(
          ids[i],
          v,
          'monthly-report',
          { year: 2025, month: 2 },
          reportAnswers({ cpr: 30 + i * 8, mkjp: 10 + i * 5, participation: 10 + i * 6 }),
        ),
      );
    }
    await eventually(evaluationCount, { until: (n) => n === 13, what: 're-evaluations' });
    await expectCountersToMatchBase();

    // A national recomputation with a stricter pass mark.
    const draft = await c.svc.request({
      method: 'POST',
      url: '/api/v1/rule-sets',
      payload: { name: 'stricter', definition: { ...RULE_SET_V1, passMark: 3.5 } },
    });
    expect(draft.statusCode).toBe(201);
    const { version } = draft.json() as { version: number };
    const job = (
      await c.svc.request({ method: 'POST', url: `/api/v1/rule-sets/${version}/publish` })
    ).json() as { id: string };
    const done = await eventually(
      async () =>
        (await c.svc.request({ method: 'GET', url: `/api/v1/recompute-jobs/${job.id}` })).json() as {
          status: string;
          changed: number;
          processed: number;
        },
      { until: (j) => j.status === 'done', what: 'recomputation done', timeoutMs: 30000 },
    );
    expect(done.changed).toBeGreaterThan(0);
    expect(done.processed).toBe(7);
    // Every assessed kampung re-evaluated exactly once by the job, whichever transaction did it.
    expect(
      await c.ds.query(
        `SELECT st.rule_set_version AS v, count(e.id)::int AS n FROM ${s}.kampung_state st
           LEFT JOIN ${s}.evaluation e ON e.kampung_id = st.kampung_id AND e.job_id = $1
          GROUP BY st.kampung_id, st.rule_set_version`,
        [job.id],
      ),
    ).toEqual(Array.from({ length: 7 }, () => ({ v: version, n: 1 })));
    await expectCountersToMatchBase();

    // Deactivated, merged into another, moved to another regency (then re-evaluated there).
    await c.register(villages[1], ids[1], { active: false, version: 2 });
    await c.register(villages[6], ids[6], { active: false, mergedInto: ids[5], version: 2 });
    await c.register('16.71.02.1003', ids[2], { version: 2 });
    await eventually(
      async () =>
        (
          await c.ds.query(
            `SELECT count(*)::int AS n FROM ${s}.kampung_projection WHERE version = 2 AND kampung_id = ANY($1::uuid[])`,
            [[ids[1], ids[6], ids[2]]],
          )
        )[0].n,
      { until: (n) => n === 3, what: 'registry changes projected' },
    );
    const before = await evaluationCount();
    await c.publish(
      c.verified(
        ids[2],
        '16.71.02.1003',
        'monthly-report',
        { year: 2025, month: 3 },
        reportAnswers({ cpr: 80, mkjp: 40, participation: 60 }),
      ),
    );
    await eventually(evaluationCount, { until: (n) => n === before + 1, what: 'evaluation after the move' });
    await expectCountersToMatchBase();

    const nation = await c.svc.request({ method: 'GET', url: '/api/v1/levels' });
    expect(nation.json()).toMatchObject({ kampung: villages.length - 2, notAssessed: 1 });
  });
});
