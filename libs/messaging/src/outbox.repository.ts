import type { EntityManager } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/** An outbox row as the relay claims it. */
export interface OutboxRow {
  id: string;
  subject: string;
  payload: Record<string, unknown>;
  /** Selected only while tracing is on. */
  traceparent?: string | null;
  tracestate?: string | null;
}

/** The only place that reads and writes the outbox table. */
export class OutboxRepository {
  /**
   * Inserts the prepared rows (`rows` are the VALUES tuples over `params`). No NOTIFY here: one in
   * the transaction would take Postgres's global notify lock at commit and serialize every commit
   * of the database; the relay is woken in-process after the commit instead (OutboxService).
   */
  async insert(m: EntityManager, columns: string, rows: string[], params: unknown[]): Promise<void> {
    await m.query(`INSERT INTO ${schemaOf(m)}.outbox (${columns}) VALUES ${rows.join(', ')}`, params);
  }

  /** How many committed events are not yet published. */
  async unpublishedCount(m: EntityManager): Promise<number> {
    const [{ n }] = await m.query(
      `SELECT count(*)::int AS n FROM ${schemaOf(m)}.outbox WHERE published_at IS NULL`,
    );
    return n;
  }

  /** Claims up to `limit` unpublished rows in commit order, skipping rows another relay holds. */
  async claimUnpublished(m: EntityManager, limit: number, traced: boolean): Promise<OutboxRow[]> {
    const s = schemaOf(m);
    return m.query(
      `SELECT id, subject, payload${traced ? ', traceparent, tracestate' : ''} FROM ${s}.outbox
          WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  /** Marks the rows published (and counts the attempt). */
  async markPublished(m: EntityManager, ids: string[]): Promise<void> {
    const s = schemaOf(m);
    await m.query(
      `UPDATE ${s}.outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /** Counts a failed attempt on each row and keeps its error. */
  async recordFailures(m: EntityManager, failed: { id: string; error: string }[]): Promise<void> {
    const s = schemaOf(m);
    await m.query(
      `UPDATE ${s}.outbox o SET attempts = o.attempts + 1, last_error = f.error
             FROM unnest($1::uuid[], $2::text[]) AS f(id, error) WHERE o.id = f.id`,
      [failed.map((f) => f.id), failed.map((f) => f.error)],
    );
  }

  /** Deletes at most 10000 rows published more than `retentionHours` ago; returns the driver's result. */
  async deletePublishedBefore(m: EntityManager, retentionHours: number): Promise<unknown> {
    const s = schemaOf(m);
    return m.query(
      `DELETE FROM ${s}.outbox WHERE id IN (
         SELECT id FROM ${s}.outbox WHERE published_at < now() - make_interval(hours => $1) LIMIT 10000)`,
      [retentionHours],
    );
  }
}
