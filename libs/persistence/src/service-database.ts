import type { DataSourceOptions, MixedList } from 'typeorm';
import { types } from 'pg';
import { assertIdentifier } from './identifiers';

// A calendar date (launch date, period) is not an instant: keep Postgres `date` as 'YYYY-MM-DD'
// instead of a JS Date at local midnight, which shifts a day in some time zones.
types.setTypeParser(types.builtins.DATE, (v: string) => v);

export interface ServiceDatabaseConfig {
  /** postgres:// URL. Either the service's own login role, or an admin user that `SET ROLE`s to `role`. */
  url: string;
  /** The one schema this service owns. */
  schema: string;
  /** The role that owns the schema; every session of the service runs as it. */
  role?: string;
  poolSize?: number;
  applicationName?: string;
  logging?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Migrations = MixedList<Function | string>;

export function urlUser(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username);
  } catch {
    return '';
  }
}

/**
 * TypeORM options for one service: its schema, its migrations (table `migrations` inside the
 * schema), `synchronize` off, and a session that runs as the service's role with the schema
 * alone on its search path, so an accidental unqualified name cannot reach anyone else's data.
 */
export function serviceDataSourceOptions(
  cfg: ServiceDatabaseConfig,
  parts: { migrations: Migrations },
): DataSourceOptions {
  const schema = assertIdentifier(cfg.schema, 'schema');
  const pgOptions = [`-c search_path=${schema}`];
  if (cfg.role && cfg.role !== urlUser(cfg.url))
    pgOptions.push(`-c role=${assertIdentifier(cfg.role, 'role')}`);
  return {
    type: 'postgres',
    url: cfg.url,
    schema,
    // No entities: repositories run SQL and map rows through one function per table.
    entities: [],
    migrations: parts.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: cfg.logging ? ['error', 'warn'] : false,
    applicationName: cfg.applicationName,
    extra: { max: cfg.poolSize ?? 10, options: pgOptions.join(' ') },
  };
}
