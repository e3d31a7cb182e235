#!/usr/bin/env node
// Compiles services/*/src and libs/*/src (specs excluded) with @swc/core into dist/, mirroring
// the source tree: services/registry/src/main.ts -> dist/services/registry/src/main.js.
//
// Why swc and not esbuild: NestJS dependency injection reads the constructor parameter types
// that `emitDecoratorMetadata` records, which esbuild does not emit. swc does (legacy decorators
// + decoratorMetadata) and is ~20x faster than tsc. It does not type-check: `npm run typecheck`
// does that.
//
// `@kkb/<lib>` imports are rewritten by swc (jsc.baseUrl + jsc.paths) into relative paths; since
// dist/ mirrors the source tree, the same relative path resolves inside dist/. After compiling,
// every relative require() in the output is checked to resolve to a compiled file, so a broken
// alias fails the build rather than the first boot.
//
//   node tools/build.mjs            (npm run build)
//   import { build } from './build.mjs'; await build({ quiet: true })
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const SOURCE_GROUPS = ['services', 'libs', 'apps'];
/** Projects built by Vite, not swc (the console): their output is dist/apps/<name>, kept across swc builds. */
/** @param {string} dir */
const isViteProject = (dir) => existsSync(path.join(dir, 'vite.config.ts'));
/** Files next to the code that a service reads at runtime (e.g. libs/contracts/asyncapi.yaml). */
const ASSET_EXTENSIONS = new Set(['.yaml', '.yml', '.json', '.sql', '.csv']);
/** Project files that are build/test configuration, never runtime assets. */
const NOT_ASSETS = new Set([
  'project.json',
  'package.json',
  'tsconfig.json',
  'tsconfig.lib.json',
  'tsconfig.app.json',
  'tsconfig.spec.json',
  '.eslintrc.json',
]);

/** @param {string} file */
const swcOptions = (file) => ({
  filename: file,
  swcrc: false,
  configFile: false,
  sourceMaps: true,
  // Relative to the output file, so stack traces and debuggers find the .ts beside the repo.
  sourceFileName: path.relative(path.dirname(outPath(file)), file),
  module: { type: 'commonjs', strict: false, noInterop: false },
  jsc: {
    target: 'es2022',
    keepClassNames: true,
    baseUrl: ROOT, // must be absolute
    paths: { '@kkb/*': ['libs/*/src/index.ts'] },
    parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
  },
});

/** @param {string} file */
function outPath(file) {
  return path.join(DIST, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
}

/**
 * @param {string} dir
 * @param {string[]} [out]
 * @returns {string[]}
 */
function walk(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== '__snapshots__') walk(full, out);
    } else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** The .ts sources to compile and the runtime assets to copy, per project. */
function collect() {
  const sources = [];
  const assets = [];
  for (const group of SOURCE_GROUPS) {
    const groupDir = path.join(ROOT, group);
    if (!existsSync(groupDir)) continue;
    for (const project of readdirSync(groupDir, { withFileTypes: true })) {
      if (!project.isDirectory()) continue;
      const projectDir = path.join(groupDir, project.name);
      if (isViteProject(projectDir)) continue;
      // Assets at the project root (libs/contracts/asyncapi.yaml), read via __dirname/..
      for (const entry of readdirSync(projectDir, { withFileTypes: true })) {
        if (entry.isFile() && isAsset(entry.name)) assets.push(path.join(projectDir, entry.name));
      }
      const srcDir = path.join(projectDir, 'src');
      if (!existsSync(srcDir)) continue;
      for (const file of walk(srcDir)) {
        const name = path.basename(file);
        if (name.endsWith('.ts')) {
          if (!name.endsWith('.spec.ts') && !name.endsWith('.d.ts')) sources.push(file);
        } else if (isAsset(name)) assets.push(file);
      }
    }
  }
  return { sources, assets };
}

/** @param {string} name */
function isAsset(name) {
  return (
    ASSET_EXTENSIONS.has(path.extname(name)) && !NOT_ASSETS.has(name) && !/^(jest|tsconfig)\b/.test(name)
  );
}

/** Every relative require()/import() in the output must land on a compiled file. */
/**
 * @param {string} outFile
 * @param {string} code
 * @returns {string[]}
 */
function unresolvedImports(outFile, code) {
  const problems = [];
  const re = /\brequire\(\s*["']([^"']+)["']\s*\)|\bimport\(\s*["']([^"']+)["']\s*\)/g;
  for (const m of code.matchAll(re)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith('@kkb/')) {
      problems.push(`${path.relative(ROOT, outFile)}: '${spec}' was not rewritten to a relative path`);
      continue;
    }
    if (!spec.startsWith('./') && !spec.startsWith('../')) continue;
    const base = path.resolve(path.dirname(outFile), spec);
    const candidates = [base, `${base}.js`, path.join(base, 'index.js')];
    if (!candidates.some((c) => existsSync(c) && statSync(c).isFile())) {
      problems.push(`${path.relative(ROOT, outFile)}: require('${spec}') does not resolve inside dist/`);
    }
  }
  return problems;
}

/**
 * Cleans dist/ and compiles everything. Resolves to { files, assets, ms }; rejects with an
 * Error listing every failed file when anything does not compile or resolve.
 * @param {{ quiet?: boolean, console?: boolean }} [options]
 * @returns {Promise<{ files: number, assets: number, ms: number, console?: { skipped: boolean, ms: number } | null }>}
 */
export async function build({ quiet = false, console: withConsole = true } = {}) {
  const started = performance.now();
  // @swc/core is a devDependency resolved from the repo, whatever the caller's cwd.
  const swc = createRequire(path.join(ROOT, 'package.json'))('@swc/core');
  // Everything swc writes is rebuilt from nothing; the console's Vite output is left alone.
  for (const group of SOURCE_GROUPS) {
    const out = path.join(DIST, group);
    if (!existsSync(out)) continue;
    for (const entry of readdirSync(out)) {
      if (!isViteProject(path.join(ROOT, group, entry)))
        rmSync(path.join(out, entry), { recursive: true, force: true });
    }
  }
  const { sources, assets } = collect();

  const made = new Set();
  /** @param {string} dir */
  const ensureDir = (dir) => {
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
  };

  const errors = [];
  const outputs = await Promise.all(
    sources.map(async (file) => {
      try {
        const { code, map } = await swc.transformFile(file, swcOptions(file));
        const out = outPath(file);
        ensureDir(path.dirname(out));
        const mapName = `${path.basename(out)}.map`;
        writeFileSync(out, `${code}\n//# sourceMappingURL=${mapName}\n`);
        if (map) writeFileSync(path.join(path.dirname(out), mapName), map);
        return { out, code };
      } catch (err) {
        // swc appends a native backtrace after the useful part; keep the message and the snippet.
        const message = String(/** @type {Error | undefined} */ (err)?.message ?? err)
          .split(/\n\s*(?:Caused by:|Stack backtrace:)/)[0]
          .trim();
        errors.push(`${path.relative(ROOT, file)}: ${message}`);
        return null;
      }
    }),
  );
  for (const asset of assets) {
    const out = path.join(DIST, path.relative(ROOT, asset));
    ensureDir(path.dirname(out));
    copyFileSync(asset, out);
  }
  if (!errors.length) {
    for (const o of outputs) if (o) errors.push(...unresolvedImports(o.out, o.code));
  }
  const ms = Math.round(performance.now() - started);
  if (errors.length) {
    throw Object.assign(
      new Error(
        `build failed (${errors.length} problem${errors.length === 1 ? '' : 's'}):\n${errors.join('\n')}`,
      ),
      { problems: errors },
    );
  }
  /** @type {Awaited<ReturnType<typeof build>>} */
  const summary = { files: sources.length, assets: assets.length, ms };
  if (!quiet) {
    process.stdout.write(
      `build: ${summary.files} files + ${summary.assets} assets -> dist/ in ${summary.ms} ms\n`,
    );
  }
  if (withConsole) summary.console = await buildConsole({ quiet });
  // The HTTP API's rendered documentation, served by the front door at /docs/api.
  if (withConsole)
    (await import('./openapi.mjs')).renderApiDocs(path.join(DIST, 'apps/front-door/api-docs.html'));
  return summary;
}

const CONSOLE_DIR = path.join(ROOT, 'apps', 'console');
const CONSOLE_OUT = path.join(DIST, 'apps', 'console');
const CONSOLE_STAMP = path.join(CONSOLE_OUT, '.inputs-sha256');

/** Libraries the console bundles from source (one implementation for the service and the browser). */
const CONSOLE_LIBS = [path.join(ROOT, 'libs', 'instrument-rules', 'src')];

/** A hash of everything the console's build reads: its sources, the libraries it bundles, the lock file. */
function consoleInputsHash() {
  const hash = createHash('sha256');
  const files = [CONSOLE_DIR, ...CONSOLE_LIBS]
    .flatMap((dir) => walk(dir))
    .filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`))
    .sort();
  for (const f of [...files, path.join(ROOT, 'package-lock.json')]) {
    hash.update(path.relative(ROOT, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Brotli and gzip copies beside every script, style sheet and SVG of the console, made once at
 * build time: the front door serves them to browsers that accept them (@fastify/static's
 * preCompressed), so ~1 MB of JS travels as ~300 KB and no CPU is spent compressing per request.
 */
/** @param {string} dir */
function precompress(dir) {
  for (const file of walk(dir)) {
    if (!/\.(js|css|svg|json)$/.test(file)) continue;
    const data = readFileSync(file);
    if (data.length < 1024) continue;
    writeFileSync(
      `${file}.br`,
      brotliCompressSync(data, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }),
    );
    writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
  }
}

/**
 * Builds the console (apps/console) with Vite into dist/apps/console, unless the output was built
 * from exactly the same inputs (a hash kept beside it): a few seconds the first time, nothing after.
 */
export async function buildConsole({ quiet = false, force = false } = {}) {
  if (!existsSync(path.join(CONSOLE_DIR, 'vite.config.ts'))) return null;
  const started = performance.now();
  const inputs = consoleInputsHash();
  if (!force && existsSync(CONSOLE_STAMP) && readFileSync(CONSOLE_STAMP, 'utf8') === inputs) {
    return { skipped: true, ms: Math.round(performance.now() - started) };
  }
  process.env.VITE_CONFIG_NATIVE_IGNORE_WARNING ??= 'true';
  const vite = await import('vite');
  // Always a production build: Vite respects a NODE_ENV already set (Jest sets `test`, which gave
  // React's development build), and the hash above does not see the environment. Restored after,
  // since the caller (npm start) passes its environment on to the services, which refuse the
  // local development secret under NODE_ENV=production.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await vite.build({
      configFile: path.join(CONSOLE_DIR, 'vite.config.ts'),
      mode: 'production',
      logLevel: quiet ? 'warn' : 'info',
    });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  precompress(path.join(CONSOLE_OUT, 'assets'));
  writeFileSync(CONSOLE_STAMP, inputs);
  const ms = Math.round(performance.now() - started);
  if (!quiet) process.stdout.write(`build: console -> dist/apps/console in ${ms} ms\n`);
  return { skipped: false, ms };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  // --no-console: services, libs and the front door only; --console-only: the console only (what a
  // browser test needs, without touching the dist/ that running services use).
  const run = process.argv.includes('--console-only')
    ? buildConsole()
    : build({ console: !process.argv.includes('--no-console') });
  run.catch((err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
}
