import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { MetricsRegistry } from '@kkb/platform';

/** What node-postgres' Pool tells about itself. */
interface PgPool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max: number };
}

/** The pg Pool of a TypeORM postgres DataSource (its driver's `master`), once it is initialized. */
function poolOf(ds: DataSource): PgPool | undefined {
  const pool = (ds.driver as unknown as { master?: Partial<PgPool> }).master;
  return pool && typeof pool.totalCount === 'number' ? (pool as PgPool) : undefined;
}

/**
 * The service's Postgres connection pool as gauges, read at scrape time: `kkb_db_pool_max`
 * (DATABASE_POOL_SIZE), `kkb_db_pool_total` (open connections), `kkb_db_pool_idle`, and
 * `kkb_db_pool_waiting` (queries waiting for a connection). Alert KkbDatabasePoolSaturated.
 */
export function registerPoolMetrics(metrics: MetricsRegistry, ds: DataSource): void {
  const read: Record<string, [string, (p: PgPool) => number]> = {
    kkb_db_pool_max: ['Most connections the Postgres pool opens (DATABASE_POOL_SIZE)', (p) => p.options.max],
    kkb_db_pool_total: ['Connections the Postgres pool holds open', (p) => p.totalCount],
    kkb_db_pool_idle: ['Open Postgres connections not in use', (p) => p.idleCount],
    kkb_db_pool_waiting: ['Queries waiting for a Postgres connection', (p) => p.waitingCount],
  };
  for (const [name, [help, value]] of Object.entries(read)) {
    const gauge = metrics.gauge({
      name,
      help,
      collect: () => {
        const pool = poolOf(ds);
        if (pool) gauge.set(value(pool));
      },
    });
  }
}

/** registerPoolMetrics for the application's DataSource, when it has one. */
export function registerAppPoolMetrics(app: INestApplicationContext, metrics: MetricsRegistry): void {
  let ds: DataSource;
  try {
    ds = app.get(DataSource, { strict: false });
  } catch {
    return; // an application without TypeORM
  }
  registerPoolMetrics(metrics, ds);
}
