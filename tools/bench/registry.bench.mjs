// Registry: whole-country region import, a kampung in every village, national coverage and search.
import { benchRun, dist, fmt, infrastructure, latency, ms, report, startService } from './bench-kit.mjs';

const infra = await infrastructure();
const run = benchRun(infra);
try {
  const { app, config } = await startService(run, 'registry');
  const { getDataSourceToken } = await import('@nestjs/typeorm');
  const ds = app.get(getDataSourceToken());
  const s = `"${config.DATABASE_SCHEMA}"`;
  const { RegionImportService } = dist('services/registry/src/region/region-import.service.js');
  const { IdnAreaDataSource } = dist('services/registry/src/region/region-source.js');
  const importer = app.get(RegionImportService);

  const first = await importer.import(new IdnAreaDataSource());
  report(
    'registry.import-regions (fresh)',
    `${fmt(first.inserted)} regions`,
    `${fmt(first.ms / 1000, 2)} s`,
    `${fmt(first.inserted / (first.ms / 1000))} rows/s`,
  );
  const again = await importer.import(new IdnAreaDataSource());
  report(
    'registry.import-regions (re-run)',
    `${fmt(again.updated + again.inserted)} changed`,
    `${fmt(again.ms / 1000, 2)} s`,
  );

  const t = Date.now();
  const [, filled] = await ds
    .query(
      `INSERT INTO ${s}.kampung (id, village_code, name, launch_date, version)
     SELECT gen_random_uuid(), code, 'Kampung KB ' || name, DATE '2020-01-14' + (abs(hashtext(code)) % 1500), 1
       FROM ${s}.region WHERE level = 4 AND active`,
    )
    .then((r) => [null, Array.isArray(r) ? r.length : 0]);
  // As autovacuum would between real registrations: the fill updated the counters 250,000 times.
  await ds.query(`VACUUM ANALYZE ${s}.kampung`);
  await ds.query(`VACUUM ANALYZE ${s}.coverage_count`);
  const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM ${s}.kampung WHERE active`);
  report('registry.fill (SQL, for the queries)', `${fmt(n)} kampung`, `${fmt((Date.now() - t) / 1000, 2)} s`);
  void filled;

  const token = run.token();
  const get = async (url) => {
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const nation = await get('/api/v1/coverage');
  if (nation.villages !== 83762 || nation.kampung !== 83762)
    throw new Error(`unexpected national coverage ${JSON.stringify(nation)}`);
  for (const [label, url] of [
    ['national', '/api/v1/coverage'],
    ['national, by province', '/api/v1/coverage?breakdown=true'],
    ['province 16, by regency', '/api/v1/coverage?region=16&breakdown=true'],
    ['regency 16.10, by district', '/api/v1/coverage?region=16.10&breakdown=true'],
  ]) {
    await get(url);
    const l = await latency(50, () => get(url));
    report(
      `registry.coverage ${label}`,
      `p50 ${ms(l.p50)}`,
      `p99 ${ms(l.p99)}`,
      `(n=${l.n}, HTTP in-process, 83,762 kampung)`,
    );
  }
  for (const [label, url] of [
    ['search infix "sungai"', '/api/v1/regions?q=sungai&limit=50'],
    ['search prefix "suka" villages', '/api/v1/regions?q=suka&match=prefix&level=village&limit=50'],
    ['children of 16.10.05', '/api/v1/regions/16.10.05/children?limit=100'],
  ]) {
    const l = await latency(50, () => get(url));
    report(`registry.${label}`, `p50 ${ms(l.p50)}`, `p99 ${ms(l.p99)}`, `(n=${l.n})`);
  }
  await app.close();
} finally {
  await run.cleanup();
  await infra.stop();
}
