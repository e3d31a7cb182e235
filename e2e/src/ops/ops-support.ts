import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@kkb/testing';

/** The repository root (this file is e2e/src/ops/ops-support.ts). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');

export function deployPath(...parts: string[]): string {
  return path.join(ROOT, 'deploy', ...parts);
}

/** The full path of a command on PATH, or null. */
export function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export { freePort };

/** The users of deploy/nats/accounts.conf and the environment variable holding each password. */
export const NATS_USERS = ['registry', 'survey', 'classification', 'notifications', 'integrator'] as const;
export type NatsUser = (typeof NATS_USERS)[number];
export const passwordVariable = (user: NatsUser) => `NATS_${user.toUpperCase()}_PASSWORD`;

export interface AuthNatsCluster {
  /** Comma-separated client URLs of the running servers. */
  url: string;
  servers: string[];
  passwords: Record<NatsUser, string>;
  /** Server output, for a failing test to show. */
  output: string[];
  stop(): Promise<void>;
}

/**
 * Runs `nats-server` processes on free loopback ports as one JetStream cluster (one node: no
 * cluster block), each with `include ./accounts.conf`: a copy of deploy/nats/accounts.conf, the
 * file the Kubernetes servers use. Passwords are random and handed over in the environment, as
 * the StatefulSet does from the kkb-nats Secret.
 */
export async function startAuthNatsCluster(nodes = 3): Promise<AuthNatsCluster> {
  const bin = which('nats-server');
  if (!bin) throw new Error('nats-server is not on PATH (apt-get install -y nats-server)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kkb-nats-auth-'));
  copyFileSync(deployPath('nats', 'accounts.conf'), path.join(dir, 'accounts.conf'));
  const passwords = Object.fromEntries(
    NATS_USERS.map((u) => [u, `pw-${u}-${Math.random().toString(36).slice(2)}`]),
  ) as Record<NatsUser, string>;
  const env = {
    ...process.env,
    ...Object.fromEntries(NATS_USERS.map((u) => [passwordVariable(u), passwords[u]])),
  };
  const ports: { client: number; cluster: number; http: number }[] = [];
  for (let i = 0; i < nodes; i++) {
    ports.push({ client: await freePort(), cluster: await freePort(), http: await freePort() });
  }
  const output: string[] = [];
  const procs: ChildProcess[] = [];
  ports.forEach((p, i) => {
    const name = `a${i + 1}`;
    const routes = ports.map((q) => `nats-route://127.0.0.1:${q.cluster}`).join('\n    ');
    const conf = [
      `server_name: ${name}`,
      `listen: 127.0.0.1:${p.client}`,
      `http: 127.0.0.1:${p.http}`,
      'jetstream { max_memory_store: 64MB, max_file_store: 256MB }',
      nodes > 1
        ? `cluster {\n  name: kkb-auth-test\n  listen: 127.0.0.1:${p.cluster}\n  routes = [\n    ${routes}\n  ]\n}`
        : '',
      'include ./accounts.conf',
      '',
    ].join('\n');
    const file = path.join(dir, `${name}.conf`);
    writeFileSync(file, conf);
    const sd = path.join(dir, name);
    mkdirSync(sd);
    const child = spawn(bin, ['-c', file, '-sd', sd], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d) => {
      output.push(
        ...String(d)
          .trimEnd()
          .split('\n')
          .map((l) => `[${name}] ${l}`),
      );
      if (output.length > 400) output.splice(0, output.length - 400);
    });
    procs.push(child);
  });
  const stop = async () => {
    await Promise.all(
      procs.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when every node reports the same JetStream meta leader (or, alone, JetStream on).
  const deadline = Date.now() + 45000;
  for (;;) {
    const infos = await Promise.all(
      ports.map((p) =>
        fetch(`http://127.0.0.1:${p.http}/jsz`, { signal: AbortSignal.timeout(1000) })
          .then((r) => r.json() as Promise<{ config?: unknown; meta_cluster?: { leader?: string } }>)
          .catch(() => null),
      ),
    );
    const leaders = new Set(infos.map((i) => i?.meta_cluster?.leader ?? ''));
    const up = infos.every(Boolean);
    if (up && (nodes === 1 || (leaders.size === 1 && !leaders.has('')))) break;
    if (Date.now() > deadline || procs.some((c) => c.exitCode !== null)) {
      await stop();
      throw new Error(`the NATS servers did not come up:\n${output.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const servers = ports.map((p) => `nats://127.0.0.1:${p.client}`);
  return { url: servers.join(','), servers, passwords, output, stop };
}
