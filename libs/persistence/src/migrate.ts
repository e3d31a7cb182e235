import type { DataSource, Migration } from 'typeorm';

/**
 * Runs pending migrations under a per-schema advisory lock, so replicas starting together
 * migrate once and the others wait, then find nothing to do.
 */
export async function runMigrations(ds: DataSource): Promise<Migration[]> {
  return withSchemaLock(ds, () => ds.runMigrations({ transaction: 'each' }));
}

/** Reverts the last `count` migrations (all of them with `Infinity`). */
export async function revertMigrations(ds: DataSource, count = 1): Promise<number> {
  return withSchemaLock(ds, async () => {
    let reverted = 0;
    while (reverted < count) {
      const executed = await ds
        .query(`SELECT count(*)::int AS n FROM "${schemaOf(ds)}"."migrations"`)
        .catch(() => [{ n: 0 }]);
      if (!executed[0]?.n) break;
      await ds.undoLastMigration({ transaction: 'each' });
      reverted++;
    }
    return reverted;
  });
}

function schemaOf(ds: DataSource): string {
  return (ds.options as { schema?: string }).schema ?? 'public';
}

async function withSchemaLock<T>(ds: DataSource, work: () => Promise<T>): Promise<T> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  const key = `kkb-migrate:${schemaOf(ds)}`;
  try {
    await qr.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    return await work();
  } finally {
    await qr.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
    await qr.release();
  }
}
