import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { eventually, Role, TestRun } from '@kkb/testing';
import { deployPath, freePort, ROOT, which } from './ops-support';

/**
 * deploy/postgres/init.sql on the test server, with names of this run's own (-v suffix=_t<hex>):
 * each service's migrator role owns its schema and runs the real migrations; its app role reads
 * and writes that schema's tables and nothing else, and is all the registry needs to run.
 */

const SERVICES = ['registry', 'survey', 'classification', 'notifications'] as const;
type Service = (typeof SERVICES)[number];

describe('Postgres schemas and roles (deploy/postgres/init.sql)', () => {
  const run = new TestRun();
  const adminUrl = run.databaseUrl;
  const suffix = `_t${randomBytes(4).toString('hex')}`;
  const schema = (s: Service) => `${s}${suffix}`;
  const migrator = (s: Service) => `kkb_${s}${suffix}`;
  const app = (s: Service) => `kkb_${s}${suffix}_app`;
  const passwords = new Map<string, string>(
    SERVICES.flatMap((s) => [
      [migrator(s), randomBytes(16).toString('hex')],
      [app(s), randomBytes(16).toString('hex')],
    ]),
  );
  const clients: Client[] = [];
  let registryProcess: ChildProcess | undefined;

  /** psql -f init.sql with this run's suffix; `vars` are more -v settings. */
  function initSql(vars: Record<string, string>) {
    const args = [adminUrl, '-X', '-q', '-v', `suffix=${suffix}`, '-f', deployPath('postgres', 'init.sql')];
    for (const [k, v] of Object.entries(vars)) args.splice(1, 0, '-v', `${k}=${v}`);
    return spawnSync('psql', args, { encoding: 'utf8', timeout: 60000 });
  }
  const allPasswords = () =>
    Object.fromEntries(
      SERVICES.flatMap((s) => [
        [`${s}_password`, passwords.get(migrator(s))!],
        [`${s}_app_password`, passwords.get(app(s))!],
      ]),
    );

  function urlAs(role: string): string {
    const u = new URL(adminUrl);
    u.username = role;
    u.password = passwords.get(role) ?? '';
    return u.toString();
  }

  async function login(role: string): Promise<Client> {
    const c = new Client({ connectionString: urlAs(role) });
    await c.connect();
    clients.push(c);
    return c;
  }

  /** The SQLSTATE a statement fails with, or 'ok'. */
  async function outcome(c: Client, sql: string): Promise<string> {
    await c.query('BEGIN');
    try {
      await c.query(sql);
      return 'ok';
    } catch (err) {
      return (err as { code?: string }).code ?? String(err);
    } finally {
      await c.query('ROLLBACK');
    }
  }
  const DENIED = '42501'; // insufficient_privilege

  function migrate(service: Service) {
    const main = path.join(ROOT, 'dist', 'services', service, 'src', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build`);
    const r = spawnSync(process.execPath, [main, 'migrate'], {
      encoding: 'utf8',
      timeout: 120000,
      env: {
        ...process.env,
        DATABASE_URL: urlAs(migrator(service)),
        DATABASE_SCHEMA: schema(service),
        DATABASE_ROLE: migrator(service),
        JWT_SECRET: 'unused-by-migrate',
        LOG_LEVEL: 'warn',
      },
    });
    if (r.status !== 0) throw new Error(`${service} migrate failed:\n${r.stdout}\n${r.stderr}`);
  }

  beforeAll(async () => {
    if (!which('psql')) throw new Error('psql is not on PATH (apt-get install -y postgresql-client)');
    // Strict mode (what the Kubernetes Job runs), twice: the second run must change nothing.
    for (let i = 0; i < 2; i++) {
      const r = initSql({ strict: '1', ...allPasswords() });
      if (r.status !== 0) throw new Error(`init.sql failed (${r.status}):\n${r.stderr}`);
    }
    // The services' real migrations, each as its migrator role.
    migrate('registry');
    migrate('survey');
  }, 180000);

  afterAll(async () => {
    if (registryProcess && registryProcess.exitCode === null) {
      await new Promise<void>((resolve) => {
        registryProcess!.once('exit', () => resolve());
        registryProcess!.kill('SIGTERM');
      });
    }
    for (const c of clients) await c.end().catch(() => undefined);
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      for (const s of SERVICES) await admin.query(`DROP SCHEMA IF EXISTS "${schema(s)}" CASCADE`);
      for (const s of SERVICES) {
        for (const role of [app(s), migrator(s)]) {
          const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
          if (!exists.rowCount) continue;
          await admin.query(`DROP OWNED BY "${role}" CASCADE`);
          await admin.query(`DROP ROLE "${role}"`);
        }
      }
      const left = await admin.query('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [`%${suffix}%`]);
      expect(left.rows).toEqual([]);
    } finally {
      await admin.end();
    }
    await run.cleanup();
  });

  it('should refuse to run in strict mode without every password, and create nothing then', () => {
    const otherSuffix = `_t${randomBytes(4).toString('hex')}`;
    const r = spawnSync(
      'psql',
      [
        adminUrl,
        '-X',
        '-q',
        '-v',
        'strict=1',
        '-v',
        `suffix=${otherSuffix}`,
        '-v',
        'registry_password=only-this-one-password',
        '-f',
        deployPath('postgres', 'init.sql'),
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('registry_app_password=... is required with -v strict=1');
    const roles = spawnSync(
      'psql',
      [adminUrl, '-X', '-At', '-c', `SELECT count(*) FROM pg_roles WHERE rolname LIKE '%${otherSuffix}%'`],
      {
        encoding: 'utf8',
      },
    );
    expect(roles.stdout.trim()).toBe('0');
  });

  it("should keep the registry's app role out of the survey schema", async () => {
    const registryApp = await login(app('registry'));
    expect(await outcome(registryApp, `SELECT count(*) FROM "${schema('survey')}".submission`)).toBe(DENIED);
    expect(await outcome(registryApp, `SELECT count(*) FROM "${schema('survey')}".outbox`)).toBe(DENIED);
    expect(
      await outcome(
        registryApp,
        `INSERT INTO "${schema('survey')}".inbox (consumer, event_id) VALUES ('x', 'y')`,
      ),
    ).toBe(DENIED);
    await expect(registryApp.query(`SELECT count(*) FROM "${schema('survey')}".submission`)).rejects.toThrow(
      `permission denied for schema ${schema('survey')}`,
    );
    // Nor through another role, nor through its migrator.
    expect(await outcome(registryApp, `SET ROLE "${app('survey')}"`)).toBe(DENIED);
    expect(await outcome(registryApp, `SET ROLE "${migrator('registry')}"`)).toBe(DENIED);
    const registryMigrator = await login(migrator('registry'));
    expect(await outcome(registryMigrator, `SELECT count(*) FROM "${schema('survey')}".submission`)).toBe(
      DENIED,
    );
    // And the other way round.
    const surveyApp = await login(app('survey'));
    expect(await outcome(surveyApp, `SELECT count(*) FROM "${schema('registry')}".region`)).toBe(DENIED);
    expect(await outcome(surveyApp, `SELECT count(*) FROM "${schema('classification')}".outbox`)).toBe(
      DENIED,
    );
  });

  it('should let an app role read and write its own tables but change no structure', async () => {
    const c = await login(app('registry'));
    const s = schema('registry');
    // search_path is its own schema alone: unqualified names resolve there.
    expect((await c.query('SHOW search_path')).rows[0].search_path).toBe(s);
    expect(await outcome(c, 'SELECT count(*) FROM region')).toBe('ok');
    expect(
      await outcome(
        c,
        `INSERT INTO region (code, compact_code, name, search_name, level, kind, parent_code, source)
         VALUES ('99', '99', 'Test', 'test', 1, 'provinsi', NULL, 'test')`,
      ),
    ).toBe('ok');
    expect(await outcome(c, `UPDATE region SET name = name WHERE code = '16'`)).toBe('ok');
    expect(await outcome(c, `DELETE FROM outbox WHERE published_at < now() - interval '1 year'`)).toBe('ok');
    // Sequences (outbox.seq) and a temp table (the region import) work.
    expect(await outcome(c, `SELECT nextval(pg_get_serial_sequence('${s}.outbox', 'seq'))`)).toBe('ok');
    expect(await outcome(c, 'CREATE TEMP TABLE region_import (code text)')).toBe('ok');
    // No DDL, no TRUNCATE, nothing in public, no new schema.
    expect(await outcome(c, `CREATE TABLE "${s}".sneaky (id int)`)).toBe(DENIED);
    expect(await outcome(c, 'DROP TABLE region')).toBe(DENIED);
    expect(await outcome(c, 'ALTER TABLE region ADD COLUMN x int')).toBe(DENIED);
    expect(await outcome(c, 'TRUNCATE region')).toBe(DENIED);
    expect(await outcome(c, 'CREATE INDEX ON region (name)')).toBe(DENIED);
    expect(await outcome(c, 'CREATE TABLE public.sneaky (id int)')).toBe(DENIED);
    expect(await outcome(c, 'CREATE SCHEMA sneaky')).toBe(DENIED);
  });

  it('should let a migrator role change its own schema only, and give the app role what it creates', async () => {
    const m = await login(migrator('survey'));
    const s = schema('survey');
    await m.query(`CREATE TABLE "${s}".added_later (id int PRIMARY KEY, note text)`);
    const a = await login(app('survey'));
    expect(await outcome(a, `INSERT INTO "${s}".added_later VALUES (1, 'x')`)).toBe('ok');
    expect(await outcome(a, `SELECT * FROM "${s}".added_later`)).toBe('ok');
    expect(await outcome(m, `CREATE TABLE "${schema('registry')}".sneaky (id int)`)).toBe(DENIED);
    expect(await outcome(m, 'CREATE TABLE public.sneaky (id int)')).toBe(DENIED);
    const attrs = await m.query(
      `SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin
         FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
      [[migrator('survey'), app('survey')]],
    );
    for (const r of attrs.rows) {
      expect(r).toMatchObject({
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
        rolreplication: false,
        rolbypassrls: false,
        rolcanlogin: true,
      });
    }
  });

  it('should run the registry service as its app role (MIGRATIONS_RUN=false)', async () => {
    const port = await freePort();
    const main = path.join(ROOT, 'dist', 'services', 'registry', 'src', 'main.js');
    const output: string[] = [];
    registryProcess = spawn(process.execPath, [main], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: urlAs(app('registry')),
        DATABASE_SCHEMA: schema('registry'),
        DATABASE_ROLE: app('registry'),
        MIGRATIONS_RUN: 'false',
        NATS_URL: run.natsUrl,
        EVENT_SUBJECT_ROOT: run.subjectRoot,
        EVENT_STREAM_PREFIX: run.streamPrefix,
        JWT_SECRET: 'kkb-test-secret',
        REGIONS_AUTO_IMPORT: 'false',
        OUTBOX_POLL_MS: '200',
        LOG_LEVEL: 'warn',
      },
    });
    registryProcess.stdout?.on('data', (d) => output.push(String(d)));
    registryProcess.stderr?.on('data', (d) => output.push(String(d)));
    const url = `http://127.0.0.1:${port}`;
    await eventually(
      () =>
        fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1000) }).then((r) => {
          if (registryProcess?.exitCode !== null) throw new Error(output.join(''));
          return r.status === 200;
        }),
      { timeoutMs: 60000, intervalMs: 200, what: `registry ready (${output.join('')})` },
    );

    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(
        `INSERT INTO "${schema('registry')}".region (code, compact_code, name, search_name, level, kind, parent_code, source) VALUES
          ('16', '16', 'Sumatera Selatan', 'sumatera selatan', 1, 'provinsi', NULL, 'test'),
          ('16.10', '1610', 'Ogan Ilir', 'ogan ilir', 2, 'kabupaten', '16', 'test'),
          ('16.10.05', '161005', 'Pemulutan', 'pemulutan', 3, 'kecamatan', '16.10', 'test'),
          ('16.10.05.2041', '1610052041', 'Sembadak', 'sembadak', 4, 'desa', '16.10.05', 'test')`,
      );
      // A registration: the kampung row, its audit row, the coverage trigger and the outbox row,
      // all written by the app role; then the relay publishes it and marks it sent.
      const res = await fetch(`${url}/api/v1/kampung`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${run.token(Role.province, '16')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          villageCode: '16.10.05.2041',
          name: 'Kampung KB Seroja',
          launchDate: '2017-04-26',
        }),
      });
      expect(res.status).toBe(201);
      await eventually(
        async () =>
          (
            await admin.query(
              `SELECT count(*)::int AS n FROM "${schema('registry')}".outbox WHERE published_at IS NOT NULL`,
            )
          ).rows[0].n,
        { what: 'the outbox row published', timeoutMs: 15000 },
      );
      // A read through the coverage counts (kept by a trigger, maintained by the import).
      const coverage = await fetch(`${url}/api/v1/coverage?region=16`, {
        headers: { authorization: `Bearer ${run.token(Role.national, '')}` },
      });
      expect(coverage.status).toBe(200);
    } finally {
      await admin.end();
    }
    expect(output.join('')).not.toMatch(/permission denied/i);
  }, 90000);
});
