import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import {
  eventually,
  Role,
  startServiceProcess,
  TEST_JWT_SECRET,
  TestRun,
  type ServiceProcess,
} from '@kkb/testing';
import type {
  ClassificationView,
  KampungView,
  LevelCounts,
  Reply,
  Service,
  SubmissionView,
} from './story/api';
import { insertRegions } from './story/regions';

const ROOT = path.resolve(__dirname, '..', '..');
const SEROJA = '16.10.05.2041';

/** Villages besides the story's: most of Pemulutan (Ogan Ilir) with Sembadak, and more of Palembang. */
const EXTRA_VILLAGES = [
  ...Array.from({ length: 27 }, (_, i) => `16.10.05.${2018 + i}`),
  ...Array.from({ length: 9 }, (_, i) => `16.71.01.${1004 + i}`),
];

/**
 * tools/seed-demo.mjs, as `npm start -- --seed` runs it after the registry seed, against the four
 * services as processes: it fills province 16 with profiles and reports (verified, waiting,
 * rejected) through the APIs, Seroja verified through and through, and a second run stores
 * nothing at all: every table of every service has the same rows after it.
 */
describe('the demo data (tools/seed-demo.mjs)', () => {
  const run = new TestRun();
  const procs = {} as Record<Service, ServiceProcess>;
  const p16 = run.token(Role.province, '16');
  const ids: Record<string, string> = {};

  const call = async <T>(
    service: Service,
    method: string,
    url: string,
    body?: unknown,
  ): Promise<Reply<T>> => {
    const res = await fetch(`${procs[service].url}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${p16}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  const seedDemo = async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        path.join(ROOT, 'tools', 'seed-demo.mjs'),
        ...(['registry', 'survey', 'classification', 'notifications'] as Service[]).flatMap((s) => [
          `--${s}`,
          procs[s].url,
        ]),
      ],
      { cwd: ROOT, env: { ...process.env, JWT_SECRET: TEST_JWT_SECRET }, timeout: 240_000 },
    );
    return stdout;
  };

  /** Rows of every table of the run's schemas: what a second run must leave as it is. */
  const census = async (): Promise<Record<string, number>> => {
    const db = new Client({ connectionString: run.databaseUrl });
    await db.connect();
    try {
      const out: Record<string, number> = {};
      for (const service of ['registry', 'survey', 'classification', 'notifications']) {
        const schema = run.schema(service);
        const { rows } = await db.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
          [schema],
        );
        for (const { table_name } of rows) {
          const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM "${schema}"."${table_name}"`)).rows;
          out[`${service}.${table_name}`] = n;
        }
      }
      return out;
    } finally {
      await db.end();
    }
  };

  beforeAll(async () => {
    const env: Record<Service, Record<string, string>> = {
      registry: { REGIONS_AUTO_IMPORT: 'false' },
      survey: { SURVEY_OVERDUE_CHECK_MS: '0' },
      classification: {},
      notifications: {},
    };
    const started = await Promise.allSettled(
      (Object.keys(env) as Service[]).map(async (name) => {
        procs[name] = await startServiceProcess(run, name, { env: env[name] });
      }),
    );
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;

    // The story's regions, and more villages so that a verifier's queue and rejections show.
    const schema = run.schema('registry');
    await insertRegions(run.databaseUrl, schema);
    const db = new Client({ connectionString: run.databaseUrl });
    await db.connect();
    try {
      for (const code of EXTRA_VILLAGES) {
        const name = code === SEROJA ? 'Sembadak' : `Desa ${code.slice(-4)}`;
        await db.query(
          `INSERT INTO "${schema}".region (code, compact_code, name, search_name, level, kind, parent_code, source)
           VALUES ($1, $2, $3, lower($3), 4, $4, $5, 'e2e-seed-demo') ON CONFLICT (code) DO NOTHING`,
          [
            code,
            code.replace(/\./g, ''),
            name,
            code.startsWith('16.71') ? 'kelurahan' : 'desa',
            code.slice(0, 8),
          ],
        );
      }
      await db.query(`SELECT "${schema}".coverage_count_recount()`);
    } finally {
      await db.end();
    }
    const villages = (
      await call<{ items: { code: string }[] }>(
        'registry',
        'GET',
        '/api/v1/regions/16.10.05/children?limit=100',
      )
    ).body.items
      .concat(
        (
          await call<{ items: { code: string }[] }>(
            'registry',
            'GET',
            '/api/v1/regions/16.71.01/children?limit=100',
          )
        ).body.items,
      )
      .map((r) => r.code);
    expect(villages).toContain(SEROJA);
    for (const villageCode of villages) {
      const res = await call<KampungView>('registry', 'POST', '/api/v1/kampung', {
        villageCode,
        name: villageCode === SEROJA ? 'Kampung KB Seroja' : `Kampung KB ${villageCode}`,
        launchDate: '2019-07-01',
      });
      expect(res.status).toBe(201);
      ids[villageCode] = res.body.id;
    }
    // A kampung of another province: the demo is province 16's and must not touch it.
    const other = await fetch(`${procs.registry.url}/api/v1/kampung`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${run.token(Role.province, '32')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        villageCode: '32.73.01.1001',
        name: 'Kampung KB Bandung',
        launchDate: '2019-07-01',
      }),
    });
    expect(other.status).toBe(201);
    ids['32.73.01.1001'] = ((await other.json()) as KampungView).id;
  }, 180_000);

  afterAll(async () => {
    for (const p of Object.values(procs)) await p.kill('SIGTERM');
    await run.cleanup();
  });

  let first = '';
  let afterFirst: Record<string, number> = {};

  it('should load profiles and reports, verified, waiting and rejected, and wait for their levels', async () => {
    first = await seedDemo();
    const summary =
      /demo data: (\d+) of (\d+) kampung, (\d+) submissions \((\d+) new\): (\d+) verified, (\d+) waiting for a verifier, (\d+) rejected; levels of 16: dasar (\d+), berkembang (\d+), mandiri (\d+), berkelanjutan (\d+), not assessed (\d+)/.exec(
        first,
      );
    expect(summary).not.toBeNull();
    const [, withData, kampung, submissions, created, verified, waiting, rejected] = summary!.map(Number);
    expect(kampung).toBe(Object.keys(ids).length - 1);
    expect(withData).toBeGreaterThan(kampung * 0.8);
    expect(created).toBe(submissions);
    expect(verified + waiting + rejected).toBe(submissions);
    expect(waiting).toBeGreaterThan(5);
    expect(rejected).toBeGreaterThan(0);
    expect(first).not.toMatch(/problems/);

    const levels = await call<LevelCounts>('classification', 'GET', '/api/v1/levels?region=16');
    const profiles = await call<SubmissionView[]>(
      'survey',
      'GET',
      '/api/v1/submissions?kind=profile&status=verified&limit=500',
    );
    expect(levels.body.assessed).toBe(profiles.body.length);
    afterFirst = await census();
  }, 300_000);

  it('should leave Seroja verified through and through: a full profile, six reports, a level to explain', async () => {
    const id = ids[SEROJA];
    const subs = await call<(SubmissionView & { answers: Record<string, unknown> })[]>(
      'survey',
      'GET',
      `/api/v1/submissions?kampungId=${id}&limit=50`,
    );
    expect(subs.body.filter((s) => s.kind === 'monthly-report')).toHaveLength(6);
    expect(subs.body).toHaveLength(7);
    expect(subs.body.every((s) => s.status === 'verified')).toBe(true);
    const profile = subs.body.find((s) => s.kind === 'profile');
    expect(Object.keys(profile?.answers ?? {}).filter((k) => k.startsWith('population_'))).toHaveLength(32);
    const latest = subs.body
      .filter((s) => s.kind === 'monthly-report')
      .sort((a, b) =>
        a.period.year * 12 + a.period.month < b.period.year * 12 + b.period.month ? 1 : -1,
      )[0];
    const explained = await eventually(async () => {
      const res = await call<ClassificationView>(
        'classification',
        'GET',
        `/api/v1/kampung/${id}/classification`,
      );
      expect(res.body.level).toBe('mandiri');
      return res.body;
    });
    // Input and output pass, process is one step short: the explanation has a way up.
    expect(explained.report?.submissionId).toBe(latest.id);
    expect(explained.profile?.submissionId).toBe(profile?.id);
    expect(explained.indices?.input.passes).toBe(true);
    expect(explained.indices?.process.passes).toBe(false);
    expect(explained.indices?.output.passes).toBe(true);
  });

  it("should leave other provinces' kampung alone", async () => {
    const res = await fetch(`${procs.survey.url}/api/v1/submissions?kampungId=${ids['32.73.01.1001']}`, {
      headers: { authorization: `Bearer ${run.token()}` },
    });
    expect(await res.json()).toEqual([]);
  });

  it('should store nothing twice when run again', async () => {
    const again = await seedDemo();
    expect(again).toMatch(/\(0 new\)/);
    expect(again).not.toMatch(/problems/);
    expect(await census()).toEqual(afterFirst);
  }, 300_000);
});
