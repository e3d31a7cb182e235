import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import { ROOT } from './ops-support';

/**
 * `npm run backup` and `npm run restore -- --to <time>` (tools/backup.mjs) on a throwaway embedded
 * Postgres of its own (temporary data and backup folders, a free port): started the way
 * `npm start` starts it (startArchivedPostgres: WAL archiving on), rows written, a base backup
 * taken by the CLI, more rows, a point in time, more rows archived, the server stopped, the CLI
 * restores to that point, and the database holds exactly the rows of that point.
 */

const TOOL = path.join(ROOT, 'tools', 'backup.mjs');

interface Server {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** startArchivedPostgres of tools/backup.mjs in a child process; stops when its stdin closes. */
async function startServer(dataDir: string, backupDir: string): Promise<Server> {
  const tool = pathToFileURL(TOOL).href;
  const infra = pathToFileURL(path.join(ROOT, 'tools', 'local-infra.mjs')).href;
  const script = `
    import { startArchivedPostgres } from ${JSON.stringify(tool)};
    import { freePort } from ${JSON.stringify(infra)};
    const [dataDir, backupDir] = process.argv.slice(1);
    const log = (l) => process.stderr.write(l + '\\n');
    const s = await startArchivedPostgres({ dataDir, backupDir, port: await freePort(), database: 'kkb', log });
    process.stdout.write(JSON.stringify({ url: s.url }) + '\\n');
    process.stdin.on('end', async () => { await s.stop(); process.exit(0); });
    process.stdin.resume();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, dataDir, backupDir], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`the Postgres helper exited (${code}):\n${stderr}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    child,
    stop: async () => {
      child.stdin!.end();
      await exited;
    },
  };
}

/** The CLI, as `npm run backup` / `npm run restore` run it. */
function tool(...args: string[]) {
  const r = spawnSync(process.execPath, [TOOL, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0)
    throw new Error(`backup.mjs ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const insert = (c: Client, batch: string, from: number, to: number) =>
  c.query(`INSERT INTO ledger (id, batch) SELECT g, $1 FROM generate_series($2::int, $3::int) g`, [
    batch,
    from,
    to,
  ]);

describe('npm run backup / npm run restore (tools/backup.mjs)', () => {
  let tmp: string;
  let server: Server | undefined;

  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'kkb-backup-'));
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('should restore the embedded database to a point in time: exactly the rows committed before it', async () => {
    const dataDir = path.join(tmp, 'postgres');
    const backupDir = path.join(tmp, 'backups');
    const dirs = ['--data-dir', dataDir, '--backup-dir', backupDir];

    server = await startServer(dataDir, backupDir);
    await withClient(server.url, async (c) => {
      await c.query('CREATE TABLE ledger (id int PRIMARY KEY, batch text NOT NULL)');
      await insert(c, 'before-backup', 1, 50);
    });

    expect(tool('backup', ...dirs)).toMatch(/base backup \S+ done/);
    await withClient(server.url, (c) => insert(c, 'before-backup', 51, 100));
    expect(tool('backup', '--keep', '2', ...dirs)).not.toMatch(/removed/);

    const target = await withClient(server.url, async (c) => {
      await insert(c, 'after-backup', 101, 200);
      // The point in time: after those commits, before the next ones (the server's clock).
      await new Promise((r) => setTimeout(r, 20));
      const { rows } = await c.query<{ t: string }>(
        `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`,
      );
      await new Promise((r) => setTimeout(r, 20));
      await insert(c, 'too-late', 201, 300);
      await c.query("UPDATE ledger SET batch = batch || '-changed' WHERE id <= 10");
      // The segment holding the later rows goes to the archive too: only the target stops them.
      const sw = await c.query<{ f: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS f');
      const deadline = Date.now() + 15_000;
      for (;;) {
        const a = await c.query<{ last: string | null }>(
          'SELECT last_archived_wal AS last FROM pg_stat_archiver',
        );
        if ((a.rows[0].last ?? '') >= sw.rows[0].f) break;
        if (Date.now() > deadline) throw new Error(`${sw.rows[0].f} was not archived`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(readdirSync(path.join(backupDir, 'wal'))).toContain(sw.rows[0].f);
      return rows[0].t;
    });

    // A third base backup, finished after the target, with --keep 2: the first one and the WAL
    // before the second go; the restore needs the second and all the WAL after it.
    expect(tool('backup', '--keep', '2', ...dirs)).toMatch(/removed base backup/);
    expect(readdirSync(path.join(backupDir, 'base'))).toHaveLength(2);

    // restore refuses while the server runs.
    expect(() => tool('restore', '--to', target, ...dirs)).toThrow(/is running/);
    await server.stop();
    server = undefined;
    // restore falls back to the old folder's pg_wal for what the archive lacks; emptied here, so
    // everything after the base backup must come from the archive.
    for (const f of readdirSync(path.join(dataDir, 'pg_wal'))) {
      if (/^[0-9A-F]{24}$/.test(f)) rmSync(path.join(dataDir, 'pg_wal', f));
    }

    const out = tool('restore', '--to', target, ...dirs);
    const [second] = readdirSync(path.join(backupDir, 'base')).sort();
    expect(out).toContain(`base backup ${second}`);
    expect(out).toMatch(/recovery stopping before commit/);

    // The old data folder is kept aside, not deleted.
    const aside = readdirSync(tmp).filter((f) => f.startsWith('postgres.before-restore-'));
    expect(aside).toHaveLength(1);
    expect(existsSync(path.join(tmp, aside[0], 'PG_VERSION'))).toBe(true);

    server = await startServer(dataDir, backupDir);
    const rows = await withClient(server.url, async (c) => {
      const r = await c.query<{ batch: string; n: number; lo: number; hi: number }>(
        'SELECT batch, count(*)::int AS n, min(id) AS lo, max(id) AS hi FROM ledger GROUP BY batch ORDER BY lo',
      );
      // Written to again after the restore, and the recovery settings are gone.
      await insert(c, 'after-restore', 201, 201);
      const s = await c.query<{ t: string }>(`SELECT current_setting('recovery_target_time') AS t`);
      expect(s.rows[0].t).toBe('');
      return r.rows;
    });
    expect(rows).toEqual([
      { batch: 'before-backup', n: 100, lo: 1, hi: 100 },
      { batch: 'after-backup', n: 100, lo: 101, hi: 200 },
    ]);
  });
});
