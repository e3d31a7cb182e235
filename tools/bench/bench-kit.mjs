// Shared pieces of the bench scripts: the compiled libs, infrastructure, unique names, timing.
import { randomBytes } from 'node:crypto';
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
