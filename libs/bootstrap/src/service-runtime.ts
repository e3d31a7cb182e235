import { Module, type DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  DEFAULT_BACKOFF_MS,
  MessagingModule,
  startEventTransport,
  type MessagingOptions,
} from '@kkb/messaging';
import {
  provisionServiceDatabase,
  revertMigrations,
  runMigrations,
  serviceDataSourceOptions,
  type ServiceDatabaseConfig,
} from '@kkb/persistence';
import { loadConfig, PlatformModule, type BaseServiceConfig } from '@kkb/platform';
import { createServiceApp } from './create-service-app';
import type { RateLimitSettings } from './rate-limit';
import type { ServiceDefinition } from './service-definition';

export function loadServiceConfig<C extends BaseServiceConfig>(
  def: ServiceDefinition<C>,
  env: NodeJS.ProcessEnv = process.env,
): C {
  return loadConfig(
    def.configClass,
    {
      PORT: def.defaultPort,
      DATABASE_SCHEMA: def.name,
      DATABASE_ROLE: `kkb_${def.name}`,
    } as never,
    env,
  );
}

export function databaseConfig(def: ServiceDefinition, config: BaseServiceConfig): ServiceDatabaseConfig {
  return {
    url: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    role: config.DATABASE_ROLE,
    poolSize: config.DATABASE_POOL_SIZE,
    applicationName: `kkb-${def.name}`,
  };
}

export function messagingOptions(
  def: ServiceDefinition,
  config: BaseServiceConfig,
  overrides: Partial<MessagingOptions> = {},
): MessagingOptions {
  return {
    service: def.name,
    natsUrl: config.NATS_URL,
    natsUser: config.NATS_USER,
    natsPassword: config.NATS_PASSWORD,
    subjectRoot: config.EVENT_SUBJECT_ROOT,
    streamPrefix: config.EVENT_STREAM_PREFIX,
    streamReplicas: config.NATS_STREAM_REPLICAS,
    retentionDays: config.EVENT_RETENTION_DAYS,
    schema: config.DATABASE_SCHEMA,
    outbox: {
      enabled: true,
      batchSize: config.OUTBOX_BATCH_SIZE,
      pollMs: config.OUTBOX_POLL_MS,
      retentionHours: config.OUTBOX_RETENTION_HOURS,
    },
    consumers: def.consumers,
    consumersEnabled: true,
    maxDeliver: config.CONSUMER_MAX_DELIVER,
    ackWaitMs: config.CONSUMER_ACK_WAIT_MS,
    backoffMs: DEFAULT_BACKOFF_MS,
    ...overrides,
  };
}

/** The root module of a service, built from its definition and validated configuration. */
export function serviceModule<C extends BaseServiceConfig>(
  def: ServiceDefinition<C>,
  config: C,
  messaging: Partial<MessagingOptions> = {},
): DynamicModule {
  @Module({})
  class ServiceRootModule {}
  Object.defineProperty(ServiceRootModule, 'name', {
    value: `${def.name[0].toUpperCase()}${def.name.slice(1)}AppModule`,
  });
  return {
    module: ServiceRootModule,
    imports: [
      PlatformModule.forRoot(def.name, config),
      TypeOrmModule.forRoot(serviceDataSourceOptions(databaseConfig(def, config), { migrations: [] })),
      MessagingModule.forRoot(messagingOptions(def, config, messaging)),
      ...def.modules(config),
    ],
  };
}

async function withDataSource<T>(
  def: ServiceDefinition,
  config: BaseServiceConfig,
  fn: (ds: DataSource) => Promise<T>,
): Promise<T> {
  const ds = new DataSource(
    serviceDataSourceOptions({ ...databaseConfig(def, config), poolSize: 2 }, { migrations: def.migrations }),
  );
  await ds.initialize();
  try {
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}

/** Creates the service's role and schema (needs an admin DATABASE_URL); idempotent. */
export async function provisionService(
  def: ServiceDefinition,
  config: BaseServiceConfig,
  password?: string,
): Promise<void> {
  await provisionServiceDatabase(config.DATABASE_URL, {
    schema: config.DATABASE_SCHEMA,
    role: config.DATABASE_ROLE,
    password,
  });
}

export async function migrateService(def: ServiceDefinition, config: BaseServiceConfig): Promise<string[]> {
  return withDataSource(def, config, async (ds) => (await runMigrations(ds)).map((m) => m.name));
}

export async function revertService(
  def: ServiceDefinition,
  config: BaseServiceConfig,
  count = 1,
): Promise<number> {
  return withDataSource(def, config, (ds) => revertMigrations(ds, count));
}

export interface StartOptions {
  listen?: boolean;
  quiet?: boolean;
  messaging?: Partial<MessagingOptions>;
  /** Rate limits; default: from the RATE_LIMIT_* variables of process.env. */
  rateLimit?: RateLimitSettings;
}

/**
 * Migrates (when MIGRATIONS_RUN), builds the app, starts its event consumers (the JetStream
 * transport) and, unless told not to, listens for HTTP.
 */
export async function startService<C extends BaseServiceConfig>(
  def: ServiceDefinition<C>,
  config: C,
  opts: StartOptions = {},
): Promise<NestFastifyApplication> {
  if (config.MIGRATIONS_RUN) await migrateService(def, config);
  const app = await createServiceApp(serviceModule(def, config, opts.messaging), config, {
    service: def.name,
    title: def.title,
    description: def.description,
    quiet: opts.quiet,
    rateLimit: opts.rateLimit,
  });
  await startEventTransport(app);
  if (opts.listen !== false) await app.listen({ port: config.PORT, host: config.HOST });
  return app;
}
