import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort, startServiceProcess, TEST_JWT_SECRET, TestRun, type ServiceProcess } from '@kkb/testing';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const SERVICES = ['registry', 'survey', 'classification', 'notifications'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface ConsolePlatform {
  /** The secret the platform's tokens are signed with. */
  jwtSecret: string;
  /** The front door: the console and every API on one origin. */
  url: string;
  /** What the demo seed printed (its summary line among them). */
  seedOutput: string;
  /** The services' processes (to kill and restart one); absent against CONSOLE_TEST_URL. */
  services?: Record<ServiceName, ServiceProcess>;
  stop(): Promise<void>;
}

function runNode(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number, what: string): string {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) {
    throw new Error(`${what} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`.slice(0, 4000));
  }
  return r.stdout;
}

async function waitReady(url: string, deadline: number, output: () => string): Promise<void> {
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `HTTP ${res.status} ${await res.text()}`;
    } catch (err) {
      last = String((err as Error).cause ?? err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready: ${last}\n${output()}`);
}

/**
 * The platform as `npm start -- --seed` makes it, but with this test run's own schemas, streams
 * and ports: the console built (Vite, skipped when unchanged), the four services as processes
 * (the registry importing the whole region tree), the registry's South Sumatra seed, the demo
 * profiles and monthly reports (tools/seed-demo.mjs, through the APIs), then the front door in
 * development mode.
 */
export async function startConsolePlatform(): Promise<ConsolePlatform> {
  // While working on the console: CONSOLE_TEST_URL=http://127.0.0.1:3000 runs the browser tests
  // against a platform already started with `npm start -- --seed` (its JWT_SECRET, or the local
  // development secret), instead of starting one.
  if (process.env.CONSOLE_TEST_URL) {
    return {
      jwtSecret: process.env.JWT_SECRET ?? 'kkb-local-dev-secret-change-me',
      url: process.env.CONSOLE_TEST_URL.replace(/\/$/, ''),
      seedOutput: '',
      stop: async () => undefined,
    };
  }
  runNode(
    [path.join(ROOT, 'tools', 'build.mjs'), '--console-only'],
    process.env,
    300_000,
    'the console build',
  );
  const run = new TestRun();
  const started: ServiceProcess[] = [];
  let frontDoor: ChildProcess | undefined;
  try {
    const services = {} as Record<ServiceName, ServiceProcess>;
    await Promise.all(
      SERVICES.map(async (name) => {
        const env: Record<string, string> = name === 'registry' ? { REGIONS_AUTO_IMPORT: 'true' } : {};
        services[name] = await startServiceProcess(run, name, { env, readyTimeoutMs: 180_000 });
        started.push(services[name]);
      }),
    );
    const registryEnv = { ...process.env, ...run.env('registry', { LOG_LEVEL: 'warn' }) };
    runNode(
      [path.join(ROOT, 'dist/services/registry/src/main.js'), 'seed'],
      registryEnv,
      180_000,
      'the registry seed',
    );
    const seedOutput = runNode(
      [path.join(ROOT, 'tools', 'seed-demo.mjs'), ...SERVICES.flatMap((s) => [`--${s}`, services[s].url])],
      { ...process.env, JWT_SECRET: TEST_JWT_SECRET },
      300_000,
      'the demo seed',
    );

    const port = await freePort();
    const output: string[] = [];
    frontDoor = spawn(process.execPath, [path.join(ROOT, 'dist/apps/front-door/src/main.js')], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        KKB_MODE: 'development',
        JWT_SECRET: TEST_JWT_SECRET,
        ...Object.fromEntries(SERVICES.map((s) => [`${s.toUpperCase()}_URL`, services[s].url])),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    frontDoor.stdout?.on('data', (d) => output.push(String(d)));
    frontDoor.stderr?.on('data', (d) => output.push(String(d)));
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, Date.now() + 30_000, () => output.join(''));
    const door = frontDoor;
    return {
      jwtSecret: TEST_JWT_SECRET,
      url,
      seedOutput,
      services,
      async stop() {
        door.kill('SIGTERM');
        await Promise.all(started.map((s) => s.kill('SIGTERM')));
        await run.cleanup();
      },
    };
  } catch (err) {
    frontDoor?.kill('SIGKILL');
    await Promise.all(started.map((s) => s.kill('SIGKILL')));
    await run.cleanup().catch(() => undefined);
    throw err;
  }
}
