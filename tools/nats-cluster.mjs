#!/usr/bin/env node
// A 3-node NATS JetStream cluster on loopback (deploy/nats/cluster-local), for trying the platform
// against a cluster by hand: `npm run build && node tools/nats-cluster.mjs` (Ctrl-C stops it).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { startNatsCluster, CLUSTER_URL } = createRequire(import.meta.url)(
  path.join(ROOT, 'dist/libs/testing/src/nats-cluster.js'),
);
const cluster = await startNatsCluster({
  root: ROOT,
  log: (/** @type {string} */ l) => process.stderr.write(`${l}\n`),
});
const leader = await cluster.ready();
process.stdout.write(
  `NATS cluster ready (meta leader ${leader})\n  NATS_URL=${CLUSTER_URL}\n  NATS_STREAM_REPLICAS=3\n`,
);
const stop = () => void cluster.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
