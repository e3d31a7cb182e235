#!/usr/bin/env node
// Provisions and migrates every service's schema against DATABASE_URL, using the built dist/
// (built first when missing). CI runs it up, down, up.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kkb node tools/migrate.mjs     (npm run migrate)
//   DATABASE_URL=... node tools/migrate.mjs --down    revert every migration, last service first
//   options: --build (rebuild first), --no-build (never build), --only registry,survey
//
// Each step is `node dist/services/<name>/src/main.js provision|migrate|migrate:down Infinity`,
// the same commands the Kubernetes init containers run. DATABASE_URL must be allowed to create
// roles (provision); each service then works as its own role (SET ROLE kkb_<name>).
//
// Also the helpers that tools/start.mjs shares (service list, child output, .env loading).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The services in dependency order (producers before consumers); reverted in reverse. */
export const SERVICES = [
  { name: 'registry', port: 3001 },
  { name: 'survey', port: 3002 },
  { name: 'classification', port: 3003 },
  { name: 'notifications', port: 3004 },
];

/**
 * libs/auth's LOCAL_DEV_JWT_SECRET (these scripts cannot import TypeScript; tools/token.mjs
 * repeats it too). Public, so only for local runs: services refuse it when NODE_ENV=production.
 */
export const LOCAL_DEV_JWT_SECRET = 'kkb-local-dev-secret-change-me';

/** @param {string} name */
export const mainJs = (name) => path.join(ROOT, 'dist', 'services', name, 'src', 'main.js');

/** Reads ./.env when present; variables already in the environment win. */
export function loadDotEnv() {
  const file = path.join(ROOT, '.env');
  if (!existsSync(file)) return false;
  process.loadEnvFile(file);
  return true;
}

const COLORS = [36, 35, 33, 32, 34, 31];
const useColor = () => process.stdout.isTTY && !process.env.NO_COLOR;
const WIDTH = Math.max(...SERVICES.map((s) => s.name.length));

/**
 * `[registry]      ` (coloured on a terminal), the prefix of every line a service prints.
 * @param {string} name
 */
export function prefixFor(name) {
  const index = SERVICES.findIndex((s) => s.name === name);
  const label = `[${name}]`.padEnd(WIDTH + 2);
  if (!useColor()) return `${label} `;
  const style = index < 0 ? '1' : String(COLORS[index % COLORS.length]); // bold for the tools' own lines
  return `\x1b[${style}m${label}\x1b[0m `;
}

/**
 * Copies a child's output line by line to `out`, each line prefixed.
 * @param {import('node:stream').Readable} stream
 * @param {string} prefix
 * @param {{ write: (text: string) => unknown }} out
 */
export function pipeLines(stream, prefix, out) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (/** @type {string} */ chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? ''; // split() returns at least one element
    if (lines.length) out.write(lines.map((l) => `${prefix}${l}\n`).join(''));
  });
  stream.on('end', () => {
    if (pending) out.write(`${prefix}${pending}\n`);
    pending = '';
  });
}

/**
 * Runs `node dist/services/<name>/src/main.js <args>` to completion with output prefixed;
 * rejects when it exits non-zero. `quiet` hides the output of a successful run.
 */
/**
 * @param {string} name
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @param {{ quiet?: boolean, running?: Set<import('node:child_process').ChildProcess> }} [options]
 * @returns {Promise<void>}
 */
export function runServiceCommand(name, args, env, { quiet = false, running } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--enable-source-maps', mainJs(name), ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // `running` (a Set) lets a caller that is shutting down stop the commands still in flight.
    running?.add(child);
    child.once('exit', () => running?.delete(child));
    const prefix = prefixFor(name);
    /** @type {string[]} */
    const captured = [];
    const sink = quiet ? { write: (/** @type {string} */ s) => captured.push(s) } : process.stdout;
    pipeLines(child.stdout, prefix, sink);
    pipeLines(child.stderr, prefix, quiet ? sink : process.stderr);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      if (quiet) process.stderr.write(captured.join(''));
      reject(
        new Error(`${name} ${args.join(' ')} failed (${signal ? `signal ${signal}` : `exit code ${code}`})`),
      );
    });
  });
}

/** Builds dist/ when asked to, or when it is missing (`when`: 'always' | 'missing' | 'never'). */
export async function ensureBuilt(when = 'missing') {
  const missing = SERVICES.filter((s) => !existsSync(mainJs(s.name)));
  if (when === 'always' || (when === 'missing' && missing.length)) {
    const { build } = await import('./build.mjs');
    await build();
    return;
  }
  if (missing.length) {
    throw new Error(
      `dist/ has no build of ${missing.map((s) => s.name).join(', ')}: run npm run build (or drop --no-build)`,
    );
  }
}

/**
 * The environment the service CLIs need for provision/migrate. Their configuration is validated
 * as a whole, so NATS_URL and a JWT key must be present even though migrating uses neither.
 * PORT, DATABASE_SCHEMA and DATABASE_ROLE are per service: a shared value would point all four
 * services at one schema, so they are dropped.
 */
export function migrationEnv(base = process.env) {
  const env = { ...base };
  delete env.PORT;
  delete env.DATABASE_SCHEMA;
  delete env.DATABASE_ROLE;
  env.NATS_URL ||= 'nats://127.0.0.1:4222'; // validated, never connected to by provision/migrate
  if (!env.JWT_SECRET && !env.JWT_PUBLIC_KEY) env.JWT_SECRET = LOCAL_DEV_JWT_SECRET;
  env.LOG_LEVEL ||= 'warn';
  return env;
}

/**
 * provision then migrate, one service after the other.
 * @param {NodeJS.ProcessEnv} env
 * @param {{ services?: typeof SERVICES, quiet?: boolean }} [options]
 */
export async function migrateUp(env, { services = SERVICES, quiet = false } = {}) {
  for (const s of services) {
    await runServiceCommand(s.name, ['provision'], env, { quiet });
    await runServiceCommand(s.name, ['migrate'], env, { quiet });
  }
}

/**
 * Reverts every migration of every service, last service first. Schemas and roles stay.
 * @param {NodeJS.ProcessEnv} env
 * @param {{ services?: typeof SERVICES, quiet?: boolean }} [options]
 */
export async function migrateDown(env, { services = SERVICES, quiet = false } = {}) {
  for (const s of [...services].reverse()) {
    await runServiceCommand(s.name, ['migrate:down', 'Infinity'], env, { quiet });
  }
}

/** @param {string} url */
function redact(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

async function main() {
  const USAGE = `usage: node tools/migrate.mjs [--down] [--build | --no-build] [--only registry,survey]
  DATABASE_URL (required): a Postgres user allowed to create roles and schemas`;
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        down: { type: 'boolean', default: false },
        build: { type: 'boolean', default: false },
        'no-build': { type: 'boolean', default: false },
        only: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`migrate: ${/** @type {Error} */ (err).message}\n${USAGE}\n`);
    process.exit(64);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  loadDotEnv();
  if (!process.env.DATABASE_URL) {
    process.stderr.write(`migrate: DATABASE_URL is not set\n${USAGE}\n`);
    process.exit(64);
  }
  let services = SERVICES;
  if (values.only) {
    const names = values.only.split(',').map((n) => n.trim());
    const unknown = names.filter((n) => !SERVICES.some((s) => s.name === n));
    if (unknown.length) {
      process.stderr.write(`migrate: unknown service ${unknown.join(', ')}\n${USAGE}\n`);
      process.exit(64);
    }
    services = SERVICES.filter((s) => names.includes(s.name));
  }
  const started = performance.now();
  await ensureBuilt(values.build ? 'always' : values['no-build'] ? 'never' : 'missing');
  const env = migrationEnv();
  const what = values.down ? 'reverted' : 'migrated';
  if (values.down) await migrateDown(env, { services });
  else await migrateUp(env, { services });
  const s = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `migrate: ${what} ${services.map((x) => x.name).join(', ')} on ${redact(String(env.DATABASE_URL))} in ${s} s\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => {
    process.stderr.write(`migrate: ${err.message}\n`);
    process.exit(1);
  });
}
