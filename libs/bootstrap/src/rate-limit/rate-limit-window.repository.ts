import type { ThrottlerStorage } from '@nestjs/throttler';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** What the storage needs of a database: one query (a TypeORM DataSource has it). */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** How often old windows are swept (each replica sweeps; the DELETE is cheap and idempotent). */
const SWEEP_MS = 60_000;

/**
 * Rate-limit counters in Postgres, shared by every replica of a service: a fixed window per key,
 * the window's start part of the row key, so counting is one UPSERT … RETURNING per request and
 * replicas never read-modify-write. The table is UNLOGGED (counters are not data: a crash may
 * reset them, and they cost no WAL) and created on first use in the service's own schema.
 */
export class PostgresThrottlerStorage implements ThrottlerStorage {
  private ready: Promise<void> | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly table: string;

  constructor(
    private readonly db: Queryable,
    schema: string,
    private readonly now: () => number = Date.now,
  ) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`not a schema name: ${schema}`);
    this.table = `"${schema}".rate_limit_window`;
  }

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    await (this.ready ??= this.create());
    const now = this.now();
    const start = Math.floor(now / ttl) * ttl;
    const rows = (await this.db.query(
      `INSERT INTO ${this.table} AS w (key, window_start, hits) VALUES ($1, $2, 1)
       ON CONFLICT (key, window_start) DO UPDATE SET hits = w.hits + 1 RETURNING hits`,
      [key, start],
    )) as { hits: number }[];
    const totalHits = Number(rows[0].hits);
    const timeToExpire = Math.max(1, Math.ceil((start + ttl - now) / 1000));
    const isBlocked = totalHits > limit;
    return { totalHits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
  }

  /** Drops windows that ended (kept one window back for clocks a little apart). */
  async sweep(olderThanMs: number): Promise<void> {
    await (this.ready ??= this.create());
    await this.db.query(`DELETE FROM ${this.table} WHERE window_start < $1`, [this.now() - olderThanMs]);
  }

  /** Starts the periodic sweep of windows older than `keepMs`. */
  startSweeping(keepMs: number): void {
    this.sweeper ??= setInterval(() => void this.sweep(keepMs).catch(() => undefined), SWEEP_MS);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private async create(): Promise<void> {
    try {
      await this.db.query(
        `CREATE UNLOGGED TABLE IF NOT EXISTS ${this.table} (
           key text NOT NULL,
           window_start bigint NOT NULL,
           hits integer NOT NULL,
           PRIMARY KEY (key, window_start))`,
      );
    } catch (err) {
      // Two replicas creating it at once: one wins, the other finds it there.
      const code = (err as { code?: string; driverError?: { code?: string } }).driverError?.code;
      if (code !== '23505' && code !== '42P07' && (err as { code?: string }).code !== '23505') {
        this.ready = undefined;
        throw err;
      }
    }
  }
}
