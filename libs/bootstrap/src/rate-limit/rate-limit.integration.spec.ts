import { Controller, Get, Module, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from 'pg';
import { mintToken, Public, Role } from '@kkb/auth';
import { BaseServiceConfig, loadConfig, PlatformModule } from '@kkb/platform';
import { createServiceApp } from '../create-service-app';
import { PostgresThrottlerStorage } from './rate-limit-window.repository';
import { memoryStorage, RateLimitGuard } from './rate-limit.guard';
import { DEFAULT_EXEMPT, rateLimitSettings, type RateLimitSettings } from './rate-limit.settings';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECRET = 'rate-limit-secret';
const schema = `rl_${Math.random().toString(36).slice(2, 10)}`;

@Controller('api/v1/things')
class ThingsController {
  @Get()
  list(): string[] {
    return [];
  }

  @Public()
  @Get('open')
  open(): string[] {
    return [];
  }

  @Get(':id')
  one(): object {
    return {};
  }
}

function settings(over: Partial<RateLimitSettings> = {}): RateLimitSettings {
  return {
    defaultLimit: 3,
    perRole: {},
    windowSeconds: 60,
    store: 'memory',
    exempt: new RegExp(DEFAULT_EXEMPT),
    ...over,
  };
}

async function appWith(rateLimit: RateLimitSettings): Promise<NestFastifyApplication> {
  const config = loadConfig(
    BaseServiceConfig,
    { DATABASE_SCHEMA: schema, DATABASE_ROLE: 'postgres' },
    {
      PORT: '0',
      DATABASE_URL: url,
      NATS_URL: 'nats://127.0.0.1:4222',
      JWT_SECRET: SECRET,
      LOG_LEVEL: 'silent',
    },
  );
  @Module({
    imports: [
      PlatformModule.forRoot('ratelimit', config),
      TypeOrmModule.forRoot({ type: 'postgres', url, schema, extra: { max: 2 } }),
    ],
    controllers: [ThingsController],
  })
  class RateLimitTestModule {}
  return createServiceApp(RateLimitTestModule, config, {
    service: 'ratelimit',
    title: 'rate limit test',
    description: '',
    quiet: true,
    rateLimit,
  });
}

const token = (role: Role, sub: string) =>
  mintToken({
    role,
    scope: role === Role.national ? '' : role === Role.regency ? '1610' : '16',
    sub,
    secret: SECRET,
  });
const get = (app: NestFastifyApplication, path: string, bearer?: string) =>
  app.inject({
    method: 'GET',
    url: path,
    headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
  });

describe('rate limits', () => {
  const apps: NestFastifyApplication[] = [];
  const start = async (s: RateLimitSettings) => {
    const app = await appWith(s);
    apps.push(app);
    return app;
  };

  beforeAll(async () => {
    const c = new Client({ connectionString: url });
    await c.connect();
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.end();
  });

  afterEach(async () => {
    for (const a of apps.splice(0)) await a.close();
  });

  afterAll(async () => {
    const c = new Client({ connectionString: url });
    await c.connect();
    await c.query(`DROP SCHEMA ${schema} CASCADE`);
    await c.end();
  });

  it('should answer 429 problem+json with Retry-After after N requests of one client, and not limit another', async () => {
    const app = await start(settings({ defaultLimit: 3 }));
    const a = token(Role.province, 'client-a');
    for (let i = 0; i < 3; i++) {
      const ok = await get(app, '/api/v1/things', a);
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['x-ratelimit-remaining']).toBe(String(2 - i));
    }
    const limited = await get(app, '/api/v1/things', a);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.json()).toMatchObject({
      type: 'https://kampungkb.example/problems/rate-limited',
      title: 'Too many requests',
      status: 429,
      detail: expect.stringContaining('3 requests per 60 s'),
    });
    // Counted per client across routes (another route of the same service is limited too)...
    expect((await get(app, '/api/v1/things/1', a)).statusCode).toBe(429);
    // ...and not across clients.
    expect((await get(app, '/api/v1/things', token(Role.province, 'client-b'))).statusCode).toBe(200);
  });

  it('should give a role its own limit, 0 meaning unlimited, and count callers without a token by IP', async () => {
    const app = await start(
      settings({ defaultLimit: 2, perRole: { integrator: 4, national: 0, anonymous: 1 } }),
    );
    const integrator = token(Role.integrator, 'integrator-1');
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await get(app, '/api/v1/things', integrator)).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 429]);
    const province = token(Role.province, 'province-1');
    const provinceCodes = [];
    for (let i = 0; i < 3; i++) provinceCodes.push((await get(app, '/api/v1/things', province)).statusCode);
    expect(provinceCodes).toEqual([200, 200, 429]);
    const national = token(Role.national, 'national-1');
    for (let i = 0; i < 10; i++) expect((await get(app, '/api/v1/things', national)).statusCode).toBe(200);
    expect((await get(app, '/api/v1/things/open')).statusCode).toBe(200);
    expect((await get(app, '/api/v1/things/open')).statusCode).toBe(429);
  });

  it('should never limit health probes and metrics scrapes', async () => {
    const app = await start(settings({ defaultLimit: 1, perRole: { anonymous: 1 } }));
    for (let i = 0; i < 5; i++) {
      expect((await get(app, '/health/live')).statusCode).toBe(200);
      expect((await get(app, '/metrics')).statusCode).toBe(200);
    }
    expect((await get(app, '/api/v1/things/open')).statusCode).toBe(200);
    expect((await get(app, '/api/v1/things/open')).statusCode).toBe(429);
  });

  it('should count two replicas together when they share the postgres store', async () => {
    const shared = settings({ defaultLimit: 4, store: 'postgres' });
    const [one, two] = [await start(shared), await start(shared)];
    const t = token(Role.regency, `replicated-${Date.now()}`);
    const codes = [];
    for (const app of [one, two, one, two, one, two])
      codes.push((await get(app, '/api/v1/things', t)).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 429, 429]);
    // A second client on the same replicas has its own count.
    expect((await get(two, '/api/v1/things', token(Role.regency, `other-${Date.now()}`))).statusCode).toBe(
      200,
    );
  });

  it('should count each replica alone with the memory store', async () => {
    const own = settings({ defaultLimit: 2, store: 'memory' });
    const [one, two] = [await start(own), await start(own)];
    const t = token(Role.regency, 'memory-client');
    const codes = [];
    for (const app of [one, two, one, two, one, two])
      codes.push((await get(app, '/api/v1/things', t)).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('should start a new window in the postgres store once the old one ended, and sweep old windows', async () => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      let now = 1_000_000_000_000;
      const db = { query: (sql: string, params?: unknown[]) => c.query(sql, params).then((r) => r.rows) };
      const store = new PostgresThrottlerStorage(db, schema, () => now);
      const hit = () => store.increment('k', 1000, 2);
      expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
      expect(await hit()).toMatchObject({ totalHits: 2, isBlocked: false });
      expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 1 });
      now += 1000;
      expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
      await store.sweep(500);
      const { rows } = await c.query(`SELECT window_start FROM ${schema}.rate_limit_window WHERE key = 'k'`);
      expect(rows.map((r) => Number(r.window_start))).toEqual([now]);
    } finally {
      await c.end();
    }
  });
});

describe(RateLimitGuard.name, () => {
  it('should never count event handlers (non-HTTP contexts)', async () => {
    const guard = new RateLimitGuard(settings({ defaultLimit: 1 }), memoryStorage(), new Reflector());
    await guard.onModuleInit();
    const rpc = {
      getType: () => 'rpc',
      getHandler: () => ThingsController.prototype.list,
      getClass: () => ThingsController,
      switchToHttp: () => {
        throw new Error('an event has no HTTP request');
      },
    } as unknown as ExecutionContext;
    for (let i = 0; i < 3; i++) await expect(guard.canActivate(rpc)).resolves.toBe(true);
  });
});

describe('rateLimitSettings', () => {
  it('should be off unless RATE_LIMIT_DEFAULT or a role limit is set', () => {
    expect(rateLimitSettings({})).toMatchObject({
      defaultLimit: 0,
      perRole: {},
      store: 'memory',
      windowSeconds: 60,
    });
    expect(
      rateLimitSettings({
        RATE_LIMIT_DEFAULT: '6000',
        RATE_LIMIT_INTEGRATOR: '600',
        RATE_LIMIT_STORE: 'postgres',
        RATE_LIMIT_WINDOW_SECONDS: '10',
      }),
    ).toMatchObject({
      defaultLimit: 6000,
      perRole: { integrator: 600 },
      store: 'postgres',
      windowSeconds: 10,
    });
  });

  it('should refuse bad values naming the variable', () => {
    expect(() => rateLimitSettings({ RATE_LIMIT_DEFAULT: '-1' })).toThrow(/RATE_LIMIT_DEFAULT/);
    expect(() => rateLimitSettings({ RATE_LIMIT_STORE: 'redis' })).toThrow(/RATE_LIMIT_STORE/);
    expect(() => rateLimitSettings({ RATE_LIMIT_EXEMPT: '(' })).toThrow(/RATE_LIMIT_EXEMPT/);
  });
});
