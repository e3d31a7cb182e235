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

  /**
   * Claims up to `limit` unpublished rows in commit order, skipping rows another relay holds, and
   * marks them published (counting the attempt) in the same statement: one round trip instead of
   * a SELECT and an UPDATE. Only valid inside the relay's transaction, which commits after the
   * publishes are acknowledged and rolls back (unmarking every row) if the relay dies or fails
   * first; rows whose publish failed are unmarked by `recordFailures` before the commit.
   */
  async claimAndMark(m: EntityManager, limit: number, traced: boolean): Promise<OutboxRow[]> {
    const s = schemaOf(m);
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows]: [(OutboxRow & { seq: string })[], number] = await m.query(
      `UPDATE ${s}.outbox o SET published_at = now(), attempts = o.attempts + 1
         FROM (SELECT id FROM ${s}.outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED) c
        WHERE o.id = c.id
        RETURNING o.id, o.seq, o.subject, o.payload${traced ? ', o.traceparent, o.tracestate' : ''}`,
      [limit],
    );
    // RETURNING has no order: publish in commit order.
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq));
  }

  /** Unmarks rows whose publish failed (claimAndMark counted the attempt) and keeps each error. */
  async recordFailures(m: EntityManager, failed: { id: string; error: string }[]): Promise<void> {
    const s = schemaOf(m);
    await m.query(
      `UPDATE ${s}.outbox o SET published_at = NULL, last_error = f.error
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
