import { Role, TestRun } from '@kkb/testing';
import { CoverageService } from '../src/coverage/coverage.service';
import { SouthSumatraSeed } from '../src/seed/south-sumatra.seed';
import { startRegistry, type Registry } from './registry.fixtures';

interface Coverage {
  code: string | null;
  level: string;
  villages: number;
  kampung: number;
  percent: number;
  gap: number;
  children?: Coverage[];
}

describe(CoverageService.name, () => {
  const run = new TestRun();
  let reg: Registry;

  beforeAll(async () => {
    reg = await startRegistry(run);
  });
  afterAll(async () => {
    await reg?.svc.close();
    await run.cleanup();
  });

  const coverage = async (query: string, token = run.token()) => {
    const res = await reg.svc.request({ method: 'GET', url: `/api/v1/coverage${query}`, token });
    return { status: res.statusCode, body: res.json() as Coverage };
  };

  it('should seed South Sumatra reproducibly at about 15% coverage with Seroja as the model kampung', async () => {
    const seed = reg.svc.app.get(SouthSumatraSeed);
    const first = await seed.run({ seed: 7 });
    expect(first.villages).toBe(3259);
    expect(first.registered).toBeGreaterThan(450);
    const again = await seed.run({ seed: 7 });
    expect(again).toMatchObject({ registered: 0, alreadyThere: first.registered });

    const c = await coverage('?region=16&breakdown=true');
    expect(c.body).toMatchObject({
      code: '16',
      level: 'province',
      villages: 3259,
      kampung: first.registered,
    });
    expect(c.body.percent).toBeGreaterThan(14);
    expect(c.body.percent).toBeLessThan(16);
    expect(c.body.gap).toBe(3259 - first.registered);
    expect(c.body.children).toHaveLength(17);
    expect(c.body.children!.every((r) => r.kampung > 0)).toBe(true);
    expect(c.body.children!.reduce((a, r) => a + r.villages, 0)).toBe(3259);

    const [seroja] = await reg.ds.query(
      `SELECT name, model_province FROM "${reg.schema}".kampung WHERE village_code = '16.10.05.2041'`,
    );
    expect(seroja).toEqual({ name: 'Kampung KB Seroja', model_province: true });
    const models = await reg.ds.query(
      `SELECT count(*)::int AS n FROM "${reg.schema}".kampung WHERE model_regency AND active`,
    );
    expect(models[0].n).toBe(17);
  });

  it('should give the same numbers at every level, nationally and per village', async () => {
    const nation = await coverage('?breakdown=true');
    expect(nation.body.level).toBe('nation');
    expect(nation.body.children!.map((c) => c.code)).toEqual(['16', '18']);
    const lampung = nation.body.children!.find((c) => c.code === '18')!;
    expect(lampung.kampung).toBe(0);
    expect(lampung.percent).toBe(0);
    expect(nation.body.kampung).toBe(nation.body.children!.reduce((a, c) => a + c.kampung, 0));
    const district = await coverage('?region=161005&breakdown=true');
    expect(district.body.level).toBe('district');
    expect(district.body.kampung).toBe(district.body.children!.reduce((a, c) => a + c.kampung, 0));
    expect(district.body.children!.find((c) => c.code === '16.10.05.2041')).toMatchObject({
      level: 'village',
      kampung: 1,
      villages: 1,
      percent: 100,
    });
    const village = await coverage('?region=16.10.05.2041');
    expect(village.body).toMatchObject({ villages: 1, kampung: 1, percent: 100, gap: 0 });
  });

  it('should keep the counters equal to a recount through registrations, deactivations and merges', async () => {
    const recount = async () =>
      reg.ds.query(
        `SELECT r.code, (SELECT count(*) FROM "${reg.schema}".kampung k WHERE k.active AND k.village_code LIKE r.code || '.%')::int AS kampung
           FROM "${reg.schema}".region r WHERE r.level < 4 ORDER BY r.code`,
      );
    const counters = async () =>
      reg.ds.query(`SELECT code, kampung FROM "${reg.schema}".coverage_count ORDER BY code`);
    const token = run.token();
    const post = (url: string, payload: unknown) => reg.svc.request({ method: 'POST', url, payload, token });
    const [v1, v2]: { code: string }[] = await reg.ds.query(
      `SELECT code FROM "${reg.schema}".region WHERE level = 4 AND code LIKE '18.%' ORDER BY code LIMIT 2`,
    );
    const before = (await coverage('?region=18')).body.kampung;
    const ra = await post('/api/v1/kampung', {
      villageCode: v1.code,
      name: 'Kampung KB A',
      launchDate: '2020-01-01',
    });
    const rb = await post('/api/v1/kampung', {
      villageCode: v2.code,
      name: 'Kampung KB B',
      launchDate: '2020-01-01',
    });
    expect([ra.statusCode, rb.statusCode]).toEqual([201, 201]);
    const a = ra.json() as { id: string };
    const b = rb.json() as { id: string };
    expect((await coverage('?region=18')).body.kampung).toBe(before + 2);
    await post(`/api/v1/kampung/${a.id}/deactivate`, { reason: 'test' });
    await post(`/api/v1/kampung/${a.id}/reactivate`, { reason: 'test' });
    await post(`/api/v1/kampung/${b.id}/merge`, { survivorId: a.id, reason: 'duplicate' });
    expect(await counters()).toEqual(await recount());
    expect((await coverage('?region=18')).body.kampung).toBe(before + 1);
    const district = (await coverage(`?region=${v1.code.slice(0, 8)}&breakdown=true`)).body;
    expect(district.children!.find((c) => c.code === v1.code)).toMatchObject({ kampung: 1 });
  });

  it('should register concurrently across regencies and districts of one province without a deadlock', async () => {
    // Each registration updates its province, regency and district counters: taken in different
    // orders by concurrent transactions, those row locks deadlocked (a 500 for the caller).
    const villages: { code: string }[] = await reg.ds.query(
      `SELECT DISTINCT ON (substr(code, 1, 8)) code FROM "${reg.schema}".region
        WHERE level = 4 AND code LIKE '16.%' AND active
          AND NOT EXISTS (SELECT 1 FROM "${reg.schema}".kampung k WHERE k.village_code = region.code AND k.active)
        ORDER BY substr(code, 1, 8), code LIMIT 48`,
    );
    expect(new Set(villages.map((v) => v.code.slice(0, 5))).size).toBeGreaterThan(2);
    const before = (await coverage('?region=16')).body.kampung;
    const token = run.token();
    const results = await Promise.all(
      villages.map((v, i) =>
        reg.svc.request({
          method: 'POST',
          url: '/api/v1/kampung',
          payload: { villageCode: v.code, name: `Kampung KB Serentak ${i}`, launchDate: '2021-03-01' },
          token,
        }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(villages.map(() => 201));
    expect((await coverage('?region=16')).body.kampung).toBe(before + villages.length);
  });

  it('should scope coverage to the officer region', async () => {
    const mine = await coverage('', run.token(Role.regency, '1610'));
    expect(mine.body).toMatchObject({ code: '16.10', level: 'regency' });
    expect((await coverage('?region=16', run.token(Role.regency, '1610'))).status).toBe(403);
    expect((await coverage('?region=16.1', run.token())).status).toBe(400);
    expect((await coverage('?region=16.99', run.token())).status).toBe(404);
  });
});
