import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROBLEM_BASE, problemBase } from './problem';
import { PROBLEM_TITLES } from './problem.filter';
import { findProblemType, PROBLEM_TYPES } from './problem-types';

const ROOT = path.resolve(__dirname, '../../..');
const slug = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** Every non-test .ts file under services/, libs/ and apps/front-door. */
function sources(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(full);
      } else if (e.name.endsWith('.ts') && !/\.(spec|e2e-spec|d)\.ts$/.test(e.name)) {
        out.push({ file: path.relative(ROOT, full), text: readFileSync(full, 'utf8') });
      }
    }
  };
  for (const dir of ['services', 'libs', 'apps/front-door/src']) walk(path.join(ROOT, dir));
  return out;
}

/**
 * The problem type names the code can emit, found in the sources: a ProblemException's type
 * argument, `PROBLEM_BASE + '<name>'`, a title the front door's sendProblem turns into a type
 * (literal or in a `[status, 'Title']` pair), and every title of the problem filter.
 */
function problemTypesInCode(): Map<string, string> {
  const found = new Map<string, string>();
  const add = (name: string, where: string) => {
    if (!found.has(name)) found.set(name, where);
  };
  for (const { file, text } of sources()) {
    for (const m of text.matchAll(/new ProblemException\(\s*[^,]+,\s*'([a-z0-9-]+)'/g)) add(m[1], file);
    for (const m of text.matchAll(/PROBLEM_BASE\s*\+\s*'([a-z0-9-]+)'/g)) add(m[1], file);
    for (const m of text.matchAll(/sendProblem\(\s*[\w.]+(?:\s+as\s+\w+)?,\s*\d{3},\s*'([^']+)'/g))
      add(slug(m[1]), file);
    if (text.includes('sendProblem'))
      for (const m of text.matchAll(/\[\s*\d{3},\s*'([A-Z][A-Za-z ]+)'\s*\]/g)) add(slug(m[1]), file);
  }
  for (const title of [...Object.values(PROBLEM_TITLES), 'Error'])
    add(slug(title), 'libs/platform/src/problem.filter.ts');
  return found;
}

describe('PROBLEM_TYPES', () => {
  it('should list every problem type the code can emit', () => {
    const found = problemTypesInCode();
    expect(found.size).toBeGreaterThan(15);
    // Some that must be found, so that the scan itself cannot silently find nothing.
    for (const name of [
      'out-of-scope',
      'stale-version',
      'validation-failed',
      'uri-too-long',
      'gateway-timeout',
    ])
      expect(found.has(name)).toBe(true);
    const missing = [...found]
      .filter(([name]) => !findProblemType(name))
      .map(([n, file]) => `${n} (${file})`);
    expect(missing).toEqual([]);
  });

  it('should have one entry per name, each with a meaning, a cause and an action', () => {
    const names = PROBLEM_TYPES.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const p of PROBLEM_TYPES) {
      expect(p.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(p.status).toBeGreaterThanOrEqual(400);
      expect(p.status).toBeLessThan(600);
      for (const text of [p.title, p.meaning, p.when, p.action]) expect(text.length).toBeGreaterThan(3);
    }
  });

  it('should find an entry by its name or its full type URI', () => {
    expect(findProblemType('out-of-scope')?.status).toBe(403);
    expect(findProblemType(`${PROBLEM_BASE}stale-version`)?.status).toBe(412);
    expect(findProblemType('no-such-problem')).toBeUndefined();
  });
});

describe('problemBase (KKB_PROBLEM_BASE)', () => {
  it('should default to the placeholder origin and take a deployment origin ending in /problems/', () => {
    expect(problemBase(undefined)).toBe('https://kampungkb.example/problems/');
    expect(problemBase('https://kampungkb.bkkbn.go.id/problems/')).toBe(
      'https://kampungkb.bkkbn.go.id/problems/',
    );
  });

  it('should refuse a value whose types would not reach the front door pages', () => {
    expect(() => problemBase('kampungkb.bkkbn.go.id/problems/')).toThrow(/absolute URL/);
    expect(() => problemBase('https://kampungkb.bkkbn.go.id/errors/')).toThrow(/\/problems\//);
    expect(() => problemBase('ftp://kampungkb.bkkbn.go.id/problems/')).toThrow(/http/);
  });
});
