import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeliverPolicy, type OrderedConsumerOptions } from '@nats-io/jetstream';
import { streamName } from '@kkb/messaging';
import { Role, TestRun, eventually } from '@kkb/testing';
import {
  FAST_ENV,
  kampungClassified,
  kampungRegistered,
  publish,
  Receiver,
  reportOverdue,
  startNotifications,
  submissionRejected,
  tokenFor,
  type Notifications,
} from './notifications.fixtures';

/**
 * Issue 16's "done when": an integrator of province 16 reads the same events by webhook (its
 * subscription), by NATS (a JetStream consumer on the producers' streams, as an integrator with a
 * NATS account would) and by the HTTP feed; the three sets are the same. Once with a token the
 * test mints (HS256), once with a real client-credentials token from the local OpenID Provider
 * (tools/local-oidc.mjs), as an integrator gets one.
 */

const LOCAL_OIDC = path.join(__dirname, '../../../tools/local-oidc.mjs');

interface LocalProvider {
  issuer: string;
  resource: string;
  integrator: { clientId: string; secret: string; region: string };
  stop(): Promise<void>;
}

/**
 * tools/local-oidc.mjs (ESM) in a child process: its own key folder, a free port; stops when its
 * stdin closes. Reports the issuer and what the module exports (resource, province 16's client).
 */
async function startLocalProvider(dataDir: string): Promise<LocalProvider> {
  const script = `
    import { startLocalProvider, LOCAL_INTEGRATORS, LOCAL_OIDC_RESOURCE } from ${JSON.stringify(pathToFileURL(LOCAL_OIDC).href)};
    const p = await startLocalProvider({ port: 0, dataDir: process.argv[1], consoleOrigins: ['http://127.0.0.1:3000'] });
    const integrator = LOCAL_INTEGRATORS.find((c) => c.region === '16');
    process.stdout.write(JSON.stringify({ issuer: p.issuer, resource: LOCAL_OIDC_RESOURCE, integrator }) + '\\n');
    process.stdin.on('end', async () => { await p.stop(); process.exit(0); });
    process.stdin.resume();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, dataDir], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started = await new Promise<Omit<LocalProvider, 'stop'>>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as Omit<LocalProvider, 'stop'>);
    });
    child.once('exit', (code) => reject(new Error(`the local OpenID Provider exited (${code}):\n${stderr}`)));
  });
  return {
    ...started,
    stop: async () => {
      child.stdin!.end();
      await exited;
    },
  };
}

/** An integrator's token by client credentials (RFC 6749 §4.4) for the resource `urn:kkb`. */
async function clientCredentialsToken(p: LocalProvider): Promise<string> {
  const res = await fetch(`${p.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${p.integrator.clientId}:${p.integrator.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: p.resource }).toString(),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Runs `fn` with `vars` in process.env, then puts process.env back as it was. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

const jwtPart = (token: string, i: 0 | 1) =>
  JSON.parse(Buffer.from(token.split('.')[i], 'base64url').toString()) as Record<string, unknown>;

/**
 * Subscribes a webhook with `token`, publishes events of provinces 16 and 32, and returns the ids
 * province 16's integrator got by webhook, by NATS and by the feed, and the ids it should get.
 */
async function readThreeWays(n: Notifications, run: TestRun, receiver: Receiver, token: string) {
  const url = receiver.on('/hook', () => 200);
  const sub = await n.svc.request({
    method: 'POST',
    url: '/api/v1/subscriptions',
    payload: { url, eventTypes: ['kkb.>'], region: '16' },
    token,
  });
  expect({ status: sub.statusCode, body: sub.body }).toEqual({ status: 201, body: expect.any(String) });

  const events = [
    kampungRegistered('16.10.05.2041'),
    submissionRejected('16.10.05.2041'),
    reportOverdue('16.01.02.2003'),
    kampungClassified('16.10.05.2041', true),
    kampungRegistered('32.01.01.2001'),
    kampungClassified('32.01.01.2001', false),
    kampungRegistered('16.71.01.1001'),
  ];
  for (const e of events) await publish(n, run, e);
  const expected = events.filter((e) => e.province === '16').map((e) => e.id);

  // By webhook: the CloudEvent is the body.
  const byWebhook = await eventually(
    async () => new Set(receiver.to('/hook').map((r) => (JSON.parse(r.body) as { id: string }).id)),
    { until: (ids) => ids.size >= expected.length, what: 'the webhooks' },
  );

  // By NATS: the producers' streams, province 16's subjects (`<root>.<producer>.….16`).
  const byNats = new Set<string>();
  for (const producer of ['registry', 'survey', 'classification']) {
    const opts: Partial<OrderedConsumerOptions> = {
      filter_subjects: `${run.subjectRoot}.${producer}.*.*.*.16`,
      deliver_policy: DeliverPolicy.All,
    };
    const consumer = await n.js.consumers.get(streamName(run.streamPrefix, producer), opts);
    const info = await consumer.info();
    const pending = info.num_pending;
    if (pending === 0) continue;
    const messages = await consumer.fetch({ max_messages: pending, expires: 5000 });
    for await (const m of messages) {
      byNats.add(m.json<{ id: string }>().id);
      if (m.info.pending === 0) break;
    }
  }

  // By the feed: every page.
  const byFeed = new Set<string>();
  let after = '';
  for (;;) {
    const r = await n.svc.request({
      method: 'GET',
      url: `/api/v1/events?limit=2${after ? `&after=${after}` : ''}`,
      token,
    });
    expect(r.statusCode).toBe(200);
    const page = r.json() as { items: { id: string }[]; next: string };
    if (page.items.length === 0) break;
    for (const e of page.items) byFeed.add(e.id);
    after = page.next;
  }

  const sorted = (s: Iterable<string>) => [...s].sort();
  return {
    expected: sorted(expected),
    byWebhook: sorted(byWebhook),
    byNats: sorted(byNats),
    byFeed: sorted(byFeed),
  };
}

describe('an integrator reading events three ways', () => {
  const run = new TestRun();
  const receiver = new Receiver();
  let n: Notifications;
  const integrator = tokenFor(Role.integrator, '16', 'three-ways-dashboard');

  beforeAll(async () => {
    await receiver.start();
    n = await startNotifications(run, FAST_ENV);
  });

  afterAll(async () => {
    await n?.close();
    await receiver.close();
    await run.cleanup();
  });

  it('should give the same events by webhook, by NATS and by the feed', async () => {
    const got = await readThreeWays(n, run, receiver, integrator);
    expect(got.byWebhook).toEqual(got.expected);
    expect(got.byNats).toEqual(got.byWebhook);
    expect(got.byFeed).toEqual(got.byWebhook);
  });
});

describe('an integrator with a client-credentials token from the OpenID Provider', () => {
  const run = new TestRun();
  const receiver = new Receiver();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kkb-three-ways-oidc-'));
  let provider: LocalProvider | undefined;
  let n: Notifications;

  beforeAll(async () => {
    await receiver.start();
    provider = await startLocalProvider(dataDir);
    // As tools/start.mjs configures the services for the local provider (its oidcEnv). @kkb/auth
    // reads OIDC_* from process.env when the app is built, so they are set while it starts.
    n = await withEnv({ OIDC_ISSUER: provider.issuer, OIDC_AUDIENCE: provider.resource }, () =>
      startNotifications(run, FAST_ENV),
    );
  });

  afterAll(async () => {
    await n?.close();
    await provider?.stop();
    await receiver.close();
    await run.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should give the same events by webhook, by NATS and by the feed', async () => {
    const p = provider!;
    expect(p.integrator.clientId).toBe('kkb-integrator-16');
    const token = await clientCredentialsToken(p);
    // The provider's token, not one the test minted: RS256, its issuer, the resource as audience.
    expect(jwtPart(token, 0)).toMatchObject({ alg: 'RS256' });
    expect(jwtPart(token, 1)).toMatchObject({
      iss: p.issuer,
      aud: p.resource,
      client_id: 'kkb-integrator-16',
      kkb_role: 'integrator',
      kkb_region: '16',
    });

    const got = await readThreeWays(n, run, receiver, token);
    expect(got.byWebhook).toEqual(got.expected);
    expect(got.byNats).toEqual(got.byWebhook);
    expect(got.byFeed).toEqual(got.byWebhook);
  });
});
