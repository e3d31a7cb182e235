import { Client } from 'pg';
import { eventually, Role, startServiceProcess, TestRun, type ServiceProcess } from '@kkb/testing';

/** The four services as separate processes, as `npm start` runs them. */
describe('services as processes', () => {
  const run = new TestRun();
  const procs: Record<string, ServiceProcess> = {};

  beforeAll(async () => {
    const started = await Promise.all(
      ['registry', 'survey', 'classification', 'notifications'].map((name) =>
        startServiceProcess(run, name, name === 'registry' ? { env: { REGIONS_AUTO_IMPORT: 'false' } } : {}),
      ),
    );
    for (const p of started) procs[p.name] = p;
    // Just the regions this story needs (the whole-country import is tested in the registry).
    const db = new Client({ connectionString: run.databaseUrl });
    await db.connect();
    await db.query(
      `INSERT INTO "${run.schema('registry')}".region (code, compact_code, name, search_name, level, kind, parent_code, source) VALUES
        ('16', '16', 'Sumatera Selatan', 'sumatera selatan', 1, 'provinsi', NULL, 'test'),
        ('16.10', '1610', 'Ogan Ilir', 'ogan ilir', 2, 'kabupaten', '16', 'test'),
        ('16.10.05', '161005', 'Pemulutan', 'pemulutan', 3, 'kecamatan', '16.10', 'test'),
        ('16.10.05.2040', '1610052040', 'Sembadak Ulu', 'sembadak ulu', 4, 'desa', '16.10.05', 'test'),
        ('16.10.05.2041', '1610052041', 'Sembadak', 'sembadak', 4, 'desa', '16.10.05', 'test')`,
    );
    await db.end();
  }, 180000);

  afterAll(async () => {
    for (const p of Object.values(procs)) await p.kill('SIGTERM');
    await run.cleanup();
  });

  const call = async (
    p: ServiceProcess,
    method: string,
    path: string,
    body?: unknown,
    token = run.token(),
  ) => {
    const res = await fetch(`${p.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('should carry a registration through the processes and survive a crash of a consumer', async () => {
    const first = await call(
      procs.registry,
      'POST',
      '/api/v1/kampung',
      { villageCode: '16.10.05.2041', name: 'Kampung KB Seroja', launchDate: '2017-04-26' },
      run.token(Role.province, '16'),
    );
    expect(first.status).toBe(201);

    // The classification process dies (kill -9); a kampung registered meanwhile reaches it after restart.
    await procs.classification.kill('SIGKILL');
    const second = await call(procs.registry, 'POST', '/api/v1/kampung', {
      villageCode: '16.10.05.2040',
      name: 'Kampung KB Melati',
      launchDate: '2019-01-02',
    });
    expect(second.status).toBe(201);
    await procs.classification.restart();
    for (const k of [first, second]) {
      const seen = await eventually(
        () => call(procs.classification, 'GET', `/api/v1/projections/kampung/${k.body.id}`),
        {
          until: (r) => r.status === 200,
          timeoutMs: 30000,
          what: `classification projection of ${String(k.body.name)}`,
        },
      );
      expect(seen.body).toMatchObject({ name: k.body.name, version: 1 });
    }
    const events = await eventually(
      () => call(procs.notifications, 'GET', '/api/v1/events?type=kkb.registry.kampung.registered.v1'),
      {
        until: (r) => ((r.body as { items?: unknown[] }).items ?? []).length === 2,
        what: 'both registrations at notifications',
      },
    );
    expect(events.status).toBe(200);
  }, 120000);
});
