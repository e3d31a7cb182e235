import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ALL_CONTRACTS } from '@kkb/contracts';
import { PROBLEM_BASE, PROBLEM_TYPES } from '@kkb/platform';
import { createFrontDoor } from './front-door';
import { frontDoorConfig } from './front-door.config';
import { loadRouteTable } from './route-table';
import { API_DOCS_HTML, DOCS_DIR, markdown } from './docs';

const ROOT = path.resolve(__dirname, '../../..');

describe('front door: API documentation and problem pages', () => {
  const table = loadRouteTable();
  let docsDir: string;
  let app: FastifyInstance;
  let bare: FastifyInstance;

  const frontDoor = (dir: string) =>
    createFrontDoor(table, {
      ...frontDoorConfig(table, {
        JWT_SECRET: 'docs-test',
        CONSOLE_DIR: path.join(os.tmpdir(), 'no-console'),
      }),
      docsDir: dir,
    });

  beforeAll(async () => {
    docsDir = mkdtempSync(path.join(os.tmpdir(), 'kkb-docs-'));
    for (const f of ['openapi.json', 'asyncapi.json'])
      copyFileSync(path.join(DOCS_DIR, f), path.join(docsDir, f));
    // What tools/build.mjs does: Redocly renders the merged document into one HTML file.
    const built = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(path.join(ROOT, 'tools/openapi.mjs'))}); m.renderApiDocs(${JSON.stringify(path.join(docsDir, API_DOCS_HTML))});`,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (built.status !== 0) throw new Error(built.stderr);
    app = await frontDoor(docsDir);
    bare = await frontDoor(mkdtempSync(path.join(os.tmpdir(), 'kkb-no-docs-')));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await bare?.close();
  });

  it('should route the documentation paths to the front door itself', () => {
    for (const p of [
      '/api/openapi.json',
      '/api/asyncapi.json',
      '/docs',
      '/docs/api',
      '/docs/events',
      '/problems/not-found',
    ]) {
      const owners = table.routes.filter((r) =>
        r.match === 'Exact'
          ? r.path === p
          : r.match === 'PathPrefix'
            ? p === r.path || p.startsWith(`${r.path}/`)
            : new RegExp(`^(?:${r.path})$`).test(p),
      );
      expect({ p, owners: owners.map((o) => o.service) }).toEqual({ p, owners: ['front-door'] });
    }
  });

  it('should serve the merged OpenAPI document and the AsyncAPI document as JSON', async () => {
    const openapi = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(openapi.statusCode).toBe(200);
    expect(openapi.headers['content-type']).toMatch(/^application\/json/);
    expect(openapi.json()).toEqual(JSON.parse(readFileSync(path.join(DOCS_DIR, 'openapi.json'), 'utf8')));
    expect(openapi.json<{ openapi: string }>().openapi).toMatch(/^3\./);
    const asyncapi = await app.inject({ method: 'GET', url: '/api/asyncapi.json' });
    expect(asyncapi.statusCode).toBe(200);
    expect(asyncapi.json<{ asyncapi: string }>().asyncapi).toBe('3.0.0');
  });

  it('should serve the rendered HTTP API documentation with no script from elsewhere', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/api' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Kampung KB platform API');
    expect(res.body).toContain('/api/v1/kampung');
    // --inlineBundle: Redoc is in the page, not fetched from a CDN.
    expect(res.body).not.toMatch(/<script[^>]+src=["']?https?:/i);
    expect(res.body).not.toMatch(/<link[^>]+href=["']?https?:/i);
    expect(res.headers['content-security-policy']).not.toMatch(/https?:/);
  });

  it('should render every channel, every contract type and the fields of the payload schemas at /docs/events', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/events' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    for (const c of ALL_CONTRACTS) {
      expect(res.body).toContain(`<code>${c.type}</code>`);
      expect(res.body).toContain(`id="schema-${c.payload.name}"`);
    }
    expect(res.body).toContain('kkb.registry.kampung.registered.v1.{province}');
    expect(res.body).toContain('<code>villageCode</code>');
    expect(res.body).not.toContain('<script');
  });

  it('should serve a page for every problem type, named by its type URI', async () => {
    for (const p of PROBLEM_TYPES) {
      const res = await app.inject({ method: 'GET', url: `/problems/${p.name}` });
      expect({ name: p.name, status: res.statusCode }).toEqual({ name: p.name, status: 200 });
      expect(res.body).toContain(PROBLEM_BASE + p.name);
      expect(res.body).toContain('What to do');
    }
    const index = await app.inject({ method: 'GET', url: '/problems' });
    for (const p of PROBLEM_TYPES) expect(index.body).toContain(`href="/problems/${p.name}"`);
  });

  it('should answer a problem type that does not exist with a 404 problem', async () => {
    const res = await app.inject({ method: 'GET', url: '/problems/no-such-problem' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}not-found`, status: 404 });
  });

  it('should answer 503 with a problem when the documents are not built', async () => {
    for (const url of ['/api/openapi.json', '/api/asyncapi.json', '/docs/api', '/docs/events']) {
      const res = await bare.inject({ method: 'GET', url });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 503 });
    }
  });

  it('should escape HTML in the descriptions it renders', () => {
    expect(markdown('a <script>x</script> `b<c>`')).toBe(
      '<p>a &lt;script&gt;x&lt;/script&gt; <code>b&lt;c&gt;</code></p>',
    );
  });
});
