import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { eventually } from '@kkb/testing';
import { ROOT } from './console-platform';

/**
 * Identity as `npm start` sets it up: tools/start.mjs run as a laptop runs it (its own embedded
 * Postgres, nats-server and data dir, here a temporary folder), which starts the local OpenID
 * Provider and points the services and the front door at it. An integrator gets a token by
 * client credentials and reads what its region allows; an officer signs in to the console in
 * Debian's Chromium through the provider (authorization code + PKCE) and sees the Beranda, with
 * the console's API calls accepted.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

jest.setTimeout(600_000);

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A base port with the next five free too (front door, four services, the provider). */
async function freePortRun(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = Array.from({ length: 8 }, (_, i) => base + i);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no run of free ports');
}

describe('identity through the local OpenID Provider that npm start runs', () => {
  let start: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  let dataDir = '';
  let front = '';
  let issuer = '';
  let browser: Browser | undefined;

  const tokenFor = async (clientId: string, secret: string) => {
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const api = async (pathAndQuery: string, token: string) => {
    const res = await fetch(front + pathAndQuery, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'kkb-oidc-start-'));
    chmodSync(dataDir, 0o755); // the embedded Postgres runs as `postgres` when we are root
    const base = await freePortRun();
    const env: NodeJS.ProcessEnv = { ...process.env };
    // As on a laptop: no outside Postgres, NATS or identity settings.
    for (const v of Object.keys(env))
      if (/^(DATABASE_|NATS_|JWT_|OIDC_|EVENT_|KKB_|PORT$|HOST$)/.test(v)) delete env[v];
    Object.assign(env, {
      KKB_DATA_DIR: dataDir,
      KKB_PORT_BASE: String(base),
      KKB_PG_PORT: String(base + 6),
      KKB_NATS_PORT: String(base + 7),
      KKB_LOG_LEVEL: 'warn',
      KKB_READY_TIMEOUT_S: '300',
    });
    start = spawn(process.execPath, [path.join(ROOT, 'tools', 'start.mjs')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = start;
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stdout?.on('data', (d) => (output += String(d)));
    child.stderr?.on('data', (d) => (output += String(d)));
    const deadline = Date.now() + 540_000;
    while (!output.includes('Ctrl-C stops everything')) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`npm start did not get ready:\n${output.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    front = `http://127.0.0.1:${base}`;
    issuer = /OpenID\s+(http:\/\/\S+)/.exec(output)?.[1] ?? '';
    expect(issuer).toBe(`http://127.0.0.1:${base + 5}`);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    if (start && start.exitCode === null) {
      start.kill('SIGTERM');
      const killer = setTimeout(() => start?.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(killer);
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('should give an integrator a client-credentials token that the services accept within its region', async () => {
    const token = await tokenFor('kkb-integrator-16', 'kkb-integrator-16-local-secret');
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({
      iss: issuer,
      aud: 'urn:kkb',
      sub: 'kkb-integrator-16',
      kkb_role: 'integrator',
      kkb_region: '16',
    });

    const own = await api('/api/v1/levels?region=16', token);
    expect(own.status).toBe(200);
    const subscriptions = await api('/api/v1/subscriptions', token);
    expect(subscriptions.status).toBe(200);
    const other = await api('/api/v1/levels?region=32', token);
    expect(other.status).toBe(403);
    expect(other.type).toContain('application/problem+json');

    // A wrong secret gets no token; a token the provider did not sign is refused by the services.
    const refused = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('kkb-integrator-16:wrong').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(refused.status).toBe(401);
    const [head, body] = token.split('.');
    const forged = await api(`/api/v1/levels?region=16`, `${head}.${body}.${'A'.repeat(342)}`);
    expect(forged.status).toBe(401);
    expect(forged.type).toContain('application/problem+json');
  });

  it('should have replaced the development sign-in with the provider', async () => {
    expect((await fetch(`${front}/dev/identities`)).status).toBe(404);
    const config = (await (await fetch(`${front}/config.json`)).json()) as { oidc?: { issuer: string } };
    expect(config.oidc).toMatchObject({ issuer, clientId: 'kkb-console', resource: 'urn:kkb' });
  });

  it('should sign a province officer in to the console through the provider (code + PKCE) and show the Beranda', async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    const context = await browser.newContext({ locale: 'id-ID', viewport: { width: 1366, height: 900 } });
    context.setDefaultTimeout(60_000);
    const page = await context.newPage();
    const apiAnswers: { url: string; status: number; auth: string }[] = [];
    page.on('response', (res) => {
      if (res.url().startsWith(`${front}/api/`))
        apiAnswers.push({
          url: res.url(),
          status: res.status(),
          auth: res.request().headers().authorization ?? '',
        });
    });
    const tokenRequests: string[] = [];
    page.on('request', (req) => {
      if (req.url() === `${issuer}/token`) tokenRequests.push(req.postData() ?? '');
    });

    await page.goto(`${front}/`);
    await page.waitForURL((u) => u.pathname === '/masuk');
    await page.getByRole('button', { name: 'Masuk dengan akun BKKBN' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${issuer}/interaction/`));
    await page.getByRole('button', { name: /Rudi Hartono/ }).click();
    try {
      await page.waitForURL((u) => u.origin === front && u.pathname === '/');
      await page.getByRole('heading', { level: 1, name: /^Beranda/ }).waitFor();
      await page.getByText('Rudi Hartono').first().waitFor();
    } catch (err) {
      const text = await page
        .locator('body')
        .innerText()
        .catch(() => '');
      throw new Error(`${(err as Error).message}\nat ${page.url()}:\n${text.slice(0, 2000)}`);
    }

    // The code was traded with its PKCE verifier, and the APIs took the provider's token.
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]).toMatch(/grant_type=authorization_code/);
    expect(tokenRequests[0]).toMatch(/code_verifier=[\w-]{43,}/);
    const token = await page.evaluate<string | null>("sessionStorage.getItem('kkb.console.token')");
    const claims = JSON.parse(Buffer.from(String(token).split('.')[1], 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({
      iss: issuer,
      sub: 'rudi.hartono',
      kkb_role: 'province',
      kkb_region: '16',
    });
    await eventually(
      async () => apiAnswers.filter((a) => a.status === 200 && a.auth === `Bearer ${token}`).length,
      { what: 'an API call answered 200 with the provider token' },
    );
    expect(apiAnswers.filter((a) => a.status === 401)).toEqual([]);

    // Keluar, then in again as someone else: the provider asks who (its session is not reused).
    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.getByRole('button', { name: 'Masuk dengan akun BKKBN' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${issuer}/interaction/`));
    await page.getByRole('button', { name: /Nurhayati/ }).click();
    await page.waitForURL((u) => u.origin === front && u.pathname === '/');
    await page.getByText('Nurhayati').first().waitFor();
    const second = await page.evaluate<string | null>("sessionStorage.getItem('kkb.console.token')");
    expect(JSON.parse(Buffer.from(String(second).split('.')[1], 'base64url').toString())).toMatchObject({
      sub: 'nurhayati',
      kkb_role: 'regency',
      kkb_region: '1610',
    });
    await context.close();
  });
});
