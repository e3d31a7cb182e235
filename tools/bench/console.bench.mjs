// READY, frameWhen, timings and the init script run in the page (Playwright sends their source),
// so the DOM's types are in scope for this file.
/// <reference lib="dom" />
// The console at national scale: a Kampung KB in every one of the 83,762 villages with a few
// months of levels (loaded by SQL as the services would have written them: national-data.mjs),
// the four services and the front door as their own processes, and Debian's Chromium driven by
// playwright-core, signed in as the national role. Each load is a new browser context (cold HTTP
// cache, nothing shared); the servers are warmed by one uncounted load of each page (of its API
// call for the map).
//   - Beranda (/): from navigation start to the first frame with the national coverage figures
//     (the kampung count and a percent in the coverage figures) and the level chart's canvas on
//     screen; first and largest contentful paint (Performance API); when the last script and the
//     last API response arrived, and the slowest API call.
//   - Peta (/peta): to the first frame with all the points drawn (the count says N, the canvas
//     has pixels); no map tiles (external hosts do not resolve: the points draw without them).
//   - Daftar Kampung (/kampung): to the first page of the table (50 rows).
//   - JS shipped: the scripts the Beranda loads (gzip by zlib, level 6: the front door itself
//     serves them uncompressed), and the whole build's JS (gzip total, largest chunk).
// Figures against the targets in the README's Benchmarks section (TARGETS below).
//
//   node tools/bench/console.bench.mjs       (the runner builds first; alone: npm run build)
//   env: CONSOLE_KAMPUNG (default: every village), CONSOLE_MONTHS (3), CONSOLE_RUNS (5; the map at most 3),
//        CONSOLE_SEED, CHROMIUM (/usr/bin/chromium)
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { freePort } from '../local-infra.mjs';
import {
  benchRun,
  fmt,
  infrastructure,
  percentile,
  report,
  ROOT,
  startServiceProcesses,
} from './bench-kit.mjs';
import { loadNational, nationalModules, prepareNational, SERVICES, secs } from './national-data.mjs';

const require = createRequire(import.meta.url);
const { Pool } = require('pg');
const { chromium } = require('playwright-core');

const WANTED = process.env.CONSOLE_KAMPUNG ? Number(process.env.CONSOLE_KAMPUNG) : Infinity;
const MONTHS = Number(process.env.CONSOLE_MONTHS ?? 3);
const RUNS = Number(process.env.CONSOLE_RUNS ?? 5);
const MAP_RUNS = Math.min(RUNS, 3); // each map load draws every point: seconds
const SEED = Number(process.env.CONSOLE_SEED ?? 20250101);
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TOKEN_KEY = 'kkb.console.token'; // apps/console/src/auth/token-store.ts
const PAGE_SIZE = 50; // apps/console/src/pages/list/ListPage.tsx
const VIEWPORT = { width: 1366, height: 900 };
const WAIT_MS = 120_000;

/**
 * The targets (also in the README's Benchmarks section), for this two-core machine: ratios below 1
 * are within them. Set after the first national runs (Beranda 3.3-4.6 s, list 1.7-2.5 s, map
 * 5.8-12 s, 322 KB, with other work sharing the cores): what an officer on a modest laptop should
 * get, reachable with work on what dominates (see the "where the time goes" lines).
 */
const TARGETS = {
  dashboard: { ms: 2000 }, // first painted Beranda with the national figures and level chart
  map: { ms: 5000 }, // every point of the nation drawn
  list: { ms: 1500 }, // first page of the list
  dashboardJs: { bytes: 350 * 1024 }, // gzip of the scripts the Beranda loads
};

const now = () => performance.timeOrigin + performance.now();
const kb = (bytes) => `${fmt(bytes / 1024, 1)} KB`;
const msOf = (v) => `${fmt(v)} ms`;
/** `value` over `target` ({ ms } or { bytes }), said with the target. */
const ratio = (value, target) =>
  'ms' in target
    ? `${fmt(value / target.ms, 2)} of the target ${msOf(target.ms)}`
    : `${fmt(value / target.bytes, 2)} of the target ${kb(target.bytes)}`;
// The last months of levels, the last report sent last month: the Beranda's trend shows them.
const fromMonth = (() => {
  const jakarta = new Date(Date.now() + 7 * 3600 * 1000);
  const first = jakarta.getUTCFullYear() * 12 + jakarta.getUTCMonth() - MONTHS - 1;
  return { year: Math.floor(first / 12), month: (first % 12) + 1 };
})();

/** The front door (dist/apps/front-door) as a process, ready when /health/ready answers 200. */
async function startFrontDoor(env) {
  const main = path.join(ROOT, 'dist', 'apps', 'front-door', 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', KKB_MODE: 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  const keep = (d) => output.push(...String(d).trimEnd().split('\n'));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const url = `http://127.0.0.1:${port}`;
  const proc = {
    name: 'front-door',
    url,
    output,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      });
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`front door exited with ${child.exitCode}:\n${output.join('\n')}`);
    const status = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return proc;
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`front door not ready in 60 s (last status ${status}):\n${output.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The page's window with what the bench keeps on it.
 * @typedef {Window & {
 *   __kkbSeen?: Record<string, number>,
 *   __kkbLong?: { start: number, duration: number }[],
 * }} BenchWindow
 */

// ---- what "painted" means on each page: checked in the page once per animation frame ----------
// Each resolves to performance.now() (ms since navigation start) of the first frame in which the
// page shows what it is for; polled by requestAnimationFrame, so at most one frame late.
const READY = {
  /** Beranda: the kampung count and a percent in the coverage figures, and the level chart's canvas. */
  dashboard: ({ count }) => {
    // When each part first showed, for the "where the time goes" line.
    const pageWindow = /** @type {BenchWindow} */ (window);
    const seen = (pageWindow.__kkbSeen ??= {});
    const mark = (name, ok) => {
      if (ok) seen[name] ??= performance.now();
      return ok;
    };
    const coverage = document.querySelector('section[aria-labelledby="coverage-title"]');
    const figures = [...(coverage?.querySelectorAll('dd') ?? [])].map((d) => d.textContent ?? '');
    const shown = mark(
      'figures',
      figures.some((t) => t.includes(count)) && figures.some((t) => t.includes('%')),
    );
    const chart = mark(
      'chart',
      document.querySelector('section[aria-labelledby="levels-title"] canvas') !== null,
    );
    return shown && chart;
  },
  /** Peta: the count says every kampung and the canvas layer has drawn something. */
  map: ({ count }) => {
    const status = document.querySelector('.map-count')?.textContent ?? '';
    if (!status.includes(count)) return false;
    const canvas = /** @type {HTMLCanvasElement | null} */ (
      document.querySelector('.map canvas.leaflet-zoom-animated, .map .leaflet-overlay-pane canvas')
    );
    if (!canvas || !canvas.width || !canvas.height) return false;
    const probe = document.createElement('canvas');
    probe.width = 64;
    probe.height = 64;
    const ctx = probe.getContext('2d', { willReadFrequently: true });
    if (!ctx) return false;
    ctx.drawImage(canvas, 0, 0, 64, 64);
    const pixels = ctx.getImageData(0, 0, 64, 64).data;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) return true;
    return false;
  },
  /** Daftar Kampung: the first page's rows in the table. */
  list: ({ rows }) =>
    document.querySelectorAll('section[aria-labelledby="list-table-title"] table tbody tr').length >= rows,
};

/** In the page: resolves at the first animation frame in which `check(arg)` holds. */
function frameWhen(check, arg, timeout) {
  return new Promise((resolve, reject) => {
    const deadline = performance.now() + timeout;
    const tick = () => {
      let ok = false;
      try {
        ok = check(arg);
      } catch {
        ok = false;
      }
      if (ok) return resolve(performance.now());
      if (performance.now() > deadline) return reject(new Error('timed out'));
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** In the page, after `frameWhen`: paint and resource timings. */
function timings() {
  return new Promise((resolve) => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null;
    const resources = /** @type {PerformanceResourceTiming[]} */ (performance.getEntriesByType('resource'));
    const scripts = resources.filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js'));
    const api = resources.filter((r) => new URL(r.name).pathname.startsWith('/api/'));
    const done = (lcp) =>
      resolve({
        fcp: paint,
        lcp,
        scriptsEnd: Math.max(0, ...scripts.map((r) => r.responseEnd)),
        apiEnd: Math.max(0, ...api.map((r) => r.responseEnd)),
        api: api.map((r) => ({
          path: new URL(r.name).pathname,
          duration: r.duration,
          end: r.responseEnd,
          bytes: r.encodedBodySize,
        })),
        seen: /** @type {BenchWindow} */ (window).__kkbSeen ?? {},
        long: /** @type {BenchWindow} */ (window).__kkbLong ?? [],
      });
    let lcp = null;
    try {
      new PerformanceObserver((list) => {
        const entries = list.getEntries();
        lcp = entries[entries.length - 1]?.startTime ?? lcp;
      }).observe({ type: 'largest-contentful-paint', buffered: true });
    } catch {
      // no LCP in this browser
    }
    setTimeout(() => done(lcp), 50); // the buffered entries arrive in a task of their own
  });
}

/**
 * One cold load of `url` in a fresh context: resolves to { ready, fcp, lcp, ..., scripts }
 * where scripts are the JS responses (url, raw and gzip bytes).
 */
async function load(browser, base, token, pagePath, kind, arg) {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'id-ID', serviceWorkers: 'block' });
  try {
    await context.addInitScript(
      ([key, value]) => {
        try {
          sessionStorage.setItem(key, value);
        } catch {
          // about:blank has no storage
        }
        // Long tasks (main thread busy for over 50 ms at a stretch) from the start.
        const long = /** @type {NonNullable<BenchWindow['__kkbLong']>} */ ([]);
        /** @type {BenchWindow} */ (window).__kkbLong = long;
        try {
          new PerformanceObserver((list) => {
            for (const e of list.getEntries()) long.push({ start: e.startTime, duration: e.duration });
          }).observe({ type: 'longtask', buffered: true });
        } catch {
          // no long task timing in this browser
        }
      },
      [TOKEN_KEY, token],
    );
    const page = await context.newPage();
    const scripts = [];
    const bodies = [];
    page.on('response', (res) => {
      if (res.request().resourceType() !== 'script') return;
      bodies.push(
        res.body().then(
          (b) => {
            if (!scripts.some((x) => x.url === res.url()))
              scripts.push({ url: res.url(), raw: b.length, gzip: gzipSync(b).length });
          },
          () => undefined,
        ),
      );
    });
    await page.goto(base + pagePath, { waitUntil: 'commit' });
    let ready;
    try {
      // One expression (the console's CSP allows no eval in the page, so no function from a string there).
      ready = await page.evaluate(`(${frameWhen})(${READY[kind]}, ${JSON.stringify(arg)}, ${WAIT_MS})`);
    } catch (err) {
      const text = (await page.textContent('body').catch(() => '')) ?? '';
      throw new Error(
        `${kind} (${pagePath}) not painted within ${WAIT_MS / 1000} s (${/** @type {Error} */ (err).message.split('\n')[0]}); at ${page.url()} the page says: ${text.replace(/\s+/g, ' ').slice(0, 400)}`,
      );
    }
    if (new URL(page.url()).pathname.startsWith('/masuk'))
      throw new Error(
        `the console sent the national officer to sign in: is ${TOKEN_KEY} still its token key?`,
      );
    const t = await page.evaluate(timings);
    await Promise.all(bodies);
    return { ready, ...t, scripts };
  } finally {
    await context.close();
  }
}

/** Median and p90 of a list of numbers. */
const stats = (values) => {
  const sorted = values.filter((v) => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), n: sorted.length };
};
const p50p90 = (values) => {
  const s = stats(values);
  return s.n ? `p50 ${msOf(s.p50)}  p90 ${msOf(s.p90)}` : 'n/a';
};

const infra = await infrastructure();
const run = benchRun(infra);
const pool = new Pool({ connectionString: infra.databaseUrl, max: 4 });
const procs = {};
let frontDoor;
let browser;
let snapshot;
try {
  nationalModules(); // everything from dist/ now: a concurrent `npm run build` empties it for a moment
  const built = path.join(ROOT, 'dist', 'apps', 'console');
  if (!existsSync(path.join(built, 'index.html')))
    throw new Error(`${built} is not built: run node tools/build.mjs --console-only`);
  // A copy of the build for the front door to serve: a rebuild meanwhile (Vite empties its output
  // first) must not change or break what is measured.
  snapshot = mkdtempSync(path.join(os.tmpdir(), 'kkb-console-bench-'));
  const consoleDir = path.join(snapshot, 'console');
  cpSync(built, consoleDir, { recursive: true });

  await prepareNational(infra, run, { label: 'console' });
  let t = now();
  Object.assign(procs, await startServiceProcesses(run, SERVICES));
  report('console.start', '4 service processes ready', secs(now() - t), '(idle while the data is loaded)');

  const { N } = await loadNational(pool, run, {
    label: 'console',
    kampung: WANTED,
    months: MONTHS,
    from: fromMonth,
    seed: SEED,
    survey: false,
  });

  t = now();
  frontDoor = await startFrontDoor({
    JWT_SECRET: run.env('registry').JWT_SECRET,
    CONSOLE_DIR: consoleDir,
    REGISTRY_URL: procs.registry.url,
    SURVEY_URL: procs.survey.url,
    CLASSIFICATION_URL: procs.classification.url,
    NOTIFICATIONS_URL: procs.notifications.url,
    LOG_LEVEL: 'warn',
  });
  const signIn = await fetch(`${frontDoor.url}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role: 'national', scope: '' }),
  });
  if (signIn.status !== 200) throw new Error(`POST /dev/token: ${signIn.status} ${await signIn.text()}`);
  const { token } = await signIn.json();
  const levels = await fetch(`${frontDoor.url}/api/v1/levels`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const national = await levels.json();
  if (national.kampung !== N)
    throw new Error(`the front door's /api/v1/levels says ${national.kampung} kampung, not ${N}`);
  report(
    'console.front door',
    `ready ${secs(now() - t)}`,
    `national levels through it: ${fmt(national.kampung)} kampung`,
  );

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // No network beyond this machine: map tiles fail at once instead of waiting on a timeout.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
  const count = new Intl.NumberFormat('id-ID').format(N);
  const pages = [
    {
      kind: 'dashboard',
      label: 'Beranda (/)',
      path: '/',
      arg: { count },
      target: TARGETS.dashboard,
      runs: RUNS,
    },
    {
      kind: 'map',
      label: `Peta (/peta), ${fmt(N)} points`,
      path: '/peta',
      arg: { count },
      target: TARGETS.map,
      runs: MAP_RUNS,
      warm: '/api/v1/kampung-levels/points',
    },
    {
      kind: 'list',
      label: 'Daftar Kampung (/kampung), first page',
      path: '/kampung',
      arg: { rows: Math.min(PAGE_SIZE, N) },
      target: TARGETS.list,
      runs: RUNS,
    },
  ];
  let dashboardScripts = null;
  for (const p of pages) {
    t = now();
    // Warms the servers, not counted: a load of the page, or for the map (a long load) its points call.
    if (p.warm)
      await fetch(frontDoor.url + p.warm, { headers: { authorization: `Bearer ${token}` } }).then((r) =>
        r.arrayBuffer(),
      );
    else await load(browser, frontDoor.url, token, p.path, p.kind, p.arg);
    const runs = [];
    for (let i = 0; i < p.runs; i++)
      runs.push(await load(browser, frontDoor.url, token, p.path, p.kind, p.arg));
    if (p.kind === 'dashboard') dashboardScripts = runs[0].scripts;
    const ready = stats(runs.map((r) => r.ready));
    report(
      `console.${p.kind} painted`,
      `p50 ${msOf(ready.p50)}  p90 ${msOf(ready.p90)}`,
      ratio(ready.p50, p.target),
      `(${p.label}, navigation start to the first frame showing it; n=${ready.n}, cold cache each)`,
    );
    report(
      `console.${p.kind} FCP / LCP`,
      `FCP ${p50p90(runs.map((r) => r.fcp))}`,
      `LCP ${p50p90(runs.map((r) => r.lcp))}`,
    );
    report(
      `console.${p.kind} where the time goes`,
      `last script in ${p50p90(runs.map((r) => r.scriptsEnd))}`,
      `last API response ${p50p90(runs.map((r) => r.apiEnd))}`,
      `painted after it ${p50p90(runs.map((r) => r.ready - r.apiEnd))}`,
      `long tasks before it ${p50p90(runs.map((r) => r.long.filter((l) => l.start < r.ready).reduce((a, l) => a + l.duration, 0)))}` +
        ` (longest ${p50p90(runs.map((r) => Math.max(0, ...r.long.filter((l) => l.start < r.ready).map((l) => l.duration))))})`,
      ...(p.kind === 'dashboard'
        ? [
            `coverage figures at ${p50p90(runs.map((r) => r.seen.figures))}`,
            `level chart at ${p50p90(runs.map((r) => r.seen.chart))}`,
          ]
        : []),
      `(${secs(now() - t)} for ${runs.length} loads + warm-up)`,
    );
    // Each API call the page made: its p50 duration and when (since navigation start) it ended.
    const calls = new Map();
    for (const r of runs) for (const c of r.api) calls.set(c.path, [...(calls.get(c.path) ?? []), c]);
    report(
      `console.${p.kind} API p50 took / done at`,
      [...calls]
        .map(([path, cs]) => ({
          path,
          took: stats(cs.map((c) => c.duration)).p50,
          end: stats(cs.map((c) => c.end)).p50,
          bytes: cs[0].bytes,
        }))
        .sort((a, b) => a.end - b.end)
        .map(
          (c) =>
            `${c.path.replace('/api/v1/', '')} ${msOf(c.took)} / ${msOf(c.end)}` +
            (c.bytes > 100 * 1024 ? ` (${kb(c.bytes)})` : ''),
        )
        .join('  '),
    );
  }

  // ---- JS shipped
  const raw = dashboardScripts.reduce((a, s) => a + s.raw, 0);
  const gz = dashboardScripts.reduce((a, s) => a + s.gzip, 0);
  report(
    'console.JS the Beranda loads (gzip)',
    kb(gz),
    ratio(gz, TARGETS.dashboardJs),
    `${dashboardScripts.length} scripts, ${kb(raw)} uncompressed (the front door sends the build's precompressed .br/.gz copies to browsers that accept them):`,
    [...dashboardScripts]
      .sort((a, b) => b.gzip - a.gzip)
      .map((x) => `${path.basename(new URL(x.url).pathname)} ${kb(x.gzip)}`)
      .join(', '),
  );
  const assets = path.join(consoleDir, 'assets');
  const chunks = readdirSync(assets)
    .filter((f) => f.endsWith('.js'))
    .map((f) => {
      const b = readFileSync(path.join(assets, f));
      return { name: f, raw: b.length, gzip: gzipSync(b).length };
    })
    .sort((a, b) => b.gzip - a.gzip);
  report(
    'console.JS of the whole build (gzip)',
    kb(chunks.reduce((a, c) => a + c.gzip, 0)),
    `${chunks.length} chunks, ${kb(chunks.reduce((a, c) => a + c.raw, 0))} uncompressed`,
    `largest ${chunks
      .slice(0, 3)
      .map((c) => `${c.name} ${kb(c.gzip)}`)
      .join(', ')}`,
  );
} catch (err) {
  for (const p of [...Object.values(procs), frontDoor].filter(Boolean))
    process.stderr.write(`--- ${p.name} (last lines)\n${p.output.slice(-15).join('\n')}\n`);
  throw err;
} finally {
  await browser?.close().catch(() => undefined);
  await frontDoor?.stop().catch(() => undefined);
  for (const p of Object.values(procs)) await p.stop().catch(() => undefined);
  await pool.end().catch(() => undefined);
  if (snapshot) rmSync(snapshot, { recursive: true, force: true });
  await run.cleanup();
  await infra.stop();
}
