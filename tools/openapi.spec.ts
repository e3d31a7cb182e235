import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

/** Any JSON value, read by property path in the assertions below. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a document walked freely in tests
type Doc = any;

/** Runs tools/openapi.mjs's mergeDocuments on `docs` in a child (the tool is an ES module). */
function merge(docs: Record<string, unknown>): Doc {
  const script = `const m = await import(${JSON.stringify(path.join(ROOT, 'tools/openapi.mjs'))});
process.stdout.write(JSON.stringify(m.mergeDocuments(${JSON.stringify(docs)})));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as Doc;
}

const op = (id: string, schema: string) => ({
  operationId: id,
  summary: id,
  responses: {
    '200': {
      description: '',
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
    },
  },
});

describe('mergeDocuments (tools/openapi.mjs)', () => {
  const merged = merge({
    registry: {
      paths: {
        '/api/v1/regions': { get: op('ListController_list', 'View') },
        '/health/live': { get: op('HealthController_live', 'Health') },
      },
      components: {
        schemas: {
          View: { type: 'object', properties: { code: { type: 'string' } } },
          Same: { type: 'string' },
          Health: { type: 'object', properties: { status: { type: 'string' } } },
        },
      },
      tags: [],
    },
    survey: {
      paths: {
        '/api/v1/instruments': { get: op('ListController_list', 'View') },
        '/api/v1/projections/kampung/{id}': { get: op('ProjectionController_get', 'Same') },
        '/api/v1/regions': { get: op('Stray_list', 'Same') },
      },
      components: {
        schemas: {
          View: { type: 'object', properties: { version: { type: 'integer' } } },
          Same: { type: 'string' },
        },
      },
      tags: [],
    },
  });

  it('should keep only the paths the front door routes to their own service', () => {
    // /health stays on the service's port, projections are internal, and survey's /api/v1/regions
    // is not survey's on the front door.
    expect(Object.keys(merged.paths)).toEqual(['/api/v1/instruments', '/api/v1/regions']);
    expect(merged.paths['/api/v1/regions'].get.summary).toBe('ListController_list');
  });

  it('should rename a component two services define differently, and the references to it', () => {
    expect(merged.components.schemas.RegistryView).toMatchObject({ properties: { code: {} } });
    expect(merged.components.schemas.SurveyView).toMatchObject({ properties: { version: {} } });
    expect(merged.components.schemas.View).toBeUndefined();
    const ref = (p: string) => merged.paths[p].get.responses['200'].content['application/json'].schema.$ref;
    expect(ref('/api/v1/regions')).toBe('#/components/schemas/RegistryView');
    expect(ref('/api/v1/instruments')).toBe('#/components/schemas/SurveyView');
  });

  it('should prefix an operation id that two services use, and drop unused components', () => {
    expect(merged.paths['/api/v1/regions'].get.operationId).toBe('registry_ListController_list');
    expect(merged.paths['/api/v1/instruments'].get.operationId).toBe('survey_ListController_list');
    expect(merged.components.schemas.Health).toBeUndefined();
    expect(merged.components.schemas.Same).toBeUndefined();
  });

  it('should have one bearer scheme, an OpenID Connect one, and the Problem schema', () => {
    expect(Object.keys(merged.components.securitySchemes).sort()).toEqual(['bearer', 'oidc']);
    expect(merged.paths['/api/v1/regions'].get.security).toEqual([{ bearer: [] }, { oidc: [] }]);
    expect(merged.components.schemas.Problem).toBeDefined();
  });
});
