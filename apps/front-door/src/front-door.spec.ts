import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import jwt from 'jsonwebtoken';
import { principalFromClaims } from '@kkb/auth';
import { createFrontDoor } from './front-door';
import { frontDoorConfig } from './front-door.config';
import { loadRouteTable } from './route-table';

const SECRET = 'front-door-test-secret';

/** A stand-in service: answers with its name and what it received. */
async function fakeService(name: string): Promise<FastifyInstance> {
  const app = Fastify();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.all('/*', async (req, reply) => {
    if (req.url.startsWith('/api/v1/kampung-levels/export')) {
      reply.header('content-type', 'text/csv');
      return reply.send('a,b\n1,2\n');
    }
    if (req.url.includes('pad=1'))
      return { items: Array.from({ length: 500 }, (_, i) => ({ name: `Kampung KB ${i}` })) };
    return {
      service: name,
      method: req.method,
      url: req.url,
      body: req.body ?? null,
      fwd: req.headers['x-forwarded-host'],
    };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

const port = (app: FastifyInstance) => (app.server.address() as AddressInfo).port;

describe('front door', () => {
  const table = loadRouteTable();
  const upstreams: FastifyInstance[] = [];
  let consoleDir: string;
  let dev: FastifyInstance;
  let prod: FastifyInstance;

  beforeAll(async () => {
    for (const name of Object.keys(table.services)) upstreams.push(await fakeService(name));
    consoleDir = mkdtempSync(path.join(os.tmpdir(), 'kkb-console-'));
    mkdirSync(path.join(consoleDir, 'assets'));
    writeFileSync(
      path.join(consoleDir, 'index.html'),
      '<!doctype html><html lang="id"><title>Konsol</title></html>',
    );
    writeFileSync(path.join(consoleDir, 'assets', 'app-1234.js'), 'console.log(1)');
    writeFileSync(path.join(consoleDir, 'assets', 'app-1234.js.br'), brotliCompressSync('console.log(1)'));
    writeFileSync(path.join(consoleDir, 'sw.js'), 'self.addEventListener("fetch", () => {})');
    writeFileSync(path.join(consoleDir, 'manifest.webmanifest'), '{"name":"Konsol Kampung KB"}');
    mkdirSync(path.join(consoleDir, 'icons'));
    writeFileSync(path.join(consoleDir, 'icons', 'icon-192.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const env = {
      JWT_SECRET: SECRET,
      CONSOLE_DIR: consoleDir,
      ...Object.fromEntries(
        Object.keys(table.services).map((name, i) => [
          `${name.toUpperCase()}_URL`,
          `http://127.0.0.1:${port(upstreams[i])}`,
        ]),
      ),
    };
    dev = await createFrontDoor(table, frontDoorConfig(table, { ...env, KKB_MODE: 'development' }));
    prod = await createFrontDoor(table, frontDoorConfig(table, { ...env, NODE_ENV: 'production' }));
  });

  afterAll(async () => {
    await Promise.all([dev.close(), prod.close(), ...upstreams.map((u) => u.close())]);
  });

  it.each([
    ['/api/v1/regions/16/children?limit=5', 'registry'],
    ['/api/v1/kampung?region=16', 'registry'],
    ['/api/v1/kampung/6f1c/history', 'registry'],
    ['/api/v1/kampung/6f1c/profile', 'survey'],
    ['/api/v1/submissions?status=submitted', 'survey'],
    ['/api/v1/kampung/6f1c/classification', 'classification'],
    ['/api/v1/levels/history?region=16', 'classification'],
    ['/api/v1/inbox', 'notifications'],
  ])('should send %s to %s with its query string', async (url, service) => {
    const res = await dev.inject({ method: 'GET', url, headers: { host: 'konsol.example' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ service, method: 'GET', url, fwd: 'konsol.example' });
  });

  it('should serve the service worker, the manifest and the icons as files, revalidated on every use', async () => {
    const sw = await dev.inject({ method: 'GET', url: '/sw.js' });
    expect(sw.statusCode).toBe(200);
    expect(sw.headers['content-type']).toMatch(/javascript/);
    expect(sw.headers['cache-control']).toBe('no-cache');
    expect(sw.body).toContain('addEventListener');
    const manifest = await dev.inject({ method: 'GET', url: '/manifest.webmanifest' });
    expect(manifest.headers['content-type']).toMatch(/manifest\+json/);
    expect(manifest.json()).toEqual({ name: 'Konsol Kampung KB' });
    const icon = await dev.inject({ method: 'GET', url: '/icons/icon-192.png' });
    expect(icon.headers['content-type']).toBe('image/png');
    // A worker file the build did not write is a 404, never the app shell under its name.
    const missing = await dev.inject({ method: 'GET', url: '/icons/none.png' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/problem\+json/);
    // Any other path is still a page of the app.
    const page = await dev.inject({ method: 'GET', url: '/isi/baru' });
    expect(page.body).toContain('<title>Konsol</title>');
  });

  it('should stream a request body through unchanged', async () => {
    const body = JSON.stringify({ reason: 'PUS kosong', nested: { x: [1, 2] } });
    const res = await dev.inject({
      method: 'POST',
      url: '/api/v1/submissions/abc/reject',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
    expect(res.json()).toMatchObject({ service: 'survey', method: 'POST', body: JSON.parse(body) });
  });

  it('should compress a large API answer for a browser that accepts it', async () => {
    const plain = await dev.inject({ method: 'GET', url: '/api/v1/kampung-levels/points?pad=1' });
    const res = await dev.inject({
      method: 'GET',
      url: '/api/v1/kampung-levels/points?pad=1',
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(res.headers['content-encoding']).toBe('br');
    expect(JSON.parse(brotliDecompressSync(res.rawPayload).toString())).toEqual(plain.json());
    expect(res.rawPayload.length).toBeLessThan(plain.rawPayload.length / 4);
  });

  it('should stream a file the service streams', async () => {
    const res = await dev.inject({ method: 'GET', url: '/api/v1/kampung-levels/export?format=csv' });
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.body).toBe('a,b\n1,2\n');
  });

  it('should answer an unknown API path with a problem, not a page', async () => {
    const res = await dev.inject({ method: 'GET', url: '/api/v1/kampung/6f1c/unknown' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it.each([
    '/api/v1/kampung/../rule-sets',
    '/api/v1/kampung/%2e%2e/rule-sets',
    '/api/v1/regions%2F16',
    '/api//v1/inbox',
  ])('should refuse the ambiguous path %s', async (url) => {
    // Sent as raw bytes on a socket: an HTTP client library would normalise the dot segments.
    if (!dev.server.listening) await dev.listen({ port: 0, host: '127.0.0.1' });
    const answer = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(port(dev), '127.0.0.1', () =>
        sock.end(`GET ${url} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`),
      );
      let text = '';
      sock.on('data', (d) => (text += d));
      sock.on('end', () => resolve(text));
      sock.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('application/problem+json');
  });

  it('should serve the console for every page path and its files with long caching', async () => {
    for (const url of ['/', '/kampung/6f1c', '/peta?level=mandiri', '/masuk']) {
      const res = await dev.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('<title>Konsol</title>');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      // Revalidated on every visit: a new release reaches the browser at its next page load.
      expect(res.headers['cache-control']).toBe('no-cache');
    }
    const asset = await dev.inject({ method: 'GET', url: '/assets/app-1234.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    const compressed = await dev.inject({
      method: 'GET',
      url: '/assets/app-1234.js',
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(compressed.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(compressed.rawPayload).toString()).toBe('console.log(1)');
    expect((await dev.inject({ method: 'POST', url: '/peta' })).statusCode).toBe(405);
    expect((await dev.inject({ method: 'GET', url: '/not-a-page' })).statusCode).toBe(404);
  });

  it('should tell the console its mode and map tiles', async () => {
    expect((await dev.inject({ method: 'GET', url: '/config.json' })).json()).toMatchObject({
      mode: 'development',
      tiles: { url: expect.stringContaining('openstreetmap') },
    });
    expect((await prod.inject({ method: 'GET', url: '/config.json' })).json()).toMatchObject({
      mode: 'production',
    });
  });

  it('should sign a local identity in, in development mode', async () => {
    const ids = await dev.inject({ method: 'GET', url: '/dev/identities' });
    expect(ids.json().identities).toEqual(
      expect.arrayContaining([expect.objectContaining({ role: 'province', scope: '16' })]),
    );
    const res = await dev.inject({
      method: 'POST',
      url: '/dev/token',
      payload: { role: 'regency', scope: '16.10' },
    });
    expect(res.statusCode).toBe(200);
    const claims = jwt.verify(res.json().token, SECRET, { audience: 'kkb', issuer: 'kkb' }) as Record<
      string,
      unknown
    >;
    expect(principalFromClaims(claims)).toMatchObject({ role: 'regency', scope: '1610' });
  });

  it('should refuse a role and scope that do not fit, naming the field', async () => {
    const res = await dev.inject({
      method: 'POST',
      url: '/dev/token',
      payload: { role: 'province', scope: '16.10' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'scope' })]);
    const bad = await dev.inject({ method: 'POST', url: '/dev/token', payload: { role: 7 } });
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(['role', 'scope']);
  });

  it('should not exist in production mode', async () => {
    expect((await prod.inject({ method: 'GET', url: '/dev/identities' })).statusCode).toBe(404);
    const res = await prod.inject({
      method: 'POST',
      url: '/dev/token',
      payload: { role: 'national', scope: '' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().token).toBeUndefined();
  });

  it('should refuse development mode with NODE_ENV=production', () => {
    expect(() =>
      frontDoorConfig(table, { NODE_ENV: 'production', KKB_MODE: 'development', JWT_SECRET: 'x' }),
    ).toThrow(/KKB_MODE=development/);
    expect(() => frontDoorConfig(table, { KKB_MODE: 'development' })).toThrow(/JWT_SECRET/);
  });

  it('should answer 503 problem+json when a service is down', async () => {
    await upstreams[3].close();
    const res = await dev.inject({ method: 'GET', url: '/api/v1/inbox' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toContain('notifications');
  });
});
