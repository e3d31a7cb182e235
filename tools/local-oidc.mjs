#!/usr/bin/env node
// The local OpenID Provider that `npm start` runs by default (oidc-provider, in this process), so a
// laptop signs in the way a national deployment does with the ministry's provider:
//
//   - the console, a public client (`kkb-console`): authorization code + PKCE, redirected back to
//     <console origin>/masuk; the sign-in page lists the demo officers (no passwords: local only);
//   - integrators, confidential clients with client credentials (`kkb-integrator` for the whole
//     country, `kkb-integrator-16` for South Sumatra);
//   - access tokens are JWTs for the resource `urn:kkb` (RFC 8707 resource indicators; `aud` is
//     `urn:kkb`) carrying the role and region in `kkb_role` and `kkb_region`, the claims the
//     services read by default (OIDC_ROLE_CLAIM, OIDC_SCOPE_CLAIM).
//
// Its signing key and cookie keys are made at first start and kept in <data dir>/oidc/keys.json
// (mode 0600), so tokens survive a restart; grants and sessions are in memory (oidc-provider's
// development adapter): a restart signs the browser out of the provider, not out of the console.
//
//   node tools/local-oidc.mjs [--port 3005] [--host 127.0.0.1] [--console http://127.0.0.1:3000]
//                                      [--data-dir .data]
// prints `oidc: issuer <url>` once it listens. Not for production: there, OIDC_ISSUER names the
// ministry's provider (deploy/README.md, "Identity (OIDC, Keycloak)").
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const LOCAL_OIDC_RESOURCE = 'urn:kkb';
export const LOCAL_OIDC_CONSOLE_CLIENT = 'kkb-console';
export const LOCAL_OIDC_ROLE_CLAIM = 'kkb_role';
export const LOCAL_OIDC_SCOPE_CLAIM = 'kkb_region';
/** Local only, like the HS256 development secret: anyone can read them here. */
export const LOCAL_INTEGRATORS = [
  {
    clientId: 'kkb-integrator',
    secret: 'kkb-integrator-local-secret',
    region: '',
    name: 'Integrator nasional',
  },
  {
    clientId: 'kkb-integrator-16',
    secret: 'kkb-integrator-16-local-secret',
    region: '16',
    name: 'Integrator Sumatera Selatan',
  },
];

/**
 * The demo officers: the same people as the development sign-in page (apps/front-door's
 * DEV_IDENTITIES), region codes compact. The account id is what a token's `sub` says.
 */
export const DEMO_USERS = [
  { id: 'dewi.lestari', name: 'Dewi Lestari', role: 'national', region: '', label: 'Indonesia' },
  { id: 'rudi.hartono', name: 'Rudi Hartono', role: 'province', region: '16', label: 'Sumatera Selatan' },
  { id: 'asep.saepudin', name: 'Asep Saepudin', role: 'province', region: '32', label: 'Jawa Barat' },
  { id: 'nurhayati', name: 'Nurhayati', role: 'regency', region: '1610', label: 'Ogan Ilir' },
  { id: 'fajar.pratama', name: 'Fajar Pratama', role: 'regency', region: '1671', label: 'Kota Palembang' },
  { id: 'sri.wahyuni', name: 'Sri Wahyuni', role: 'verifier', region: '16', label: 'Sumatera Selatan' },
  { id: 'agus.salim', name: 'Agus Salim', role: 'verifier', region: '1610', label: 'Ogan Ilir' },
  {
    id: 'hendra.wijaya',
    name: 'Hendra Wijaya',
    role: 'field_officer',
    region: '1610052041',
    label: 'Desa Sembadak, Pemulutan, Ogan Ilir',
  },
];

const ROLE_LABELS = {
  national: 'Nasional',
  province: 'Provinsi',
  regency: 'Kabupaten/Kota',
  verifier: 'Verifikator',
  field_officer: 'Petugas Lapangan',
};

const USER_TOKEN_TTL_S = 8 * 3600;
const CLIENT_TOKEN_TTL_S = 3600;

/**
 * The signing key and cookie keys, made once and kept under the data dir.
 * @param {string} dir
 */
function loadOrCreateKeys(dir) {
  const file = path.join(dir, 'keys.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
  const keys = { jwks: { keys: [jwk] }, cookieKeys: [randomBytes(32).toString('base64url')] };
  writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

/** @param {string} s */
const html = (s) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/**
 * The sign-in page: one button per demo officer.
 * @param {string} uid
 * @param {string} [clientName]
 */
function loginPage(uid, clientName) {
  const buttons = DEMO_USERS.map(
    (u) =>
      `<li><button type="submit" name="account" value="${html(u.id)}"><strong>${html(u.name)}</strong>` +
      `<span>${html(ROLE_LABELS[/** @type {keyof typeof ROLE_LABELS} */ (u.role)])} · ${html(u.label)}</span></button></li>`,
  ).join('\n');
  return `<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Masuk — Penyedia Identitas Lokal Kampung KB</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
ul{list-style:none;padding:0}li{margin:.5rem 0}button{width:100%;text-align:left;padding:.75rem 1rem;border:1px solid #8a8a8a;
border-radius:.5rem;background:#fff;cursor:pointer;font:inherit}button:hover,button:focus{border-color:#0b5cad;outline:2px solid #0b5cad}
button span{display:block;color:#454545;font-size:.9rem}.note{color:#454545;font-size:.9rem}</style></head>
<body><main><h1>Masuk ke Kampung KB</h1>
<p>Penyedia identitas lokal untuk pengembangan${clientName ? ` (${html(clientName)})` : ''}. Pilih akun demo:</p>
<form method="post" action="/interaction/${html(uid)}/login"><ul>
${buttons}
</ul></form>
<p class="note">Hanya untuk laptop dan pengujian: di produksi, platform memakai penyedia identitas BKKBN.</p>
</main></body></html>`;
}

/** @param {http.IncomingMessage} req */
async function formBody(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

/**
 * Starts the provider. `consoleOrigins` are where the console may be redirected back to.
 * @param {{ port?: number, host?: string, dataDir: string, consoleOrigins: string[], issuerHost?: string }} options
 * @returns {Promise<{ issuer: string, port: number, stop: () => Promise<void> }>}
 */
export async function startLocalProvider({
  port = 3005,
  host = '127.0.0.1',
  dataDir,
  consoleOrigins,
  issuerHost,
}) {
  // oidc-provider says "Unsupported runtime" on Node 20; it works (stack-notes.md §10).
  const { default: Provider, errors } = await import('oidc-provider');
  const keys = loadOrCreateKeys(path.join(dataDir, 'oidc'));
  const server = http.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const bound = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
  const issuer = `http://${issuerHost ?? (host === '0.0.0.0' ? '127.0.0.1' : host)}:${bound}`;
  const users = new Map(DEMO_USERS.map((u) => [u.id, u]));
  const integrators = new Map(LOCAL_INTEGRATORS.map((c) => [c.clientId, c]));
  const origins = consoleOrigins.map((o) => new URL(o).origin);

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: LOCAL_OIDC_CONSOLE_CLIENT,
        client_name: 'Konsol Kampung KB',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: origins.map((o) => `${o}/masuk`),
        post_logout_redirect_uris: origins.map((o) => `${o}/masuk`),
      },
      ...LOCAL_INTEGRATORS.map((c) => ({
        client_id: c.clientId,
        client_secret: c.secret,
        client_name: c.name,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      })),
    ],
    jwks: keys.jwks,
    cookies: { keys: keys.cookieKeys },
    claims: { openid: ['sub'], profile: ['name', LOCAL_OIDC_ROLE_CLAIM, LOCAL_OIDC_SCOPE_CLAIM] },
    scopes: ['openid', 'profile', 'kkb'],
    responseTypes: ['code'],
    async findAccount(_ctx, id) {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            name: user.name,
            [LOCAL_OIDC_ROLE_CLAIM]: user.role,
            [LOCAL_OIDC_SCOPE_CLAIM]: user.region,
          };
        },
      };
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? LOCAL_OIDC_RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource, client) => {
          if (resource !== LOCAL_OIDC_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: 'kkb',
            audience: LOCAL_OIDC_RESOURCE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: integrators.has(client.clientId) ? CLIENT_TOKEN_TTL_S : USER_TOKEN_TTL_S,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    /** The role and region ride in every access token, as the ministry's provider's mappers add them. */
    async extraTokenClaims(_ctx, token) {
      if (token.kind === 'ClientCredentials') {
        const client = integrators.get(token.clientId);
        return client && { [LOCAL_OIDC_ROLE_CLAIM]: 'integrator', [LOCAL_OIDC_SCOPE_CLAIM]: client.region };
      }
      const user = token.accountId ? users.get(token.accountId) : undefined;
      return (
        user && { name: user.name, [LOCAL_OIDC_ROLE_CLAIM]: user.role, [LOCAL_OIDC_SCOPE_CLAIM]: user.region }
      );
    },
    // The console is the platform's own client: no consent screen, the grant is made on sign-in.
    async loadExistingGrant(ctx) {
      const clientId = ctx.oidc.client?.clientId;
      const session = ctx.oidc.session;
      if (!clientId || !session?.accountId) return undefined;
      const existing = ctx.oidc.result?.consent?.grantId || session.grantIdFor(clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      if (clientId !== LOCAL_OIDC_CONSOLE_CLIENT) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId: session.accountId });
      grant.addOIDCScope('openid profile');
      grant.addOIDCClaims(['name', LOCAL_OIDC_ROLE_CLAIM, LOCAL_OIDC_SCOPE_CLAIM]);
      grant.addResourceScope(LOCAL_OIDC_RESOURCE, 'kkb');
      await grant.save();
      session.grantIdFor(clientId, grant.jti);
      return grant;
    },
    clientBasedCORS: (_ctx, origin) => origins.includes(origin),
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      Session: 12 * 3600,
      Grant: 12 * 3600,
      Interaction: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      ClientCredentials: CLIENT_TOKEN_TTL_S,
      AccessToken: USER_TOKEN_TTL_S,
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!doctype html><html lang="id"><meta charset="utf-8"><title>Galat</title><main><h1>Tidak dapat masuk</h1><pre>${html(
        JSON.stringify(out, null, 2),
      )}</pre></main></html>`;
    },
  });
  const callback = provider.callback();

  server.on('request', (req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url?.split('?')[0] ?? '');
    if (!match) return callback(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        if (req.method === 'GET' && !match[2]) {
          const client = await provider.Client.find(String(details.params.client_id));
          res.writeHead(200, {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
            // form-action also governs the redirects after the POST: back to the console.
            'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${origins.join(' ')}`,
          });
          res.end(loginPage(details.uid, client?.clientName));
          return;
        }
        if (req.method === 'POST' && match[2]) {
          const account = (await formBody(req)).get('account') ?? '';
          if (!users.has(account)) {
            res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
            res.end('akun tidak dikenal');
            return;
          }
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId: account } },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        res.writeHead(405).end();
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`sign-in failed: ${/** @type {Error} */ (err).message}`);
      }
    })();
  });

  return {
    issuer,
    port: bound,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// -------------------------------------------------------------------------------- CLI
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '3005' },
      host: { type: 'string', default: '127.0.0.1' },
      console: { type: 'string', multiple: true, default: ['http://127.0.0.1:3000'] },
      'data-dir': { type: 'string', default: '.data' },
    },
    strict: true,
  });
  const started = await startLocalProvider({
    port: Number(values.port),
    host: values.host,
    dataDir: path.resolve(values['data-dir']),
    consoleOrigins: values.console,
  });
  process.stdout.write(`oidc: issuer ${started.issuer}\n`);
  const stop = () => void started.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
