import { MetricsRegistry } from '@kkb/platform';
import { DataSource } from 'typeorm';
import type { INestApplicationContext } from '@nestjs/common';
import { registerAppPoolMetrics, registerPoolMetrics } from './pool-metrics';

const url = process.env.DATABASE_URL;

/** The pool gauges as /metrics exports them. */
async function scrape(metrics: MetricsRegistry): Promise<Record<string, number | undefined>> {
  const out: Record<string, number | undefined> = {};
  for (const m of await metrics.getMetricsAsJSON()) out[m.name] = m.values[0]?.value;
  return out;
}

describe('Postgres pool metrics', () => {
  let ds: DataSource;
  let metrics: MetricsRegistry;

  beforeEach(() => {
    ds = new DataSource({ type: 'postgres', url, extra: { max: 2 } });
    metrics = new MetricsRegistry();
    registerPoolMetrics(metrics, ds);
  });

  afterEach(async () => {
    if (ds.isInitialized) await ds.destroy();
  });

  it('should read 0 before the DataSource is initialized', async () => {
    expect(await scrape(metrics)).toEqual({
      kkb_db_pool_max: 0,
      kkb_db_pool_total: 0,
      kkb_db_pool_idle: 0,
      kkb_db_pool_waiting: 0,
    });
  });

  it('should report connections in use, idle and queries waiting for one, as they change', async () => {
    await ds.initialize();
    // Two queries hold both connections; a third waits for one of them.
    const running = [1, 2, 3].map(() => ds.query('SELECT pg_sleep(0.5)'));
    let during: Record<string, number | undefined>;
    try {
      await new Promise((r) => setTimeout(r, 200));
      during = await scrape(metrics);
    } finally {
      await Promise.allSettled(running);
    }
    expect(during).toEqual({
      kkb_db_pool_max: 2,
      kkb_db_pool_total: 2,
      kkb_db_pool_idle: 0,
      kkb_db_pool_waiting: 1,
    });

    expect(await scrape(metrics)).toEqual({
      kkb_db_pool_max: 2,
      kkb_db_pool_total: 2,
      kkb_db_pool_idle: 2,
      kkb_db_pool_waiting: 0,
    });
  });

  it('should register them for an application with a DataSource, and not for one without', async () => {
    await ds.initialize();
    const withDs = new MetricsRegistry();
    registerAppPoolMetrics({ get: () => ds } as unknown as INestApplicationContext, withDs);
    expect(await scrape(withDs)).toMatchObject({ kkb_db_pool_max: 2 });

    const without = new MetricsRegistry();
    const noTypeOrm = {
      get: () => {
        throw new Error('Nest could not find DataSource element');
      },
    };
    registerAppPoolMetrics(noTypeOrm as unknown as INestApplicationContext, without);
    expect(await scrape(without)).toEqual({});
  });
});
