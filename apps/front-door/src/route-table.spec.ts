import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { renderHttpRoute } from './k8s-routes';
import {
  compileRouteTable,
  FRONT_DOOR,
  loadRouteTable,
  routeTableProblems,
  type RouteTable,
} from './route-table';

const ROOT = path.resolve(__dirname, '../../..');
const OPENAPI_DIR = path.join(ROOT, 'apps/console/src/api/openapi');
const HTTPROUTE_FILE = path.join(ROOT, 'deploy/k8s/base/gateway/httproute.yaml');

/** Every /api path of each service's committed OpenAPI document, parameters filled in. */
function documentedPaths(): { service: string; template: string; sample: string }[] {
  const out: { service: string; template: string; sample: string }[] = [];
  for (const file of readdirSync(OPENAPI_DIR).filter((f) => f.endsWith('.json'))) {
    const service = path.basename(file, '.json');
    const doc = JSON.parse(readFileSync(path.join(OPENAPI_DIR, file), 'utf8')) as { paths: object };
    for (const template of Object.keys(doc.paths)) {
      if (!template.startsWith('/api/')) continue;
      out.push({ service, template, sample: template.replace(/\{[^}]+\}/g, 'a1b2-c3') });
    }
  }
  return out;
}

describe('front door route table', () => {
  const table = loadRouteTable();
  const routesFor = compileRouteTable(table);

  it('should load without problems', () => {
    expect(routeTableProblems(table)).toEqual([]);
  });

  it('should report a mistake in the table', () => {
    const bad: RouteTable = {
      services: { registry: { port: 1 } },
      routes: [
        { service: 'nobody', match: 'PathPrefix', path: '/x' },
        { service: 'registry', match: 'RegularExpression', path: '/api/(' },
        { service: 'registry', match: 'PathPrefix', path: '/y/' },
      ],
      internal: [],
    };
    expect(routeTableProblems(bad)).toHaveLength(3);
  });

  it('should send every documented path of every service to that service and no other', () => {
    const documented = documentedPaths();
    expect(new Set(documented.map((d) => d.service))).toEqual(
      new Set(['registry', 'survey', 'classification', 'notifications']),
    );
    const internal = new Set(table.internal.map((i) => i.path));
    const wrong = documented
      .filter((d) => !internal.has(d.template))
      .map((d) => ({ ...d, owners: routesFor(d.sample).map((r) => r.service) }))
      .filter((d) => d.owners.length !== 1 || d.owners[0] !== d.service);
    expect(wrong).toEqual([]);
  });

  it('should resolve the kampung clash by the last segment', () => {
    const owner = (p: string) => routesFor(p).map((r) => r.service);
    expect(owner('/api/v1/kampung')).toEqual(['registry']);
    expect(owner('/api/v1/kampung/0b6f/history')).toEqual(['registry']);
    expect(owner('/api/v1/kampung/0b6f/classification')).toEqual(['classification']);
    expect(owner('/api/v1/kampung/0b6f/classification/history')).toEqual(['classification']);
    expect(owner('/api/v1/kampung/0b6f/profile')).toEqual(['survey']);
    expect(owner('/api/v1/kampung-levels/export')).toEqual(['classification']);
    expect(owner('/api/v1/kampung/0b6f/unknown')).toEqual([]);
    expect(owner('/kampung/0b6f')).toEqual([FRONT_DOOR]);
  });

  it('should keep internal paths off the front door', () => {
    for (const i of table.internal) expect(routesFor(i.path.replace(/\{[^}]+\}/g, 'x'))).toEqual([]);
  });

  it('should never match one path with two entries', () => {
    // Each entry's own path (and one level below it) must match that entry alone.
    const samples = table.routes.flatMap((r) => {
      const base =
        r.match === 'RegularExpression' ? r.path.replace(/\(.*$/, '').replace(/\[\^\/\]\+/g, 'x') : r.path;
      return [base, `${base}/x`, `${base}/x/y`];
    });
    const overlapping = [...documentedPaths().map((d) => d.sample), ...samples]
      .map((p) => ({ p, n: routesFor(p).length }))
      .filter((x) => x.n > 1);
    expect(overlapping).toEqual([]);
  });

  it('should be what deploy/k8s/base/gateway/httproute.yaml says (run npm run routes:k8s)', () => {
    expect(existsSync(HTTPROUTE_FILE)).toBe(true);
    expect(parse(readFileSync(HTTPROUTE_FILE, 'utf8'))).toEqual(renderHttpRoute(table));
  });
});
