#!/usr/bin/env node
// Writes each service's OpenAPI document and the console's TypeScript types for it:
//
//   apps/console/src/api/openapi/<service>.json    (the document, keys sorted, prettier-formatted)
//   apps/console/src/api/generated/<service>.ts    (openapi-typescript: `paths`, `components`, ...)
//   apps/front-door/openapi.json                   (one document for the whole platform, as the front
//                                                   door exposes it; served at /api/openapi.json)
//   apps/front-door/asyncapi.json                  (the AsyncAPI document: libs/contracts/asyncapi.yaml
//                                                   with the payload schemas generated from the contract
//                                                   classes; served at /api/asyncapi.json)
//
//   node tools/openapi.mjs            (npm run openapi) write the files
//   node tools/openapi.mjs --check    exit 1 and name the files that are not current
//
// How the documents are made without Postgres or NATS: each service's root module (the same
// `serviceModule()` that `startService` uses) is created in Nest's *preview* mode, which scans
// modules and controllers but instantiates nothing (no connections, no migrations), and
// SwaggerModule.createDocument reads the decorators as it does at boot (libs/bootstrap/src/create-service-app.ts).
// e2e/src/openapi.e2e.spec.ts starts the real services and checks that what they serve at /docs-json is
// exactly what is committed here, so the shortcut cannot drift from the truth unnoticed.
//
// The TypeScript sources are loaded with @swc-node/register (decorator metadata, @kkb/* paths
// from tsconfig.json), so nothing is built into dist/ and a running `npm start` is not disturbed.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_JSON = path.join(ROOT, 'apps/console/src/api/openapi');
const OUT_TS = path.join(ROOT, 'apps/console/src/api/generated');
const OUT_PLATFORM = path.join(ROOT, 'apps/front-door/openapi.json');
const OUT_ASYNCAPI = path.join(ROOT, 'apps/front-door/asyncapi.json');

/** The merged document's description: what an integrator reads first. */
const PLATFORM_DESCRIPTION = `The HTTP API of the national Kampung Keluarga Berkualitas (Kampung KB) platform: the
register of kampung and regions, surveys and their verification, classification levels, and
notifications (webhook subscriptions, the inbox, the event feed). One origin, the front door,
routes each path to the service that owns it.

**Authentication.** Every operation takes a bearer JWT (\`Authorization: Bearer <token>\`) issued
by the platform's OpenID Provider (people sign in with the authorization code flow; integrators
use the client credentials grant). The token's role and region claims decide what the caller may
do and which regions it may see: an officer of province 16 sees province 16 only.

**Errors.** Every error is an RFC 9457 problem (\`application/problem+json\`); its \`type\` is a URL
whose page (served by the front door at \`/problems/<name>\`) says what the problem means and what
to do about it.

**Events.** What the platform publishes (on NATS, by webhook and in the event feed) is described
by the AsyncAPI document at \`/api/asyncapi.json\` (rendered at \`/docs/events\`).`;

/** Service name -> [source file, exported ServiceDefinition]. */
export const SERVICES = {
  registry: ['services/registry/src/service.ts', 'registryService'],
  survey: ['services/survey/src/service.ts', 'surveyService'],
  classification: ['services/classification/src/service.ts', 'classificationService'],
  notifications: ['services/notifications/src/service.ts', 'notificationsService'],
};

/** Placeholders: config validation wants them, preview mode never connects to anything. */
const DOCS_ENV = {
  DATABASE_URL: 'postgres://openapi@127.0.0.1:1/openapi',
  NATS_URL: 'nats://127.0.0.1:1',
  JWT_SECRET: 'openapi-document-generation-only',
  NODE_ENV: 'development',
  LOG_LEVEL: 'silent',
  REGIONS_AUTO_IMPORT: 'false',
};

/**
 * Same value, object keys sorted at every depth (arrays keep their order).
 * @template T
 * @param {T} value
 * @returns {T}
 */
export function sortKeys(value) {
  if (Array.isArray(value)) return /** @type {T} */ (value.map(sortKeys));
  if (value && typeof value === 'object') {
    return /** @type {T} */ (
      Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, sortKeys(/** @type {Record<string, unknown>} */ (value)[k])]),
      )
    );
  }
  return value;
}

let registered = false;
/** @param {string} file */
function requireTs(file) {
  const require = createRequire(path.join(ROOT, 'package.json'));
  if (!registered) {
    process.env.SWC_NODE_PROJECT ??= path.join(ROOT, 'tsconfig.json');
    require('@swc-node/register/register').register();
    require('reflect-metadata');
    registered = true;
  }
  return require(path.join(ROOT, file));
}

/**
 * The OpenAPI document of one service, as libs/bootstrap's createServiceApp builds it.
 * @param {keyof typeof SERVICES} name
 */
export async function serviceDocument(name) {
  const [file, exported] = SERVICES[name];
  const def = requireTs(file)[exported];
  const { loadServiceConfig, serviceModule } = requireTs('libs/bootstrap/src/index.ts');
  const require = createRequire(path.join(ROOT, 'package.json'));
  const { NestFactory } = require('@nestjs/core');
  const { FastifyAdapter } = require('@nestjs/platform-fastify');
  const { DocumentBuilder, SwaggerModule } = require('@nestjs/swagger');
  const config = loadServiceConfig(def, { ...DOCS_ENV });
  const app = await NestFactory.create(serviceModule(def, config), new FastifyAdapter(), {
    preview: true,
    logger: false,
  });
  // Keep in step with createServiceApp (libs/bootstrap/src/create-service-app.ts).
  const builder = new DocumentBuilder()
    .setTitle(def.title)
    .setDescription(def.description)
    .setVersion('1')
    .addBearerAuth()
    .build();
  return sortKeys(SwaggerModule.createDocument(app, builder));
}

/**
 * @param {string} source
 * @param {string} filepath
 * @returns {Promise<string>}
 */
async function format(source, filepath) {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const prettier = require('prettier');
  const options = (await prettier.resolveConfig(filepath)) ?? {};
  return prettier.format(source, { ...options, filepath });
}

const HEADER =
  '// Generated by `npm run openapi` (tools/openapi.mjs) from the service OpenAPI document. Do not edit.\n';

/** @typedef {import('../libs/platform/src/openapi-problems.js').OpenApiDocument} OpenApiDocument */

/**
 * Renames a service's component to a name no other service uses for different content.
 * @param {string} service
 * @param {string} name
 */
const qualified = (service, name) => `${service[0].toUpperCase()}${service.slice(1)}${name}`;

/**
 * Every `$ref` to `#/components/<kind>/<name>` renamed per `renames` (`kind/name` -> new name).
 * @param {unknown} value
 * @param {Map<string, string>} renames
 * @returns {unknown}
 */
function renameRefs(value, renames) {
  if (Array.isArray(value)) return value.map((v) => renameRefs(v, renames));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        if (k === '$ref' && typeof v === 'string') {
          const m = /^#\/components\/([^/]+)\/(.+)$/.exec(v);
          const renamed = m && renames.get(`${m[1]}/${m[2]}`);
          return [k, renamed ? `#/components/${m[1]}/${renamed}` : v];
        }
        return [k, renameRefs(v, renames)];
      }),
    );
  }
  return value;
}

/**
 * One OpenAPI document for the platform: each service's paths that the front door routes to it
 * (routes.json; health and `internal` paths stay out), components merged (a name two services use
 * for different schemas is prefixed with the service name, e.g. `SurveyKampungView`), clashing
 * operation ids prefixed too, one bearer JWT security scheme and an OpenID Connect one, and every
 * operation given its error responses as application/problem+json (libs/platform's
 * withProblemResponses).
 * @param {Record<string, OpenApiDocument>} docs
 */
export function mergeDocuments(docs) {
  const { loadRouteTable, compileRouteTable } = requireTs('apps/front-door/src/route-table.ts');
  const { withProblemResponses } = requireTs('libs/platform/src/openapi-problems.ts');
  const table = loadRouteTable();
  const routesFor = compileRouteTable(table);
  const internal = new Set(table.internal.map((/** @type {{ path: string }} */ i) => i.path));
  /** @type {Record<string, Record<string, unknown>>} */
  const components = {};
  /** @type {Record<string, Record<string, Record<string, unknown>>>} */
  const paths = {};
  /** @type {Map<string, { name: string, description?: string }>} */
  const tags = new Map();
  /** How many services use each operation id. */
  const opIds = new Map();
  for (const doc of Object.values(docs))
    for (const item of Object.values(doc.paths))
      for (const op of Object.values(item)) opIds.set(op.operationId, (opIds.get(op.operationId) ?? 0) + 1);
  // Which component names clash: the same kind/name with different content in two services.
  /** @type {Map<string, string>} */
  const firstJson = new Map();
  const clashing = new Set();
  for (const doc of Object.values(docs)) {
    for (const [kind, entries] of Object.entries(doc.components ?? {})) {
      if (kind === 'securitySchemes') continue;
      for (const [name, value] of Object.entries(entries)) {
        const json = JSON.stringify(value);
        const key = `${kind}/${name}`;
        if (firstJson.has(key) && firstJson.get(key) !== json) clashing.add(key);
        else firstJson.set(key, json);
      }
    }
  }
  for (const [service, original] of Object.entries(docs)) {
    const renames = new Map([...clashing].map((key) => [key, qualified(service, key.split('/')[1])]));
    const doc = /** @type {OpenApiDocument} */ (renameRefs(original, renames));
    for (const [kind, entries] of Object.entries(doc.components ?? {})) {
      if (kind === 'securitySchemes') continue;
      components[kind] ??= {};
      for (const [name, value] of Object.entries(entries))
        components[kind][renames.get(`${kind}/${name}`) ?? name] = value;
    }
    for (const [template, item] of Object.entries(doc.paths)) {
      if (internal.has(template)) continue;
      const routed = routesFor(template.replace(/\{[^}]+\}/g, 'x'));
      if (routed.length !== 1 || routed[0].service !== service) continue;
      if (paths[template]) throw new Error(`openapi: ${template} is documented by two services`);
      paths[template] = Object.fromEntries(
        Object.entries(item).map(([method, op]) => [
          method,
          (opIds.get(op.operationId) ?? 0) > 1 ? { ...op, operationId: `${service}_${op.operationId}` } : op,
        ]),
      );
    }
    for (const tag of /** @type {{ name: string, description?: string }[]} */ (doc.tags ?? []))
      if (!tags.has(tag.name)) tags.set(tag.name, tag);
  }
  const usedTags = new Set(
    Object.values(paths).flatMap((item) =>
      Object.values(item).flatMap((op) => /** @type {string[]} */ (op.tags ?? [])),
    ),
  );
  for (const name of usedTags) if (!tags.has(name)) tags.set(name, { name });
  /** @type {OpenApiDocument} */
  const merged = {
    openapi: '3.0.0',
    info: {
      title: 'Kampung KB platform API',
      version: '1',
      description: PLATFORM_DESCRIPTION,
      license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
    },
    servers: [
      { url: '/', description: 'The front door of this deployment (the same origin as the console).' },
    ],
    tags: [...tags.values()]
      .filter((t) => usedTags.has(t.name))
      .map((t) => ({ description: `Operations on ${t.name}.`, ...t }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      ...components,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An access token from the OpenID Provider (see `oidc`): people sign in with authorization code + PKCE, integrators use client credentials.',
        },
        oidc: {
          type: 'openIdConnect',
          openIdConnectUrl: '/.well-known/openid-configuration',
          description:
            "The deployment's OpenID Provider (the embedded one locally, the ministry's in production, e.g. Keycloak). Its tokens are sent as `bearer`.",
        },
      },
    },
  };
  const withProblems = withProblemResponses(merged, 'bearer');
  // A token of the OpenID Provider is what `bearer` carries: either requirement is met by it.
  for (const item of Object.values(withProblems.paths))
    for (const op of Object.values(item)) op.security = [...(op.security ?? []), { oidc: [] }];
  return sortKeys(withoutUnusedComponents(withProblems));
}

/**
 * Drops the components nothing refers to (e.g. the health endpoints' schemas): from the paths,
 * follow `$ref`s through the components, keep what is reached (and every security scheme).
 * @param {OpenApiDocument} doc
 * @returns {OpenApiDocument}
 */
function withoutUnusedComponents(doc) {
  const components = /** @type {Record<string, Record<string, unknown>>} */ (doc.components ?? {});
  const reached = new Set();
  /** @param {unknown} value */
  const visit = (value) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === '$ref' && typeof v === 'string') {
          const m = /^#\/components\/([^/]+)\/(.+)$/.exec(v);
          if (m && !reached.has(`${m[1]}/${m[2]}`)) {
            reached.add(`${m[1]}/${m[2]}`);
            visit(components[m[1]]?.[m[2]]);
          }
        } else visit(v);
      }
    }
  };
  visit(doc.paths);
  const kept = Object.fromEntries(
    Object.entries(components).map(([kind, entries]) => [
      kind,
      kind === 'securitySchemes'
        ? entries
        : Object.fromEntries(Object.entries(entries).filter(([name]) => reached.has(`${kind}/${name}`))),
    ]),
  );
  return { ...doc, components: kept };
}

/** The AsyncAPI document: libs/contracts/asyncapi.yaml with the generated payload schemas. */
export function asyncApiDocument() {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const { parse } = require('yaml');
  const { buildAsyncApi, loadAsyncApi } = requireTs('libs/contracts/src/asyncapi.ts');
  return buildAsyncApi(parse(loadAsyncApi()));
}

/**
 * Renders the merged OpenAPI document (apps/front-door/openapi.json) as one static HTML page with
 * Redocly (`redocly build-docs --inlineBundle`: Redoc's script is inlined, so the page loads
 * nothing from a CDN). tools/build.mjs calls it; the front door serves the page at /docs/api.
 * @param {string} outFile
 */
export function renderApiDocs(outFile) {
  const require = createRequire(path.join(ROOT, 'package.json'));
  const cli = path.join(path.dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
  const result = spawnSync(
    process.execPath,
    [cli, 'build-docs', OUT_PLATFORM, '--inlineBundle', '--title', 'Kampung KB platform API', '-o', outFile],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  if (result.status !== 0) throw new Error(`redocly build-docs failed:\n${result.stderr}${result.stdout}`);
}

/** { file: contents } for every output file. */
export async function renderAll() {
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  /** @type {Record<string, string>} */
  const files = {};
  /** @type {Record<string, OpenApiDocument>} */
  const docs = {};
  for (const name of /** @type {(keyof typeof SERVICES)[]} */ (Object.keys(SERVICES))) {
    const doc = await serviceDocument(name);
    docs[name] = /** @type {OpenApiDocument} */ (/** @type {unknown} */ (doc));
    const jsonFile = path.join(OUT_JSON, `${name}.json`);
    files[jsonFile] = await format(JSON.stringify(doc, null, 2), jsonFile);
    // The same document: @nestjs/swagger's types and openapi-typescript's differ only in details
    // such as x- extension index signatures.
    const openapi3 = /** @type {import('openapi-typescript').OpenAPI3} */ (
      /** @type {unknown} */ (structuredClone(doc))
    );
    const ast = await openapiTS(openapi3, { alphabetize: false });
    const tsFile = path.join(OUT_TS, `${name}.ts`);
    files[tsFile] = await format(HEADER + astToString(ast), tsFile);
  }
  files[OUT_PLATFORM] = await format(JSON.stringify(mergeDocuments(docs), null, 2), OUT_PLATFORM);
  files[OUT_ASYNCAPI] = await format(JSON.stringify(asyncApiDocument(), null, 2), OUT_ASYNCAPI);
  return files;
}

async function main() {
  const check = process.argv.includes('--check');
  const files = await renderAll();
  const stale = [];
  for (const [file, contents] of Object.entries(files)) {
    const current = existsSync(file) ? readFileSync(file, 'utf8') : null;
    if (current === contents) continue;
    stale.push(path.relative(ROOT, file));
    if (!check) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, contents);
    }
  }
  if (check) {
    if (stale.length) {
      process.stderr.write(`openapi: not current (run \`npm run openapi\`):\n  ${stale.join('\n  ')}\n`);
      process.exit(1);
    }
    process.stdout.write('openapi: documents and types are current\n');
  } else {
    process.stdout.write(
      stale.length ? `openapi: wrote\n  ${stale.join('\n  ')}\n` : 'openapi: nothing changed\n',
    );
  }
  // Preview-mode apps hold no connections, but loaded modules may keep timers; nothing else to do.
  process.exit(0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => {
    process.stderr.write(`${err.stack ?? err}\n`);
    process.exit(1);
  });
}
