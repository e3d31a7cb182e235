// Shared pieces of the bench scripts: the compiled libs, infrastructure, unique names, timing.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startEmbeddedPostgres, startNatsServer } from '../local-infra.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
/** Requires a compiled module: `dist('libs/bootstrap/src/index.js')`. Run `npm run build` first. */
export const dist = (rel) => require(path.join(ROOT, 'dist', rel));

/** The Postgres and NATS named by DATABASE_URL / NATS_URL, or local ones started for this script. */
export async function infrastructure() {
  const stops = [];
  let databaseUrl = process.env.DATABASE_URL;
  let natsUrl = process.env.NATS_URL;
  if (!databaseUrl) {
    const os = await import('node:os');
    const { mkdtempSync, chmodSync } = await import('node:fs');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kkb-bench-'));
    chmodSync(dir, 0o755);
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(dir, 'pg'),
      port: await freePort(),
      database: 'bench',
    });
    databaseUrl = pg.url;
    stops.push(pg.stop);
  }
  if (!natsUrl) {
    const os = await import('node:os');
    const nats = await startNatsServer({
      storeDir: path.join(os.tmpdir(), `kkb-bench-nats-${process.pid}`),
      port: await freePort(),
    });
    natsUrl = nats.url;
    stops.push(nats.stop);
  }
  return {
    databaseUrl,
    natsUrl,
    stop: async () => {
      for (const s of stops.reverse()) await s();
    },
  };
}

/** Unique schema, role, subject and stream names for one bench run, like libs/testing's TestRun. */
export function benchRun(infra) {
  const id = `b${randomBytes(3).toString('hex')}`;
  const schemas = [];
  return {
    id,
    env(service, extra = {}) {
      schemas.push(service);
      return {
        ...process.env,
        DATABASE_URL: infra.databaseUrl,
        NATS_URL: infra.natsUrl,
        DATABASE_SCHEMA: `${service}_${id}`,
        DATABASE_ROLE: `kkb_${service}_${id}`,
        EVENT_SUBJECT_ROOT: id,
        EVENT_STREAM_PREFIX: id.toUpperCase(),
        JWT_SECRET: 'kkb-bench-secret',
        LOG_LEVEL: 'warn',
        PORT: '0',
        REGIONS_AUTO_IMPORT: 'false',
        ...extra,
      };
    },
    token(role = 'national', scope = '') {
      return dist('libs/auth/src/index.js').mintToken({
        role,
        scope,
        sub: `bench-${role}`,
        secret: 'kkb-bench-secret',
      });
    },
    async cleanup() {
      const { dropServiceDatabase } = dist('libs/persistence/src/index.js');
      for (const s of schemas)
        await dropServiceDatabase(infra.databaseUrl, { schema: `${s}_${id}`, role: `kkb_${s}_${id}` });
      const { connect } = require('@nats-io/transport-node');
      const { jetstreamManager } = require('@nats-io/jetstream');
      const nc = await connect({ servers: infra.natsUrl.split(',') });
      const jsm = await jetstreamManager(nc);
      for await (const name of jsm.streams.names())
        if (name.startsWith(`${id.toUpperCase()}_`)) await jsm.streams.delete(name);
      await nc.close();
    },
  };
}

/** Starts a service in-process from dist/ (provisioned, migrated, not listening). */
export async function startService(run, name, extraEnv = {}) {
  const { loadServiceConfig, provisionService, startService: start } = dist('libs/bootstrap/src/index.js');
  const def = dist(`services/${name}/src/service.js`)[`${name}Service`];
  const config = loadServiceConfig(def, run.env(name, extraEnv));
  await provisionService(def, config);
  const app = await start(def, config, { listen: false, quiet: true });
  return { app, config, def };
}

export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `fn` n times one after another; returns p50/p99/mean in ms. */
export async function latency(n, fn) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return {
    n,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    mean: times.reduce((a, b) => a + b, 0) / n,
  };
}

export const fmt = (n, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const ms = (v) => `${fmt(v, v < 10 ? 2 : 1)} ms`;

/** One result line, padded so the columns line up in the runner's output. */
export function report(name, ...parts) {
  process.stdout.write(`${name.padEnd(46)}${parts.join('  ')}\n`);
}

// ---- services as their own processes (what the pipeline and national benches measure) -------

const running = new Set();
// A crashed bench must not leave service processes behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Peak (VmHWM) and current (VmRSS) resident set of a process in bytes, from /proc (Linux); null elsewhere. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { peak: kb('VmHWM'), current: kb('VmRSS') };
  } catch {
    return null;
  }
}

export const mb = (bytes) => `${fmt(bytes / 2 ** 20)} MB`;

const mainOf = (name) => {
  const main = path.join(ROOT, 'dist', 'services', name, 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  return main;
};

// `npm run build` empties dist/ before it compiles: a process started meanwhile finds a module
// missing. Such a start is tried again (a build takes about a second).
const BUILD_RACE = /MODULE_NOT_FOUND|Cannot find module|is missing: run npm run build/;
const retryAfterBuild = async (attempt, fn) => {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempt || !BUILD_RACE.test(String(/** @type {Error} */ (err).message))) throw err;
      await new Promise((r) => setTimeout(r, 3000));
    }
  }
};

/** Runs a service's CLI command (`main.js migrate`, `main.js import-regions`...) with this run's env; resolves to stdout. */
export function runServiceCommand(run, name, args, extraEnv = {}) {
  return retryAfterBuild(3, () => runServiceCommandOnce(run, name, args, extraEnv));
}

function runServiceCommandOnce(run, name, args, extraEnv) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainOf(name), ...args], {
      env: run.env(name, { SURVEY_OVERDUE_CHECK_MS: '0', ...extraEnv }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    child.on('exit', (code) => {
      running.delete(child);
      if (code === 0) resolve(out);
      else reject(new Error(`${name} ${args.join(' ')} exited with ${code}: ${err || out}`));
    });
  });
}

/**
 * Starts a built service (`dist/services/<name>/src/main.js`) as its own process, as
 * libs/testing's startServiceProcess does: provisions its schema and role, starts it on a free
 * port and waits until /health/ready answers. Its resident set is sampled every `sampleMs`.
 */
export function startServiceProcess(run, name, extraEnv = {}, opts = {}) {
  return retryAfterBuild(3, () => startServiceProcessOnce(run, name, extraEnv, opts));
}

async function startServiceProcessOnce(run, name, extraEnv, { readyTimeoutMs = 120_000, sampleMs = 250 }) {
  const main = mainOf(name);
  const port = await freePort();
  const env = run.env(name, {
    HOST: '127.0.0.1',
    PORT: String(port),
    SURVEY_OVERDUE_CHECK_MS: '0',
    ...extraEnv,
  });
  const { provisionServiceDatabase } = dist('libs/persistence/src/index.js');
  await provisionServiceDatabase(env.DATABASE_URL, { schema: env.DATABASE_SCHEMA, role: env.DATABASE_ROLE });
  const nodeArgs = (process.env.SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const output = [];
  const keep = (d) => {
    output.push(...String(d).trimEnd().split('\n'));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', () => running.delete(child));
  let sampledPeak = 0;
  const sampler = setInterval(() => {
    const m = memoryOf(child.pid);
    if (m) sampledPeak = Math.max(sampledPeak, m.current);
  }, sampleMs);
  sampler.unref();
  const url = `http://127.0.0.1:${port}`;
  const proc = {
    name,
    url,
    pid: child.pid,
    child,
    output,
    schema: env.DATABASE_SCHEMA,
    /** VmHWM (the kernel's peak), the highest sampled VmRSS, and the current VmRSS, in bytes. */
    memory() {
      const m = memoryOf(child.pid);
      return m && { peak: m.peak, sampledPeak: Math.max(sampledPeak, m.current), current: m.current };
    },
    async stop() {
      clearInterval(sampler);
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      });
    },
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      clearInterval(sampler);
      throw new Error(`${name} exited with ${child.exitCode}:\n${output.slice(-20).join('\n')}`);
    }
    const ok = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return proc;
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`${name} was not ready within ${readyTimeoutMs} ms:\n${output.slice(-20).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A keep-alive HTTP/1.1 JSON client (node:http: less CPU per call than fetch, which matters on 2 cores). */
export function httpClient({ maxSockets = 256 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  return {
    /**
     * Resolves to { status, json, text, ms } whatever the status; rejects only on a network error.
     * @param {string} method
     * @param {string | URL} url
     * @param {{ body?: unknown, token?: string, headers?: Record<string, string> }} [options]
     * @returns {Promise<{ status: number, json: any, text: string, ms: number }>}
     */
    request(method, url, { body, token, headers = {} } = {}) {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const req = http.request(
          url,
          {
            method,
            agent,
            headers: {
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
              ...headers,
            },
          },
          (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let json;
              try {
                json = text ? JSON.parse(text) : undefined;
              } catch {
                json = undefined;
              }
              // statusCode is set on a response from http.request
              resolve({ status: Number(res.statusCode), json, text, ms: performance.now() - started });
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
    close: () => agent.destroy(),
  };
}

/** p50/p99/mean/max of a list of numbers (ms). */
export function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

// ---- reproducible data: a seeded PRNG and answers that pass the v1 instruments -----------------

/**
 * sfc32, a seeded PRNG with 128 bits of state, floats in [0, 1). The state starts as the (up to
 * four) integer parts given, e.g. `prng(seed, item, step)`: distinct parts are distinct states, and
 * the step function is a bijection, so that streams never coincide (a 32-bit state would repeat
 * ids after a few ten thousand streams).
 */
export function prng(...parts) {
  let [a, b, c, d] = [0, 1, 2, 3].map((i) => (parts[i] ?? 0) >>> 0);
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (((c << 21) | (c >>> 11)) + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

/** A version-4 UUID drawn from `rng`. */
export function uuidFrom(rng) {
  let s = '';
  for (let i = 0; i < 4; i++)
    s += Math.floor(rng() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  const variant = ((parseInt(s[16], 16) & 3) | 8).toString(16);
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-${variant}${s.slice(17, 20)}-${s.slice(20)}`;
}

const clamp01 = (x) => Math.min(1, Math.max(0, x));
const someOf = (rng, codes, p) => codes.filter(() => rng() < p);
/** Splits `total` by `weights` into integers that add up to it exactly. */
const split = (total, weights) => {
  const out = weights.map((w) => Math.floor(total * w));
  out[out.length - 1] += total - out.reduce((a, b) => a + b, 0);
  return out;
};
const AGE_BANDS = [...Array.from({ length: 15 }, (_, i) => `${i * 5}_${i * 5 + 4}`), '75_plus'];

/**
 * Answers to kampung-profile v1 (services/survey/README.md). `q` in [0, 1] is how well the kampung
 * is run: it moves every indicator together, so that the levels spread over all four.
 */
export function profileAnswers(rng, q) {
  const a = { pokja_exists: rng() < 0.55 + 0.45 * q };
  if (a.pokja_exists) {
    a.pokja_members = Math.floor(rng() * 30 * q);
    a.pokja_trained = rng() < q;
  }
  a.sk_exists = rng() < 0.35 + 0.6 * q;
  if (a.sk_exists) a.sk_issuer = ['governor', 'regent_mayor', 'camat', 'village_head'][Math.floor(rng() * 4)];
  a.plkb_assigned = rng() < 0.5 + 0.45 * q;
  a.funding_sources = someOf(rng, ['apbn', 'apbd', 'dana_desa', 'csr', 'swadaya', 'hibah'], 0.1 + 0.7 * q);
  a.poktan_services = someOf(
    rng,
    ['bkb', 'bkr', 'bkl', 'uppka', 'pik_r', 'kb_kr_service', 'population_service', 'other_sector'],
    0.15 + 0.75 * q,
  );
  a.facilities = someOf(rng, ['secretariat', 'rumah_dataku'], 0.2 + 0.7 * q);
  a.data_sources = someOf(
    rng,
    ['pk', 'bkkbn_routine', 'village_potential', 'sectoral', 'other'],
    0.15 + 0.75 * q,
  );
  a.operating_steps = someOf(
    rng,
    ['planning_meeting', 'coordination', 'socialisation', 'monitoring_evaluation', 'reporting'],
    0.2 + 0.75 * q,
  );
  a.agencies = Math.floor(rng() * 12 * q);
  for (const band of AGE_BANDS)
    for (const sex of ['m', 'f']) a[`population_${sex}_${band}`] = Math.floor(20 + rng() * 180);
  a.families = 300 + Math.floor(rng() * 1200);
  a.pus = Math.floor(a.families * (0.45 + 0.3 * rng()));
  for (const who of ['toddler', 'teen', 'elderly'])
    a[`families_with_${who}`] = Math.floor(a.families * (0.1 + 0.25 * rng()));
  return a;
}

/** Answers to monthly-report v1 for a kampung of quality `q` with about `pus` couples; every sum rule holds. */
export function reportAnswers(rng, q, pus) {
  const a = {};
  for (const p of ['bkb', 'bkr', 'bkl', 'uppka', 'pik_r']) {
    const target = 30 + Math.floor(rng() * 150);
    a[`${p}_participants`] = Math.floor(target * clamp01(0.04 + 0.4 * q + 0.15 * (rng() - 0.5)));
    a[`${p}_target_families`] = target;
  }
  a.pus = Math.max(1, Math.floor(pus * (0.96 + 0.08 * rng())));
  const users = Math.floor(a.pus * clamp01(0.22 + 0.4 * q + 0.12 * (rng() - 0.5)));
  const mkjp = Math.floor(users * clamp01(0.1 + 0.2 * q + 0.1 * (rng() - 0.5)));
  [a.users_iud, a.users_implant, a.users_mow, a.users_mop] = split(mkjp, [0.4, 0.45, 0.12, 0.03]);
  [a.users_condom, a.users_injection, a.users_pill] = split(users - mkjp, [0.1, 0.6, 0.3]);
  const free = a.pus - users;
  const unmet = Math.min(free, Math.floor(a.pus * clamp01(0.16 - 0.13 * q + 0.06 * (rng() - 0.5))));
  [a.nonusers_iat, a.nonusers_tial] = split(unmet, [0.55, 0.45]);
  a.nonusers_pregnant = Math.floor((free - unmet) * 0.1 * rng());
  a.nonusers_want_child_now = Math.floor((free - unmet) * 0.1 * rng());
  a.bpjs_users = Math.floor(users * (0.3 + 0.6 * rng()));
  return a;
}

/**
 * Starts several services as processes at once; resolves to { name: process }. If one fails, the
 * others are let finish starting and stopped again before the error is thrown, so that nothing
 * keeps running (and making streams) past the caller's cleanup.
 */
/**
 * @param {any} run
 * @param {string[]} names
 * @param {(name: string) => Record<string, string>} [envOf]
 */
export async function startServiceProcesses(run, names, envOf = () => ({})) {
  const results = await Promise.allSettled(names.map((n) => startServiceProcess(run, n, envOf(n))));
  const started = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    for (const p of started) await p.stop();
    throw failed.reason;
  }
  return Object.fromEntries(started.map((p) => [p.name, p]));
}

// ---- CPU accounting from /proc (Linux): what each process tree spent over a measured window ----

/** Clock ticks per second of /proc/<pid>/stat's times (`getconf CLK_TCK`; 100 on Linux everywhere in practice). */
export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * One process from /proc/<pid>/stat: its parent, name and CPU ticks (its own user+system, and
 * cutime+cstime: those of its children that have exited and been waited for).
 * @typedef {{ pid: number, ppid: number, comm: string, own: number, children: number }} ProcStat
 */

/** @param {number} pid @returns {ProcStat | null} */
export function procStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: it ends at the last ')'.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const f = text
      .slice(close + 2)
      .split(' ')
      .map(Number);
    // After the comm: state (field 3) is f[0], so field n is f[n - 3].
    return { pid, ppid: f[1], comm, own: f[11] + f[12], children: f[13] + f[14] };
  } catch {
    return null; // gone, or no /proc
  }
}

/** Every process this machine's /proc shows. @returns {ProcStat[]} */
export function processes() {
  let names = [];
  try {
    names = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  return /** @type {ProcStat[]} */ (names.map((n) => procStat(Number(n))).filter(Boolean));
}

/** A process's command line (its argv), or [] when it is gone or not readable. @param {number} pid */
export function cmdlineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * CPU ticks spent so far by the process trees under `roots`: for every live process in them, its own
 * user+system ticks and the ticks of its children it has reaped (cutime+cstime). A process that
 * exits during a window moves its ticks into its parent's cutime when it is reaped, so that the sum
 * only grows: the difference between two readings is what the trees spent in between (the ticks of
 * a process that exits and is reaped by something outside the trees are missed).
 * @param {number[]} roots
 * @param {ProcStat[]} all  from processes()
 */
export function treeTicks(roots, all) {
  const kids = new Map();
  for (const p of all) {
    if (!kids.has(p.ppid)) kids.set(p.ppid, []);
    kids.get(p.ppid).push(p);
  }
  const byPid = new Map(all.map((p) => [p.pid, p]));
  let ticks = 0;
  const seen = new Set();
  const stack = roots.map((pid) => byPid.get(pid)).filter((p) => p !== undefined);
  while (stack.length) {
    const p = /** @type {ProcStat} */ (stack.pop());
    if (seen.has(p.pid)) continue;
    seen.add(p.pid);
    ticks += p.own + p.children;
    stack.push(...(kids.get(p.pid) ?? []));
  }
  return { ticks, count: seen.size };
}

/**
 * The Postgres cluster `db` (a connected pg Client on this machine) talks to: its postmaster (the
 * parent of the client's backend), or, when the backend is not visible here (another machine, a
 * container), every root `postgres` process on this machine, and a note saying so.
 * @param {{ query: (sql: string) => Promise<{ rows: any[] }> }} db
 * @returns {Promise<{ roots: number[], note: string }>}
 */
export async function postgresRoots(db) {
  const { rows } = await db.query('SELECT pg_backend_pid() AS pid');
  const backend = procStat(Number(rows[0].pid));
  const postmaster = backend && procStat(backend.ppid);
  if (backend?.comm === 'postgres' && postmaster?.comm === 'postgres')
    return { roots: [postmaster.pid], note: `cluster of postmaster ${postmaster.pid}` };
  const all = processes().filter((p) => p.comm === 'postgres');
  const pids = new Set(all.map((p) => p.pid));
  const roots = all.filter((p) => !pids.has(p.ppid)).map((p) => p.pid);
  return {
    roots,
    note: `backend ${rows[0].pid} not visible here: all ${roots.length} Postgres cluster(s) on this machine`,
  };
}

/**
 * The nats-server process(es) serving `natsUrl` (a comma-separated list of nats://host:port): those
 * whose command line names one of its ports (-p / --port; 4222 when neither, nor a config file, is
 * given); if none does, every nats-server on this machine, and a note saying so.
 * @param {string} natsUrl
 * @returns {{ roots: number[], note: string }}
 */
export function natsRoots(natsUrl) {
  const ports = new Set(
    natsUrl.split(',').map((u) => {
      const url = new URL(u.includes('://') ? u : `nats://${u}`);
      return url.port || '4222';
    }),
  );
  const servers = processes().filter((p) => p.comm === 'nats-server');
  const portOf = (pid) => {
    const argv = cmdlineOf(pid);
    for (let i = 0; i < argv.length; i++) {
      const m = /^--?(?:p|port)(?:=(\d+))?$/.exec(argv[i]);
      if (m) return m[1] ?? argv[i + 1];
    }
    return argv.some((a) => /^--?(?:c|config)(?:=|$)/.test(a)) ? undefined : '4222';
  };
  const serving = servers.filter((p) => ports.has(String(portOf(p.pid))));
  if (serving.length)
    return {
      roots: serving.map((p) => p.pid),
      note: `nats-server ${serving.map((p) => p.pid).join(', ')} (port ${[...ports].join(', ')})`,
    };
  return {
    roots: servers.map((p) => p.pid),
    note: `no nats-server names port ${[...ports].join(', ')}: all ${servers.length} nats-server(s) on this machine`,
  };
}

/** Ticks the whole machine has spent busy (not idle, not waiting for I/O), from /proc/stat; NaN without it. */
export function machineBusyTicks() {
  try {
    const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const n = f.map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    return n.slice(0, 8).reduce((a, b) => a + b, 0) - n[3] - n[4];
  } catch {
    return NaN;
  }
}

/**
 * A CPU meter over named groups of process trees, plus this process (process.cpuUsage()).
 * `read()` takes a reading; `since(reading)` the CPU ms each group (and `self`) spent since then,
 * with the whole machine's busy ms and the wall-clock ms.
 * @param {Record<string, () => number[]>} groups  group name -> its root pids (asked at each reading)
 */
export function cpuMeter(groups) {
  const read = () => {
    const all = processes();
    const ticks = Object.fromEntries(
      Object.entries(groups).map(([name, roots]) => [name, treeTicks(roots(), all).ticks]),
    );
    return { at: performance.now(), self: process.cpuUsage(), ticks, machine: machineBusyTicks() };
  };
  /** @param {ReturnType<typeof read>} before */
  const since = (before) => {
    const after = read();
    const self = process.cpuUsage(before.self);
    /** @type {Record<string, number>} */
    const ms = {};
    for (const name of Object.keys(groups))
      ms[name] = ((after.ticks[name] - before.ticks[name]) * 1000) / CLOCK_TICKS;
    return {
      ms,
      selfMs: (self.user + self.system) / 1000,
      /** The whole machine's busy CPU ms (every process, the measured ones included). */
      machineMs: ((after.machine - before.machine) * 1000) / CLOCK_TICKS,
      wallMs: after.at - before.at,
    };
  };
  return { read, since };
}
