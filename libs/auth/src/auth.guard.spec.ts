import { generateKeyPairSync } from 'node:crypto';
import { Controller, Get, Module, Param, Post, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuthGuard } from './auth.guard';
import { AuthModule } from './auth.module';
import type { AuthModuleOptions } from './auth-options.interface';
import { CurrentUser } from './current-user.decorator';
import { mintToken, type MintTokenOptions } from './mint-token.util';
import type { Principal } from './principal.interface';
import { OwnResource } from './own-resource.decorator';
import { Public } from './public.decorator';
import { assertInScope } from './region-scope.util';
import { Role } from './role.enum';
import { Roles } from './roles.decorator';

const SECRET = 'test-secret-for-auth-guard-spec';

@Controller('things')
class ThingController {
  @Get()
  list(@CurrentUser() user: Principal): Principal {
    return user;
  }

  @Post()
  create(@CurrentUser() user: Principal): { createdBy: string } {
    return { createdBy: user.sub };
  }

  @Get('national-only')
  @Roles(Role.national)
  nationalOnly(): { ok: true } {
    return { ok: true };
  }

  @Post('open-to-integrators')
  @Roles(Role.integrator, Role.national)
  integratorWrite(): { ok: true } {
    return { ok: true };
  }

  @Post('own-subscriptions')
  @OwnResource()
  @Roles(Role.integrator)
  ownWrite(@CurrentUser() user: Principal): { owner: string } {
    return { owner: user.sub };
  }

  @Get('regions/:code')
  region(@CurrentUser() user: Principal, @Param('code') code: string): { code: string } {
    assertInScope(user, code);
    return { code };
  }

  @Public()
  @Get('public')
  open(): { ok: true } {
    return { ok: true };
  }
}

@Public()
@Controller('status')
class StatusController {
  @Get()
  status(): { up: true } {
    return { up: true };
  }
}

async function createApp(options: AuthModuleOptions): Promise<NestFastifyApplication> {
  @Module({ imports: [AuthModule.forRoot(options)], controllers: [ThingController, StatusController] })
  class TestAppModule {}
  const app = await NestFactory.create<NestFastifyApplication>(TestAppModule as Type, new FastifyAdapter(), {
    logger: false,
    abortOnError: false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

type Claims = Omit<MintTokenOptions, 'secret' | 'privateKey'>;
const token = (claims: Partial<Claims> = {}, secret = SECRET): string =>
  mintToken({ role: Role.national, scope: '', sub: 'officer-1', ...claims, secret } as MintTokenOptions);
const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });

describe(AuthGuard.name, () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createApp({ secret: SECRET });
  });

  afterAll(async () => {
    await app.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers });

  it('should reject a request without a token with 401 and a Bearer challenge', async () => {
    const res = await get('/things');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ statusCode: 401, message: 'missing bearer token' });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="kkb"');
  });

  it('should reject an authorization header that is not a bearer token', async () => {
    const res = await get('/things', { authorization: 'Basic dXNlcjpwYXNz' });
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toBe('authorization header must be "Bearer <token>"');
  });

  it('should reject a token signed with another secret', async () => {
    const res = await get('/things', bearer(token({}, 'some-other-secret')));
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toBe('token signature is invalid');
  });

  it('should reject a garbled token', async () => {
    const res = await get('/things', bearer('not.a.jwt'));
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toBe('token is malformed');
  });

  it('should reject an expired token', async () => {
    const res = await get('/things', bearer(token({ expiresIn: -60 })));
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toBe('token expired');
  });

  it('should reject a token for another audience', async () => {
    const res = await get('/things', bearer(token({ audience: 'someone-else' })));
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toBe('token audience must be kkb');
  });

  it('should reject a token from another issuer', async () => {
    const res = await get('/things', bearer(token({ issuer: 'someone-else' })));
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toBe('token issuer must be kkb');
  });

  it('should reject a regency token whose scope is a province', async () => {
    const res = await get('/things', bearer(token({ role: Role.regency, scope: '16' })));
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toBe('role regency requires a 4-digit scope');
  });

  it('should reject a token with an unknown role', async () => {
    const res = await get('/things', bearer(token({ role: 'superuser' as Role })));
    expect(res.statusCode).toBe(401);
    expect(res.json().message).toBe("token role 'superuser' is not a known role");
  });

  it('should let a valid national token through and expose its principal', async () => {
    const res = await get('/things', bearer(token({ name: 'Budi' })));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ sub: 'officer-1', name: 'Budi', role: 'national', scope: '' });
  });

  it('should normalise a dotted scope in the token to compact digits', async () => {
    const res = await get('/things', bearer(token({ role: Role.regency, scope: '16.10' })));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ role: 'regency', scope: '1610' });
  });

  it('should forbid a province token on a national-only route', async () => {
    const res = await get('/things/national-only', bearer(token({ role: Role.province, scope: '16' })));
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toBe('role province may not use this route (allowed: national)');
  });

  it('should allow a national token on a national-only route', async () => {
    const res = await get('/things/national-only', bearer(token()));
    expect(res.statusCode).toBe(200);
  });

  it('should forbid an integrator to write', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: bearer(token({ role: Role.integrator, scope: '16' })),
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toBe('role integrator may only read (GET, HEAD), not POST');
  });

  it('should forbid an integrator to write even where @Roles lists integrators', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things/open-to-integrators',
      headers: bearer(token({ role: Role.integrator })),
    });
    expect(res.statusCode).toBe(403);
  });

  it('should let an integrator write its own resources, still checking its token and role', async () => {
    const own = await app.inject({
      method: 'POST',
      url: '/things/own-subscriptions',
      headers: bearer(token({ role: Role.integrator })),
    });
    expect(own.statusCode).toBe(201);
    const officer = await app.inject({
      method: 'POST',
      url: '/things/own-subscriptions',
      headers: bearer(token({ role: Role.province, scope: '16' })),
    });
    expect(officer.statusCode).toBe(403);
    const anonymous = await app.inject({ method: 'POST', url: '/things/own-subscriptions' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('should let an integrator read', async () => {
    const res = await get('/things', bearer(token({ role: Role.integrator, scope: '16' })));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ role: 'integrator', scope: '16' });
  });

  it('should let an officer write', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: bearer(token({ role: Role.field_officer, scope: '1610052041', sub: 'plkb-7' })),
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ createdBy: 'plkb-7' });
  });

  it('should serve a @Public() route without a token', async () => {
    const res = await get('/things/public');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true });
  });

  it('should serve every route of a @Public() controller without a token', async () => {
    const res = await get('/status');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ up: true });
  });

  it('should let a province officer reach a village in the province', async () => {
    const res = await get(
      '/things/regions/16.10.05.2041',
      bearer(token({ role: Role.province, scope: '16' })),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ code: '16.10.05.2041' });
  });

  it('should forbid a province officer a regency of another province', async () => {
    const res = await get('/things/regions/1801', bearer(token({ role: Role.province, scope: '16' })));
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toBe('region 1801 is outside your scope 16');
  });

  it('should answer 400 for a malformed region code', async () => {
    const res = await get('/things/regions/16.1', bearer(token({ role: Role.province, scope: '16' })));
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain("invalid region code '16.1'");
  });

  describe('with a public key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = (k: typeof rsa.publicKey): string => k.export({ type: 'spki', format: 'pem' }).toString();
    const privatePem = (k: typeof rsa.privateKey): string =>
      k.export({ type: 'pkcs8', format: 'pem' }).toString();
    let rsaApp: NestFastifyApplication;
    let ecApp: NestFastifyApplication;

    beforeAll(async () => {
      rsaApp = await createApp({ publicKey: pem(rsa.publicKey) });
      ecApp = await createApp({ publicKey: pem(ec.publicKey), issuer: 'bkkbn-idp', audience: 'kkb-api' });
    });

    afterAll(async () => {
      await rsaApp.close();
      await ecApp.close();
    });

    it('should accept an RS256 token signed with the matching private key', async () => {
      const t = mintToken({
        role: Role.province,
        scope: '16',
        sub: 'p',
        privateKey: privatePem(rsa.privateKey),
      });
      const res = await rsaApp.inject({ method: 'GET', url: '/things', headers: bearer(t) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ role: 'province', scope: '16' });
    });

    it('should accept an ES256 token with the configured issuer and audience', async () => {
      const t = mintToken({
        role: Role.verifier,
        scope: '1610',
        sub: 'v',
        privateKey: privatePem(ec.privateKey),
        issuer: 'bkkbn-idp',
        audience: 'kkb-api',
      });
      const res = await ecApp.inject({ method: 'GET', url: '/things', headers: bearer(t) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ role: 'verifier', scope: '1610' });
    });

    it('should reject an HS256 token that uses the public key as its secret', async () => {
      const t = mintToken({ role: Role.national, scope: '', sub: 'x', secret: pem(rsa.publicKey) });
      const res = await rsaApp.inject({ method: 'GET', url: '/things', headers: bearer(t) });
      expect(res.statusCode).toBe(401);
      expect(res.json().message).toBe('token algorithm must be RS256');
    });
  });
});
