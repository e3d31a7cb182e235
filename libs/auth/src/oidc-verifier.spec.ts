import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { AuthModule } from './auth.module';
import type { OidcOptions } from './auth-options.interface';
import { CurrentUser } from './current-user.decorator';
import { mintToken } from './mint-token.util';
import type { Principal } from './principal.interface';
import { Role } from './role.enum';

/**
 * The guard against a real (tiny) OpenID Provider: discovery document and JWKS served over HTTP,
 * tokens signed with jose. What a token must be to pass, and each way one is refused.
 */

@Controller('me')
class MeController {
  @Get()
  me(@CurrentUser() user: Principal): Principal {
    return user;
  }
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

const AUDIENCE = 'kkb-api';
const LOCAL_SECRET = 'test-secret-for-oidc-spec';

describe('OIDC access tokens (JWKS)', () => {
  let server: Server;
  let issuer = '';
  /** What the provider publishes now; a rotation replaces it. */
  let published: SigningKey[] = [];
  let jwksFetches = 0;
  let discoveryFetches = 0;
  let app: NestFastifyApplication;
  let keyA: SigningKey;
  let keyB: SigningKey;
  let stranger: SigningKey;

  const sign = (
    key: SigningKey,
    claims: Record<string, unknown> = {},
    opts: { iss?: string; aud?: string; exp?: number | string; sub?: string; alg?: string } = {},
  ) => {
    let jwt = new SignJWT({ kkb_role: 'province', kkb_region: '16', name: 'Rudi Hartono', ...claims })
      .setProtectedHeader({ alg: opts.alg ?? key.jwk.alg ?? 'RS256', kid: key.kid, typ: 'at+jwt' })
      .setIssuer(opts.iss ?? issuer)
      .setAudience(opts.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '10m');
    if (opts.sub !== '') jwt = jwt.setSubject(opts.sub ?? 'user-province-16');
    return jwt.sign(key.privateKey);
  };

  const get = (token: string) =>
    app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${token}` } });

  const createApp = async (oidc: Partial<OidcOptions> = {}, secret?: string) => {
    @Module({
      imports: [
        AuthModule.forRoot({
          ...(secret && { secret }),
          oidc: { issuer, audience: AUDIENCE, jwksCooldownMs: 0, ...oidc },
        }),
      ],
      controllers: [MeController],
    })
    class OidcTestModule {}
    const nest = await NestFactory.create<NestFastifyApplication>(
      OidcTestModule as Type,
      new FastifyAdapter(),
      {
        logger: false,
        abortOnError: false,
      },
    );
    await nest.init();
    await nest.getHttpAdapter().getInstance().ready();
    return nest;
  };

  beforeAll(async () => {
    [keyA, keyB, stranger] = await Promise.all([
      signingKey('key-a'),
      signingKey('key-b', 'ES256'),
      signingKey('key-a'),
    ]);
    published = [keyA];
    server = createServer((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        discoveryFetches++;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      } else if (req.url === '/jwks') {
        jwksFetches++;
        res.setHeader('content-type', 'application/jwk-set+json');
        res.end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    app = await createApp();
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    published = [keyA];
  });

  it('should accept a token signed by a published key and take role and scope from the configured claims', async () => {
    const res = await get(await sign(keyA, { kkb_region: '16.10', kkb_role: 'regency' }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      sub: 'user-province-16',
      name: 'Rudi Hartono',
      role: 'regency',
      scope: '1610',
    });
    expect(discoveryFetches).toBe(1);
  });

  it('should fetch the keys once and serve later requests from the cache', async () => {
    const before = jwksFetches;
    for (let i = 0; i < 5; i++) expect((await get(await sign(keyA))).statusCode).toBe(200);
    expect(jwksFetches).toBe(before);
  });

  it.each([
    ['an unknown issuer', { iss: 'https://evil.example' }, 'token issuer must be '],
    ['a wrong audience', { aud: 'someone-else' }, `token audience must be ${AUDIENCE}`],
    ['an expired token', { exp: Math.floor(Date.now() / 1000) - 120 }, 'token expired'],
    ['a token without a subject', { sub: '' }, 'token has no subject'],
  ])('should refuse %s with 401', async (_what, opts, message) => {
    const res = await get(await sign(keyA, {}, opts));
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toContain(message);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="kkb"');
  });

  it('should refuse a token with alg none', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: 'none', typ: 'JWT', kid: 'key-a' })}.${b64({
      iss: issuer,
      aud: AUDIENCE,
      sub: 'x',
      exp: now + 600,
      kkb_role: 'national',
      kkb_region: '',
    })}.`;
    const res = await get(unsigned);
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toMatch(/^token algorithm must be one of RS256/);
  });

  it('should refuse an HS256 token signed with the public JWK bytes or any secret (algorithm confusion)', async () => {
    const token = mintToken({
      role: Role.national,
      scope: '',
      sub: 'x',
      secret: 'whatever',
      issuer,
      audience: AUDIENCE,
    });
    const res = await get(token);
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toMatch(/^token algorithm must be one of/);
  });

  it('should refuse a token signed by a key that is not in the JWKS, even under a published kid', async () => {
    const res = await get(await sign(stranger));
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toBe('token signature is invalid');
  });

  it('should follow a key rotation: the new key is fetched on sight, the rotated-out key is refused', async () => {
    expect((await get(await sign(keyA))).statusCode).toBe(200);
    published = [keyB]; // the provider rotates: key-a is withdrawn
    const before = jwksFetches;
    const fresh = await get(await sign(keyB, { kkb_role: 'national', kkb_region: '' }));
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json()).toMatchObject({ role: 'national', scope: '' });
    expect(jwksFetches).toBe(before + 1);
    const old = await get(await sign(keyA));
    expect(old.statusCode).toBe(401);
    expect(old.json().message).toBe("token is not signed by one of the identity provider's keys");
  });

  it.each([
    ['no role claim', { kkb_role: undefined }, "token role 'undefined' is not a known role"],
    ['an unknown role', { kkb_role: 'admin' }, "token role 'admin' is not a known role"],
    ['no scope claim', { kkb_region: undefined }, 'token has no scope'],
    [
      'a scope that is not a region code',
      { kkb_region: '16x' },
      "token scope '16x' is not a region code prefix",
    ],
    [
      'a scope that does not fit the role',
      { kkb_role: 'national', kkb_region: '16' },
      'role national requires an empty scope',
    ],
  ])('should refuse a token with %s', async (_what, claims, message) => {
    const res = await get(await sign(keyA, claims));
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toBe(message);
  });

  it('should read role and scope from configured (nested) claims, a role list holding one platform role', async () => {
    const keycloakish = await createApp({ roleClaim: 'realm_access.roles', scopeClaim: 'region' });
    try {
      const token = await sign(keyA, {
        kkb_role: undefined,
        kkb_region: undefined,
        realm_access: { roles: ['offline_access', 'verifier', 'uma_authorization'] },
        region: '16.10',
      });
      const res = await keycloakish.inject({
        method: 'GET',
        url: '/me',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ role: 'verifier', scope: '1610' });
      const two = await sign(keyA, { realm_access: { roles: ['verifier', 'national'] }, region: '16' });
      const refused = await keycloakish.inject({
        method: 'GET',
        url: '/me',
        headers: { authorization: `Bearer ${two}` },
      });
      expect(refused.statusCode).toBe(401);
      expect(refused.json().message).toBe(
        'token role claim holds more than one platform role (verifier, national)',
      );
    } finally {
      await keycloakish.close();
    }
  });

  it('should keep accepting local HS256 tokens beside OIDC when JWT_SECRET is also set, each by its own issuer', async () => {
    const both = await createApp({}, LOCAL_SECRET);
    try {
      const local = mintToken({ role: Role.province, scope: '16', sub: 'cli', secret: LOCAL_SECRET });
      const viaOidc = await sign(keyA);
      const ask = (t: string) =>
        both.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${t}` } });
      expect((await ask(local)).statusCode).toBe(200);
      expect((await ask(viaOidc)).statusCode).toBe(200);
      // An HS256 token claiming the provider's issuer goes to the JWKS check, which refuses HS256.
      const forged = mintToken({
        role: Role.national,
        scope: '',
        sub: 'x',
        secret: LOCAL_SECRET,
        issuer,
        audience: AUDIENCE,
      });
      expect((await ask(forged)).statusCode).toBe(401);
    } finally {
      await both.close();
    }
  });

  it("should answer 503, not 401, while the provider's keys cannot be fetched", async () => {
    const unreachable = await createApp({ issuer: 'http://127.0.0.1:9', audience: AUDIENCE });
    try {
      const res = await unreachable.inject({
        method: 'GET',
        url: '/me',
        headers: { authorization: 'Bearer a.b.c' },
      });
      expect(res.statusCode).toBe(503);
    } finally {
      await unreachable.close();
    }
  });
});
