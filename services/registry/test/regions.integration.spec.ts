import { Role, TestRun } from '@kkb/testing';
import { RegionImportService } from '../src/region/region-import.service';
import { IdnAreaDataSource } from '../src/region/region-source';
import { ListSource, startRegistry, type Registry } from './registry.fixtures';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface RegionView {
  code: string;
  compactCode: string;
  name: string;
  level: string;
  kind: string;
  parentCode: string | null;
  active: boolean;
}

describe(RegionImportService.name, () => {
  const run = new TestRun();
  let reg: Registry;

  beforeAll(async () => {
    reg = await startRegistry(run, null);
  });
  afterAll(async () => {
    await reg?.svc.close();
    await run.cleanup();
  });

  const get = async <T>(url: string, token?: string) => {
    const res = await reg.svc.request({ method: 'GET', url, token });
    return { status: res.statusCode, body: res.json() as T };
  };

  it('should import every level of the whole country with kinds and parents, and publish one national event', async () => {
    const result = await reg.importer.import(new IdnAreaDataSource());
    expect(result.active).toEqual({ provinces: 38, regencies: 514, districts: 7285, villages: 83762 });
    expect(result).toMatchObject({ inserted: 38 + 514 + 7285 + 83762, updated: 0, deactivated: 0 });
    expect(result.source).toMatch(/^idn-area-data@4\./);
    const kinds = await reg.ds.query(
      `SELECT kind, count(*)::int AS n FROM "${reg.schema}".region GROUP BY kind ORDER BY kind`,
    );
    const byKind = Object.fromEntries(kinds.map((k: { kind: string; n: number }) => [k.kind, k.n]));
    expect(byKind.provinsi).toBe(38);
    expect(byKind.kabupaten + byKind.kota).toBe(514);
    expect(byKind.kelurahan + byKind.desa + (byKind.desa_adat ?? 0)).toBe(83762);
    const [sumsel] = await reg.ds.query(
      `SELECT count(*) FILTER (WHERE kind = 'kelurahan')::int AS kelurahan, count(*) FILTER (WHERE kind = 'desa')::int AS desa
         FROM "${reg.schema}".region WHERE level = 4 AND code LIKE '16.%'`,
    );
    expect(sumsel).toEqual({ kelurahan: 403, desa: 2856 });
    const [orphans] = await reg.ds.query(
      `SELECT count(*)::int AS n FROM "${reg.schema}".region c LEFT JOIN "${reg.schema}".region p ON p.code = c.parent_code
        WHERE c.level > 1 AND (p.code IS NULL OR p.level <> c.level - 1)`,
    );
    expect(orphans.n).toBe(0);
    const events = await reg.ds.query(
      `SELECT subject, payload FROM "${reg.schema}".outbox WHERE type = 'kkb.registry.regions.imported.v1'`,
    );
    expect(events).toHaveLength(1);
    expect(events[0].subject).toBe(`${run.subjectRoot}.registry.regions.imported.v1.00`);
    expect(events[0].payload.data.inserted).toBe(91599);
  });

  it('should change nothing when the same source is imported again', async () => {
    const again = await reg.importer.import(new IdnAreaDataSource());
    expect(again).toMatchObject({ inserted: 0, updated: 0, deactivated: 0 });
  });

  it('should insert new codes, rename changed ones and deactivate vanished ones from a newer source', async () => {
    const rows: { code: string; name: string }[] = await reg.ds.query(
      `SELECT code, name FROM "${reg.schema}".region WHERE active ORDER BY code`,
    );
    const next = rows
      .filter((r) => r.code !== '16.10.05.2040')
      .map((r) => (r.code === '16.10.05.2041' ? { code: r.code, name: 'Sembadak Baru' } : r))
      .concat([{ code: '16.10.05.2999', name: 'Desa Pemekaran' }]);
    const result = await reg.importer.import(new ListSource('idn-area-data@9.9.9', next));
    expect(result).toMatchObject({ inserted: 1, updated: 1, deactivated: 1 });
    expect(result.active.villages).toBe(83762);
    const vanished = await get<RegionView>('/api/v1/regions/16.10.05.2040');
    expect(vanished.body).toMatchObject({ active: false, name: expect.any(String) });
    expect((await get<RegionView>('/api/v1/regions/1610052041')).body.name).toBe('Sembadak Baru');
    expect((await get<RegionView>('/api/v1/regions/16.10.05.2999')).body).toMatchObject({
      kind: 'desa',
      parentCode: '16.10.05',
    });

    // Back to the package: the vanished code comes back, the new one goes.
    const back = await reg.importer.import(new IdnAreaDataSource());
    expect(back).toMatchObject({ inserted: 0, updated: 2, deactivated: 1 });
  });

  it('should refuse a source whose code has no parent, and leave the table as it was', async () => {
    await expect(
      reg.importer.import(new ListSource('broken', [{ code: '99.01.01.2001', name: 'Orphan' }])),
    ).rejects.toThrow(/no parent 99.01.01/);
    const [n] = await reg.ds.query(`SELECT count(*)::int AS n FROM "${reg.schema}".region WHERE active`);
    expect(n.n).toBe(91599);
  });

  it('should get a region by dotted or compact code, with kind and parent', async () => {
    const dotted = await get<RegionView>('/api/v1/regions/16.10.05.2041');
    expect(dotted.status).toBe(200);
    expect(dotted.body).toEqual({
      code: '16.10.05.2041',
      compactCode: '1610052041',
      name: expect.stringMatching(/sembadak/i),
      level: 'village',
      kind: 'desa',
      parentCode: '16.10.05',
      active: true,
    });
    expect((await get<RegionView>('/api/v1/regions/1610')).body).toMatchObject({
      code: '16.10',
      level: 'regency',
      kind: 'kabupaten',
    });
    expect((await get<RegionView>('/api/v1/regions/16.71')).body).toMatchObject({ kind: 'kota' });
    expect((await get('/api/v1/regions/16.99')).status).toBe(404);
    const bad = await get<{ errors: { field: string }[] }>('/api/v1/regions/16.1x');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('code');
  });

  it('should list children page by page with a cursor, and ancestors from the province down', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/regions/16/children?limit=5${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { body: Page<RegionView> } = await get<Page<RegionView>>(url);
      seen.push(...page.body.items.map((r) => r.code));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toHaveLength(17);
    expect(new Set(seen).size).toBe(17);
    expect(seen).toEqual([...seen].sort());
    expect(pages).toBe(4);
    const anc = await get<Page<RegionView>>('/api/v1/regions/1610052041/ancestors');
    expect(anc.body.items.map((r) => r.code)).toEqual(['16', '16.10', '16.10.05']);
    expect((await get('/api/v1/regions/16/children?cursor=garbage')).status).toBe(400);
  });

  it('should search names case- and accent-insensitively, by prefix or infix, within a code and level', async () => {
    const infix = await get<Page<RegionView>>('/api/v1/regions?q=MBADA&level=village');
    expect(infix.body.items.map((r) => r.code)).toContain('16.10.05.2041');
    const accents = await get<Page<RegionView>>('/api/v1/regions?q=S%C3%A9mbadak&within=16.10');
    expect(accents.body.items.map((r) => r.code)).toContain('16.10.05.2041');
    const prefix = await get<Page<RegionView>>('/api/v1/regions?q=mbadak&match=prefix&within=16');
    expect(prefix.body.items.map((r) => r.code)).not.toContain('16.10.05.2041');
    const kota = await get<Page<RegionView>>('/api/v1/regions?q=palembang&level=regency');
    expect(kota.body.items).toEqual([expect.objectContaining({ code: '16.71', kind: 'kota' })]);
    const within = await get<Page<RegionView>>('/api/v1/regions?q=a&within=16.10.05&level=village&limit=500');
    expect(within.body.items.length).toBeGreaterThan(0);
    expect(within.body.items.every((r) => r.code.startsWith('16.10.05.'))).toBe(true);

    // Paging through a search gives every match once.
    const all: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const url: string = `/api/v1/regions?q=sungai&within=16&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { body: Page<RegionView> } = await get<Page<RegionView>>(url);
      all.push(...page.body.items.map((r) => r.code));
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    const [{ n }] = await reg.ds.query(
      `SELECT count(*)::int AS n FROM "${reg.schema}".region WHERE active AND code LIKE '16.%' AND search_name LIKE '%sungai%'`,
    );
    expect(n).toBeGreaterThan(7);
    expect(all).toHaveLength(n);
    expect(new Set(all).size).toBe(n);
  });

  it('should refuse a re-import with a body, one of the source already imported, and one while another runs', async () => {
    const post = async (url: string, payload?: unknown) => {
      const res = await reg.svc.request({ method: 'POST', url, payload });
      return { status: res.statusCode, body: res.json() as { errors?: { field: string; reason: string }[] } };
    };
    const importedEvents = async () =>
      (
        await reg.ds.query(
          `SELECT count(*)::int AS n FROM "${reg.schema}".outbox WHERE type = 'kkb.registry.regions.imported.v1'`,
        )
      )[0].n as number;
    const before = await importedEvents();

    const withBody = await post('/api/v1/regions/import', { source: 'elsewhere', provinces: ['16'] });
    expect(withBody.status).toBe(400);
    expect(withBody.body.errors).toEqual([{ field: 'body', reason: 'this operation takes no body' }]);
    const same = await post('/api/v1/regions/import');
    expect(same.status).toBe(409);
    expect(same.body.errors?.[0]).toMatchObject({
      field: 'force',
      reason: expect.stringMatching(/idn-area-data@4/),
    });
    expect((await post('/api/v1/regions/import?force=maybe')).status).toBe(400);
    expect(await importedEvents()).toBe(before);

    // Two at once, forced: one imports, the other is told one is running (it used to queue behind it).
    const both = await Promise.all([
      post('/api/v1/regions/import?force=true', {}),
      post('/api/v1/regions/import?force=true'),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await importedEvents()).toBe(before + 1);
  });

  it('should keep officers to their region and the ancestors of it', async () => {
    const p18 = run.token(Role.province, '18');
    expect((await get('/api/v1/regions/16.10', p18)).status).toBe(403);
    expect((await get('/api/v1/regions?q=sembadak&within=16', p18)).status).toBe(403);
    const mine = await get<Page<RegionView>>('/api/v1/regions?q=a&level=regency', p18);
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((r) => r.code.startsWith('18.'))).toBe(true);
    const r1610 = run.token(Role.regency, '1610');
    expect((await get('/api/v1/regions/16', r1610)).status).toBe(200);
    const siblings = await get<Page<RegionView>>('/api/v1/regions/16/children', r1610);
    expect(siblings.body.items.map((r) => r.code)).toEqual(['16.10']);
    expect((await get('/api/v1/regions/16.71', r1610)).status).toBe(403);
    const integrator = run.token(Role.integrator, '');
    expect(
      (await reg.svc.request({ method: 'POST', url: '/api/v1/regions/import', token: integrator }))
        .statusCode,
    ).toBe(403);
  });
});
