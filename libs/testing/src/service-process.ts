import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { provisionServiceDatabase } from '@kkb/persistence';
import type { TestRun } from './test-run';

export interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Output lines, kept for a failing test to show. */
  output: string[];
  /** SIGKILL (a crash) or SIGTERM (a stop); resolves when the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the same service again on the same port and waits until it is ready. */
  restart(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Runs a built service (`dist/services/<name>/src/main.js`, from `npm run build`) as its own
 * process, as the start command does, with this test run's schemas and streams.
 */
export async function startServiceProcess(
  run: TestRun,
  name: string,
  opts: { env?: Record<string, string>; root?: string; readyTimeoutMs?: number } = {},
): Promise<ServiceProcess> {
  const root = opts.root ?? path.resolve(__dirname, '..', '..', '..');
  const main = path.join(root, 'dist', 'services', name, 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const port = await freePort();
  const env = {
    ...process.env,
    ...run.env(name, { HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...opts.env }),
  };
  await provisionServiceDatabase(run.databaseUrl, {
    schema: String(env.DATABASE_SCHEMA),
    role: String(env.DATABASE_ROLE),
  });
  const url = `http://127.0.0.1:${port}`;
  const output: string[] = [];
  const proc: ServiceProcess = {
    name,
    url,
    output,
    child: undefined as unknown as ChildProcess,
    kill(signal = 'SIGKILL') {
      const c = proc.child;
      if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
      return new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill(signal);
      });
    },
    async restart() {
      await proc.kill('SIGKILL');
      await launch();
    },
  };
  const launch = async () => {
    const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => {
      output.push(...String(d).trimEnd().split('\n'));
      if (output.length > 500) output.splice(0, output.length - 500);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // A failed spawn (EMFILE, EAGAIN...) emits only 'error': the child then never exits.
    let spawnError: Error | undefined;
    child.once('error', (err) => (spawnError = err));
    proc.child = child;
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 60000);
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (spawnError) throw new Error(`${name} could not be started: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(
          `${name} exited with ${child.exitCode ?? child.signalCode}:\n${output.slice(-20).join('\n')}`,
        );
      const ok = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1000) })
        .then(async (r) => {
          last = `${r.status} ${(await r.text()).slice(0, 500)}`;
          return r.status === 200;
        })
        .catch((err: Error) => {
          last = String(err.cause ?? err.message);
          return false;
        });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(
      `${name} was not ready within the timeout (last /health/ready: ${last}):\n${output.slice(-20).join('\n')}`,
    );
  };
  await launch();
  return proc;
}
