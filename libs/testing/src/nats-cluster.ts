import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The loopback nodes of deploy/nats/cluster-local/n{1,2,3}.conf. */
export const CLUSTER_NODES = [
  { name: 'n1', client: 14222, monitor: 18222 },
  { name: 'n2', client: 14223, monitor: 18223 },
  { name: 'n3', client: 14224, monitor: 18224 },
] as const;
export const CLUSTER_URL = CLUSTER_NODES.map((n) => `nats://127.0.0.1:${n.client}`).join(',');

type Node = (typeof CLUSTER_NODES)[number];

export interface NatsCluster {
  url: string;
  /** Waits until every running node reports the same JetStream meta leader; returns its name. */
  ready(timeoutMs?: number): Promise<string>;
  kill(name: string): Promise<void>;
  restart(name: string): void;
  stop(): Promise<void>;
}

async function jsz(node: Node): Promise<{ meta_cluster?: { leader?: string } } | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${node.monitor}/jsz`, { signal: AbortSignal.timeout(1000) });
    return (await res.json()) as { meta_cluster?: { leader?: string } };
  } catch {
    return null;
  }
}

/** Starts three `nats-server` processes as one JetStream cluster, each with its own store. */
export async function startNatsCluster(
  opts: { root?: string; log?: (line: string) => void } = {},
): Promise<NatsCluster> {
  const root = opts.root ?? path.resolve(__dirname, '..', '..', '..');
  const which = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' });
  if (which.status !== 0) throw new Error('nats-server is not on PATH');
  const bin = which.stdout.trim();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kkb-nats-cluster-'));
  const procs = new Map<string, ChildProcess>();
  const alive = (p?: ChildProcess) => !!p && p.exitCode === null && p.signalCode === null;
  const start = (node: Node) => {
    const sd = path.join(dir, node.name);
    mkdirSync(sd, { recursive: true });
    const conf = path.join(root, 'deploy', 'nats', 'cluster-local', `${node.name}.conf`);
    const child = spawn(bin, ['-c', conf, '-sd', sd], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.on('data', (d) => opts.log?.(`[${node.name}] ${String(d).trim()}`));
    procs.set(node.name, child);
  };
  CLUSTER_NODES.forEach(start);
  const cluster: NatsCluster = {
    url: CLUSTER_URL,
    async ready(timeoutMs = 30000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const up = CLUSTER_NODES.filter((n) => alive(procs.get(n.name)));
        const infos = await Promise.all(up.map(jsz));
        const leaders = new Set(infos.map((i) => i?.meta_cluster?.leader ?? ''));
        if (infos.every(Boolean) && leaders.size === 1 && !leaders.has('')) return [...leaders][0];
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('the NATS cluster did not elect a JetStream meta leader in time');
    },
    kill(name) {
      const p = procs.get(name);
      if (!p || !alive(p)) return Promise.resolve();
      return new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.kill('SIGKILL');
      });
    },
    restart(name) {
      const node = CLUSTER_NODES.find((n) => n.name === name);
      if (!node) throw new Error(`no node ${name}`);
      start(node);
    },
    async stop() {
      await Promise.all(CLUSTER_NODES.map((n) => cluster.kill(n.name)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
