import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Gauge } from 'prom-client';
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
  // Each gauge is spelled out (`gauge({ name: '...' })`) so the dashboards' test finds it in the code.
  const from = (value: (p: PgPool) => number) =>
    function collect(this: Gauge) {
      const pool = poolOf(ds);
      if (pool) this.set(value(pool));
    };
  metrics.gauge({
    name: 'kkb_db_pool_max',
    help: 'Most connections the Postgres pool opens (DATABASE_POOL_SIZE)',
    collect: from((p) => p.options.max),
  });
  metrics.gauge({
    name: 'kkb_db_pool_total',
    help: 'Connections the Postgres pool holds open',
    collect: from((p) => p.totalCount),
  });
  metrics.gauge({
    name: 'kkb_db_pool_idle',
    help: 'Open Postgres connections not in use',
    collect: from((p) => p.idleCount),
  });
  metrics.gauge({
    name: 'kkb_db_pool_waiting',
    help: 'Queries waiting for a Postgres connection',
    collect: from((p) => p.waitingCount),
  });
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
