// The e2e project is the one place allowed to start several services together.
/* eslint-disable @nx/enforce-module-boundaries */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestService, TestRun, type TestService } from '@kkb/testing';
import type { ServiceDefinition } from '@kkb/bootstrap';
import { classificationService } from '../../services/classification/src/service';
import { notificationsService } from '../../services/notifications/src/service';
import { registryService } from '../../services/registry/src/service';
import { surveyService } from '../../services/survey/src/service';

const ROOT = path.join(__dirname, '..', '..');
const DOCS = path.join(ROOT, 'apps/console/src/api/openapi');
const STALE = 'The committed OpenAPI documents are not current: run `npm run openapi` and commit the result';

const definitions: Record<string, ServiceDefinition> = {
  registry: registryService as unknown as ServiceDefinition,
  survey: surveyService as unknown as ServiceDefinition,
  classification: classificationService as unknown as ServiceDefinition,
  notifications: notificationsService as unknown as ServiceDefinition,
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys(value[k])]),
    );
  }
  return value;
}

function committed(service: string): Json {
  return JSON.parse(readFileSync(path.join(DOCS, `${service}.json`), 'utf8')) as Json;
}

type Schema = { [key: string]: Json };
interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** Every 2xx response (204 aside) of a document, as `METHOD path status` with its body schemas. */
function successResponses(doc: Json): { name: string; schemas: (Schema | undefined)[] }[] {
  const out: { name: string; schemas: (Schema | undefined)[] }[] = [];
  for (const [route, item] of Object.entries((doc as unknown as Document).paths)) {
    for (const [method, op] of Object.entries(item)) {
      for (const [status, res] of Object.entries(op.responses ?? {})) {
        if (!/^2\d\d$/.test(status) || status === '204') continue;
        const media = Object.values(res.content ?? {});
        out.push({
          name: `${method.toUpperCase()} ${route} ${status}`,
          schemas: media.length ? media.map((m) => m.schema) : [undefined],
        });
      }
    }
  }
  return out;
}

/** `METHOD path status` of every success response that has no body schema. */
export function successResponsesWithoutSchema(doc: Json): string[] {
  return successResponses(doc)
    .filter((r) => r.schemas.some((s) => !s))
    .map((r) => r.name);
}

/**
 * Places in the schemas of success responses that say nothing of their content: `type: object`
 * without properties, additionalProperties or a composition. Swagger writes these when a property
 * is a union (`string | null` is reflected as Object) and no explicit `type` was given.
 */
export function vagueObjects(doc: Json): string[] {
  const components = (doc as unknown as Document).components?.schemas ?? {};
  const found = new Set<string>();
  const seen = new Set<string>();
  const visit = (node: Json, where: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${where}[${i}]`));
    if (!node || typeof node !== 'object') return;
    const ref = node.$ref;
    if (typeof ref === 'string') {
      const name = ref.split('/').pop() as string;
      if (!seen.has(name)) {
        seen.add(name);
        visit(components[name] ?? null, name);
      }
      return;
    }
    if (
      node.type === 'object' &&
      !node.properties &&
      node.additionalProperties === undefined &&
      !node.allOf &&
      !node.oneOf &&
      !node.anyOf
    ) {
      found.add(where);
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'example') visit(v, `${where}.${k}`);
  };
  for (const r of successResponses(doc)) r.schemas.forEach((s, i) => visit(s ?? null, `${r.name} #${i}`));
  return [...found].sort();
}

describe('OpenAPI documents (apps/console/src/api/openapi)', () => {
  const run = new TestRun();
  const services: Record<string, TestService> = {};

  beforeAll(async () => {
    for (const [name, def] of Object.entries(definitions)) {
      services[name] = await startTestService(run, def);
    }
  });

  afterAll(async () => {
    for (const s of Object.values(services)) await s.close();
    await run.cleanup();
  });

  it.each(Object.keys(definitions))(
    'should commit exactly the document %s serves at /docs-json',
    async (name) => {
      const res = await services[name].request({ method: 'GET', url: '/docs-json' });
      expect(res.statusCode).toBe(200);
      const served = sortKeys(res.json() as Json);
      // Compared as a whole: a differing document is one `npm run openapi` away from current.
      if (JSON.stringify(served) !== JSON.stringify(committed(name))) {
        expect({ message: STALE, served }).toEqual({ message: STALE, served: committed(name) });
      }
    },
  );

  it('should have current generated TypeScript types (apps/console/src/api/generated)', () => {
    // The tool renders every document and its types in memory and compares them with the files.
    let output = '';
    try {
      output = execFileSync(process.execPath, ['tools/openapi.mjs', '--check'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (err) {
      const e = err as { stdout: string; stderr: string };
      output = `${e.stdout}${e.stderr}`;
    }
    expect(output).toContain('openapi: documents and types are current');
  }, 180_000);

  it('should give every success response of every service a named schema', () => {
    const gaps = Object.keys(definitions).flatMap((name) =>
      successResponsesWithoutSchema(committed(name)).map((g) => `${name}: ${g}`),
    );
    expect(gaps).toEqual([]);
  });

  it('should describe what success responses contain (no bare `type: object`)', () => {
    const vague = Object.keys(definitions).flatMap((name) =>
      vagueObjects(committed(name)).map((g) => `${name}: ${g}`),
    );
    expect(vague).toEqual([]);
  });
});

describe('the merged platform document (apps/front-door/openapi.json)', () => {
  const PROBLEM_REF = '#/components/schemas/Problem';
  const doc = JSON.parse(readFileSync(path.join(ROOT, 'apps/front-door/openapi.json'), 'utf8')) as {
    paths: Record<
      string,
      Record<string, Json & { summary?: string; security?: Json[]; responses: Record<string, Json> }>
    >;
    components: { responses: Record<string, Json>; schemas: Record<string, Schema> };
  };
  const operations = Object.entries(doc.paths).flatMap(([route, item]) =>
    Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${route}`, op })),
  );
  /** The response object, following a `$ref` to components/responses. */
  const resolve = (r: Json): Schema => {
    const ref = (r as Schema).$ref;
    return (typeof ref === 'string' ? doc.components.responses[ref.split('/').pop() as string] : r) as Schema;
  };

  it('should hold every path of every service that the front door routes, and no health or internal path', () => {
    const routes = Object.keys(doc.paths);
    expect(routes.length).toBeGreaterThan(50);
    for (const name of Object.keys(definitions)) {
      const own = Object.keys((committed(name) as unknown as Document).paths).filter(
        (p) => !p.startsWith('/health') && p !== '/api/v1/projections/kampung/{id}',
      );
      expect(own.filter((p) => !routes.includes(p))).toEqual([]);
    }
    expect(routes.filter((p) => p.startsWith('/health') || p.startsWith('/api/v1/projections'))).toEqual([]);
  });

  it('should give every operation a summary, bearer security and its errors as application/problem+json', () => {
    const gaps: string[] = [];
    for (const { name, op } of operations) {
      if (!op.summary) gaps.push(`${name}: no summary`);
      if (!JSON.stringify(op.security ?? []).includes('"bearer"')) gaps.push(`${name}: no bearer security`);
      const errors = Object.entries(op.responses).filter(([status]) => /^[45]/.test(status));
      for (const status of ['400', '401', '403', '429', '503'])
        if (!op.responses[status]) gaps.push(`${name}: no ${status}`);
      if (name.includes('{') && !op.responses['404']) gaps.push(`${name}: no 404`);
      for (const [status, r] of errors) {
        const content = resolve(r).content as Record<string, Schema> | undefined;
        if ((content?.['application/problem+json']?.schema as Schema | undefined)?.$ref !== PROBLEM_REF)
          gaps.push(`${name}: ${status} is not a problem+json Problem`);
      }
    }
    expect(gaps).toEqual([]);
    expect(doc.components.schemas.Problem).toMatchObject({
      required: ['type', 'title', 'status'],
      properties: { errors: { items: { required: ['field', 'reason'] } } },
    });
  });

  it('should pass `redocly lint` with the recommended rules with no error', () => {
    const lint = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', 'apps/front-door/openapi.json'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off' } },
    );
    const output = `${lint.stdout}${lint.stderr}`;
    expect({ status: lint.status, valid: output.includes('Your API description is valid') }).toEqual({
      status: 0,
      valid: true,
    });
  }, 60_000);
});
