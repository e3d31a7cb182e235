import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createFrontDoor } from './front-door';
import { frontDoorConfig } from './front-door.config';
import { loadRouteTable } from './route-table';

/** With OIDC_ISSUER the console signs in through the provider and the development sign-in is gone. */
describe('front door with an OpenID Provider', () => {
  const table = loadRouteTable();
  let door: FastifyInstance;

  beforeAll(async () => {
    const consoleDir = mkdtempSync(path.join(os.tmpdir(), 'kkb-console-'));
    mkdirSync(path.join(consoleDir, 'assets'));
    writeFileSync(path.join(consoleDir, 'index.html'), '<!doctype html><html lang="id"></html>');
    door = await createFrontDoor(
      table,
      frontDoorConfig(table, {
        KKB_MODE: 'development',
        JWT_SECRET: 'still-set-for-the-cli',
        CONSOLE_DIR: consoleDir,
        OIDC_ISSUER: 'http://127.0.0.1:3005',
        OIDC_RESOURCE: 'urn:kkb',
      }),
    );
  });

  afterAll(() => door.close());

  it('should tell the console where and how to sign in', async () => {
    const res = await door.inject({ method: 'GET', url: '/config.json' });
    expect(res.json().oidc).toEqual({
      issuer: 'http://127.0.0.1:3005',
      clientId: 'kkb-console',
      scope: 'openid profile',
      resource: 'urn:kkb',
      roleClaim: 'kkb_role',
      scopeClaim: 'kkb_region',
    });
  });

  it('should answer 404 on the development sign-in routes, even in development mode', async () => {
    expect((await door.inject({ method: 'GET', url: '/dev/identities' })).statusCode).toBe(404);
    const res = await door.inject({
      method: 'POST',
      url: '/dev/token',
      payload: { role: 'national', scope: '' },
    });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it("should let the console's pages talk to the provider (CSP connect-src) and nothing else", async () => {
    const res = await door.inject({ method: 'GET', url: '/masuk' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toContain("connect-src 'self' http://127.0.0.1:3005;");
  });

  it('should start in development mode with OIDC_ISSUER and no JWT_SECRET', () => {
    expect(
      frontDoorConfig(table, { KKB_MODE: 'development', OIDC_ISSUER: 'https://sso.example.go.id/realms/kkb' })
        .oidc,
    ).toMatchObject({ issuer: 'https://sso.example.go.id/realms/kkb' });
    expect(() => frontDoorConfig(table, { KKB_MODE: 'development', OIDC_ISSUER: 'not a url' })).toThrow(
      /OIDC_ISSUER/,
    );
  });
});
