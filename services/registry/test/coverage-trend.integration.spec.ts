import { Role, TestRun } from '@kkb/testing';
import { CoverageService } from '../src/coverage/coverage.service';
import { startRegistry, type Registry } from './registry.fixtures';

interface Trend {
  region: string | null;
  months: { month: string; kampung: number }[];
}

const monthIndex = (month: string) => {
  const [y, m] = month.split('-').map(Number);
  return y * 12 + (m - 1);
};

/** Every month from `from` to `to` (YYYY-MM), both included. */
function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let i = monthIndex(from); i <= monthIndex(to); i++) {
    out.push(`${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}

describe(`${CoverageService.name} trend`, () => {
  const run = new TestRun();
  let reg: Registry;

  beforeAll(async () => {
    reg = await startRegistry(run);
    const villages: { code: string }[] = await reg.ds.query(
      `(SELECT code FROM "${run.schema('registry')}".region WHERE level = 4 AND active AND code LIKE '16.10.%' ORDER BY code LIMIT 3)
       UNION ALL
       (SELECT code FROM "${run.schema('registry')}".region WHERE level = 4 AND active AND code LIKE '18.%' ORDER BY code LIMIT 1)`,
    );
    const [a, b, c, lampung] = villages.map((v) => v.code);
    const register = async (villageCode: string, launchDate: string) => {
      const res = await reg.svc.request({
        method: 'POST',
        url: '/api/v1/kampung',
        payload: { villageCode, name: `Kampung KB ${villageCode}`, launchDate },
      });
      expect(res.statusCode).toBe(201);
      return res.json() as { id: string };
    };
    await register(a, '2019-01-15');
    await register(b, '2019-03-01');
    const gone = await register(c, '2019-03-31');
    await register(lampung, '2020-02-10');
    // Inactive kampung are not counted, as in the coverage itself.
    const off = await reg.svc.request({
      method: 'POST',
      url: `/api/v1/kampung/${gone.id}/deactivate`,
      payload: { reason: 'duplicate' },
    });
    expect(off.statusCode).toBe(200);
  });
  afterAll(async () => {
    await reg?.svc.close();
    await run.cleanup();
  });

  const trend = async (query: string, token = run.token()) => {
    const res = await reg.svc.request({ method: 'GET', url: `/api/v1/coverage/trend${query}`, token });
    return { status: res.statusCode, body: res.json() as Trend };
  };

  it('should count active Kampung KB cumulatively by launch month, every month up to now', async () => {
    const nation = await trend('');
    expect(nation.status).toBe(200);
    expect(nation.body.region).toBeNull();
    // Up to the current month (the database's; a day either side of a month's end may differ from ours).
    const last = nation.body.months.at(-1)!.month;
    const now = new Date();
    expect(Math.abs(monthIndex(last) - (now.getUTCFullYear() * 12 + now.getUTCMonth()))).toBeLessThanOrEqual(
      1,
    );
    expect(nation.body.months.map((m) => m.month)).toEqual(monthsBetween('2019-01', last));
    const at = (t: Trend, month: string) => t.months.find((m) => m.month === month)?.kampung;
    expect(at(nation.body, '2019-01')).toBe(1);
    expect(at(nation.body, '2019-02')).toBe(1);
    expect(at(nation.body, '2019-03')).toBe(2); // the deactivated one launched this month too
    expect(at(nation.body, '2020-01')).toBe(2);
    expect(at(nation.body, '2020-02')).toBe(3);
    expect(nation.body.months.at(-1)!.kampung).toBe(3);

    const sumsel = await trend('?region=16');
    expect(sumsel.body.region).toBe('16');
    expect(sumsel.body.months.at(-1)!.kampung).toBe(2);
    expect(at(sumsel.body, '2020-02')).toBe(2);
    const lampung = await trend('?region=18');
    expect(lampung.body.months[0]).toEqual({ month: '2020-02', kampung: 1 });
  });

  it('should end at the coverage count of the same region', async () => {
    for (const region of ['', '?region=16', '?region=16.10', '?region=18']) {
      const coverage = await reg.svc.request({ method: 'GET', url: `/api/v1/coverage${region}` });
      const t = await trend(region);
      expect(t.body.months.at(-1)?.kampung ?? 0).toBe((coverage.json() as { kampung: number }).kampung);
    }
  });

  it('should keep to the caller scope: its own region by default, 403 outside it', async () => {
    const regency = run.token(Role.regency, '1610');
    const own = await trend('', regency);
    expect(own.status).toBe(200);
    expect(own.body.region).toBe('16.10');
    expect(own.body.months.at(-1)!.kampung).toBe(2);
    expect((await trend('?region=18', regency)).status).toBe(403);
    expect((await trend('?region=16', regency)).status).toBe(403);
    expect((await trend('?region=99.99')).status).toBe(404);
    expect((await trend('?region=abc')).status).toBe(400);
  });

  it('should answer an empty series for a region without kampung', async () => {
    const empty = await trend('?region=16.01');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ region: '16.01', months: [] });
  });
});
