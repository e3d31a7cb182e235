// Gives the test run a Postgres and a NATS server: the ones named by
// DATABASE_URL / NATS_URL (CI sets them to the machine's services), else an
// embedded Postgres and a nats-server child started here and stopped in teardown.
import os from 'node:os';
import path from 'node:path';
import { chmodSync, mkdtempSync } from 'node:fs';
import { build } from './build.mjs';
import { freePort, startEmbeddedPostgres, startNatsServer } from './local-infra.mjs';

/**
 * What globalSetup started, kept on globalThis for globalTeardown.
 * @typedef {typeof globalThis & { __KKB_INFRA__?: { stop: () => Promise<void> }[] }} TestGlobals
 */

export default async function globalSetup() {
  const g = /** @type {TestGlobals} */ (globalThis);
  if (g.__KKB_INFRA__) return;
  // Tests that run services as processes (e2e) use the compiled dist/; it takes under a second.
  await build({ quiet: true, console: false }); // the browser tests build the console themselves
  /** @type {{ stop: () => Promise<void> }[]} */
  const started = [];
  g.__KKB_INFRA__ = started;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kkb-test-'));
  // The embedded Postgres runs as the `postgres` user when we are root: it must reach the folder.
  chmodSync(dir, 0o755);
  if (!process.env.DATABASE_URL) {
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(dir, 'pg'),
      port: await freePort(),
      database: 'test',
    });
    process.env.DATABASE_URL = pg.url;
    started.push(pg);
  }
  if (!process.env.NATS_URL) {
    const nats = await startNatsServer({ storeDir: path.join(dir, 'nats'), port: await freePort() });
    process.env.NATS_URL = nats.url;
    started.push(nats);
  }
}
