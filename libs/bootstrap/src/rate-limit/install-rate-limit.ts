import { Reflector } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { PostgresThrottlerStorage } from './rate-limit-window.repository';
import { memoryStorage, RateLimitGuard } from './rate-limit.guard';
import { rateLimited, type RateLimitSettings } from './rate-limit.settings';

/**
 * Installs the rate-limit guard on every route of the app (after the AuthGuard), with the store
 * the settings name; nothing when no limit is set. Returns the guard, or undefined.
 */
export async function installRateLimit(
  app: NestFastifyApplication,
  settings: RateLimitSettings,
  schema: string,
): Promise<RateLimitGuard | undefined> {
  if (!rateLimited(settings)) return undefined;
  let storage: ThrottlerStorage;
  if (settings.store === 'postgres') {
    const pg = new PostgresThrottlerStorage(app.get(DataSource, { strict: false }), schema);
    pg.startSweeping(2 * settings.windowSeconds * 1000);
    storage = pg;
    const close = app.close.bind(app);
    app.close = async () => {
      pg.stop();
      await close();
    };
  } else {
    const memory = memoryStorage();
    storage = memory;
    const close = app.close.bind(app);
    app.close = async () => {
      memory.onApplicationShutdown();
      await close();
    };
  }
  const guard = new RateLimitGuard(settings, storage, app.get(Reflector));
  await guard.onModuleInit();
  app.useGlobalGuards(guard);
  return guard;
}
