import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROLES, type Role } from '@kkb/auth';

export const ROOT = path.join(__dirname, '..', '..', '..');
export const TABLE_FILE = path.join(ROOT, 'apps', 'front-door', 'scope.json');
const OPENAPI_DIR = path.join(ROOT, 'apps', 'console', 'src', 'api', 'openapi');

export const SERVICES = ['registry', 'survey', 'classification', 'notifications'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const EXPECTATIONS = [
  'public',
  'reference',
  'national-only',
  'forbidden-or-not-found',
  'filtered-list',
  'filtered-aggregate',
  'own-resource',
  'row-scoped-batch',
] as const;
export type Expectation = (typeof EXPECTATIONS)[number];

/** One row of apps/front-door/scope.json. */
export interface ScopeEntry {
  service: ServiceName;
  /** `METHOD /path`, as the OpenAPI document writes the path. */
  operation: string;
  expect: Expectation;
  roles: Role[];
  region?: string;
  note?: string;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every operation (`METHOD /path`) of one service's committed OpenAPI document. */
export function openApiOperations(service: ServiceName): string[] {
  const doc = JSON.parse(readFileSync(path.join(OPENAPI_DIR, `${service}.json`), 'utf8')) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.keys(item)
      .filter((m) => HTTP_METHODS.includes(m))
      .map((m) => `${m.toUpperCase()} ${p}`),
  );
}

export interface LoadedTable {
  entries: ScopeEntry[];
  /** What is wrong with the file itself (unknown expectation or role, bad key). */
  problems: string[];
}

/** Reads the table; problems are reported, not thrown, so the spec can list every one. */
export function loadScopeTable(file = TABLE_FILE): LoadedTable {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as {
    operations?: Record<string, Record<string, Record<string, unknown>>>;
  };
  const problems: string[] = [];
  const entries: ScopeEntry[] = [];
  for (const [service, ops] of Object.entries(raw.operations ?? {})) {
    if (!(SERVICES as readonly string[]).includes(service)) {
      problems.push(`unknown service ${service}`);
      continue;
    }
    for (const [operation, e] of Object.entries(ops)) {
      const where = `${service} ${operation}`;
      if (!/^(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|TRACE) \/\S*$/.test(operation))
        problems.push(`${where}: the key must be 'METHOD /path'`);
      const expect = e.expect as Expectation;
      if (!EXPECTATIONS.includes(expect))
        problems.push(`${where}: expect '${String(e.expect)}' is not one of ${EXPECTATIONS.join(', ')}`);
      const roles = Array.isArray(e.roles) ? (e.roles as Role[]) : [];
      if (!Array.isArray(e.roles)) problems.push(`${where}: roles must be a list`);
      for (const r of roles) if (!ROLES.includes(r)) problems.push(`${where}: unknown role ${String(r)}`);
      if ((expect === 'public') !== (roles.length === 0))
        problems.push(`${where}: public operations, and only they, list no roles`);
      entries.push({
        service: service as ServiceName,
        operation,
        expect,
        roles,
        region: typeof e.region === 'string' ? e.region : undefined,
        note: typeof e.note === 'string' ? e.note : undefined,
      });
    }
  }
  return { entries, problems };
}

export const keyOf = (service: string, operation: string): string => `${service} ${operation}`;
