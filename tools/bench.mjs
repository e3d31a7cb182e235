#!/usr/bin/env node
// `npm run bench`: builds, then runs every tools/bench/*.bench.mjs one after another and prints
// their figures under a header naming the machine. Figures are reported, never asserted.
//   node tools/bench.mjs [name...]   only the named benches (e.g. registry survey)
//   --write                          also record the figures in BENCHMARKS.md (a full run only)
// The benches (tools/bench/<name>.bench.mjs, each run as its own process):
//   ceiling         the bare stack: Postgres row+outbox tx/s, JetStream publish and drain
//   classification  83,762 kampung filled by SQL, national recomputation, aggregate latency
//   console         83,762 kampung with levels (by SQL), services + front door, Chromium: time to
//                   the painted Beranda, map and list (cold cache), JS shipped (gzip), vs targets
//   national        a kampung in every village and a year of verified reports (~1.1 M, loaded by
//                   SQL as the services would have written them), recomputation, aggregate and list
//                   latency over HTTP, peak RSS; several minutes (NATIONAL_KAMPUNG=5000 to try it)
//   notifications   webhook deliveries/s, head-of-line blocking
//   pipeline        the four services as processes, submit -> verify -> classified -> webhook end
//                   to end at 16 and 64 clients, per-stage latency, peak RSS, ÷ the ceiling
//   registry        region import, coverage and search latency
//   survey          submit req/s, round trips, CSV import
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';
import { infrastructure } from './bench/bench-kit.mjs';

/** The line of BENCHMARKS.md after which the hand-written analysis starts (kept by --write). */
const KEPT_MARKER = '<!-- Written by hand below this line; npm run bench -- --write keeps it. -->';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const write = process.argv.includes('--write');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const benches = readdirSync(path.join(HERE, 'bench'))
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => !only.length || only.includes(f.replace('.bench.mjs', '')))
  .sort();

await build({ quiet: true });
const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
const load = os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');
const machine = `${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load before ${load}`;
const when = new Date().toISOString();
/** @type {string[]} */
const out = [];
/** @param {string} text */
const print = (text) => {
  process.stdout.write(text);
  out.push(text);
};
print(`Kampung KB bench  ${when}\nmachine: ${machine}\n\n`);
// One Postgres and NATS for all benches (each bench uses its own schemas and streams).
const infra = await infrastructure();
let failed = 0;
for (const file of benches) {
  const started = Date.now();
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(HERE, 'bench', file)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, DATABASE_URL: infra.databaseUrl, NATS_URL: infra.natsUrl },
    });
    child.stdout.on('data', (d) => print(String(d)));
    child.on('exit', resolve);
  });
  if (code !== 0) failed++;
  print(
    `${''.padEnd(46)}(${file}: ${code === 0 ? 'done' : `FAILED with ${code}`} in ${((Date.now() - started) / 1000).toFixed(1)} s)\n\n`,
  );
}
await infra.stop();
if (write && !only.length) {
  const file = new URL('../BENCHMARKS.md', import.meta.url);
  // What follows KEPT_MARKER in BENCHMARKS.md is written by hand (the analysis of the figures
  // against their targets) and survives a rewrite of the figures above it.
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = previous.indexOf(KEPT_MARKER);
  const kept = at >= 0 ? `\n${previous.slice(at)}` : '';
  writeFileSync(
    file,
    `# Benchmarks\n\nWritten by \`npm run bench -- --write\` on ${when}.\n\nMachine: ${machine}.\nThe load generator shares the two cores with what it measures; figures move with the machine's other load.\n\n\`\`\`\n${out.join('')}\`\`\`\n${kept}`,
  );
}
process.exit(failed ? 1 : 0);
