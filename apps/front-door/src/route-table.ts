import { readFileSync } from 'node:fs';
import path from 'node:path';

/** How an entry's `path` matches a request path (the Gateway API's path match types). */
export type MatchType = 'Exact' | 'PathPrefix' | 'RegularExpression';

export interface RouteEntry {
  /** A service of `services`, or `front-door` for the console and the development sign-in. */
  service: string;
  match: MatchType;
  path: string;
}

export interface RouteTable {
  services: Record<string, { port: number }>;
  routes: RouteEntry[];
  internal: { path: string; why: string }[];
}

/** The front door's own paths: the console's files and pages, `/dev/*`, `/config.json`. */
export const FRONT_DOOR = 'front-door';

export const ROUTES_FILE = path.join(__dirname, '..', 'routes.json');

export function loadRouteTable(file = ROUTES_FILE): RouteTable {
  const table = JSON.parse(readFileSync(file, 'utf8')) as RouteTable;
  const problems = routeTableProblems(table);
  if (problems.length) throw new Error(`${file}:\n  ${problems.join('\n  ')}`);
  return table;
}

/** Mistakes a reader could make in routes.json, found before anything listens. */
export function routeTableProblems(table: RouteTable): string[] {
  const problems: string[] = [];
  table.routes.forEach((r, i) => {
    const where = `routes[${i}] ${r.path}`;
    if (r.service !== FRONT_DOOR && !table.services[r.service])
      problems.push(`${where}: unknown service '${r.service}'`);
    if (!r.path.startsWith('/')) problems.push(`${where}: a path starts with '/'`);
    if (r.match === 'PathPrefix' && r.path.length > 1 && r.path.endsWith('/'))
      problems.push(`${where}: a PathPrefix does not end with '/'`);
    if (r.match === 'RegularExpression') {
      try {
        new RegExp(r.path);
      } catch (err) {
        problems.push(`${where}: ${(err as Error).message}`);
      }
    } else if (r.match !== 'Exact' && r.match !== 'PathPrefix') {
      problems.push(`${where}: match must be Exact, PathPrefix or RegularExpression`);
    }
  });
  return problems;
}

/** A predicate per entry with the Gateway API's semantics (the path without its query string). */
export function matcherFor(entry: RouteEntry): (pathname: string) => boolean {
  switch (entry.match) {
    case 'Exact':
      return (p) => p === entry.path;
    case 'PathPrefix': {
      const prefix = entry.path;
      if (prefix === '/') return () => true;
      return (p) => p === prefix || p.startsWith(`${prefix}/`);
    }
    case 'RegularExpression': {
      const re = new RegExp(`^(?:${entry.path})$`);
      return (p) => re.test(p);
    }
  }
}

/** Every entry a path matches: the table's rule is that there is never more than one. */
export function compileRouteTable(table: RouteTable): (pathname: string) => RouteEntry[] {
  const compiled = table.routes.map((entry) => ({ entry, test: matcherFor(entry) }));
  return (pathname) => compiled.filter((c) => c.test(pathname)).map((c) => c.entry);
}
