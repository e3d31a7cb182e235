import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

export interface RecomputeJob {
  id: string;
  ruleSetVersion: number;
  status: 'running' | 'done' | 'superseded';
  cursor: string | null;
  total: number;
  processed: number;
  changed: number;
  createdAt: Date;
  finishedAt: Date | null;
  error: string | null;
}

const COLUMNS = `id, rule_set_version AS "ruleSetVersion", status, cursor, total, processed, changed,
  created_at AS "createdAt", finished_at AS "finishedAt", error`;

/** The only place that reads and writes recompute_job. */
@Injectable()
export class RecomputeRepository {
  async find(m: EntityManager, id: string): Promise<RecomputeJob | null> {
    const rows = await m.query(`SELECT ${COLUMNS} FROM ${schemaOf(m)}.recompute_job WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Jobs newest first, after the (createdAt, id) of the previous page's last one; limit + 1 rows. */
  async list(
    m: EntityManager,
    status: RecomputeJob['status'] | undefined,
    after: { createdAt: string; id: string } | null,
    limit: number,
  ): Promise<(RecomputeJob & { k: string })[]> {
    return m.query(
      `SELECT ${COLUMNS}, created_at::text AS k FROM ${schemaOf(m)}.recompute_job
        WHERE ($1::text IS NULL OR status = $1)
          AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [status ?? null, after?.createdAt ?? null, after?.id ?? null, limit + 1],
    );
  }

  /** The job, locked for one batch; null when another replica is running that batch. */
  async claim(m: EntityManager, id: string): Promise<RecomputeJob | null> {
    const rows = await m.query(
      `SELECT ${COLUMNS} FROM ${schemaOf(m)}.recompute_job WHERE id = $1 FOR UPDATE SKIP LOCKED`,
      [id],
    );
    return rows[0] ?? null;
  }

  async running(m: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM ${schemaOf(m)}.recompute_job WHERE status = 'running' ORDER BY created_at`,
    );
    return rows.map((r) => r.id);
  }

  /** Starts a job for `version`; jobs still running for older versions are superseded. */
  async create(m: EntityManager, id: string, version: number): Promise<RecomputeJob> {
    const s = schemaOf(m);
    await m.query(
      `UPDATE ${s}.recompute_job SET status = 'superseded', finished_at = now() WHERE status = 'running'`,
    );
    await m.query(
      `INSERT INTO ${s}.recompute_job (id, rule_set_version, total)
       SELECT $1, $2, count(*) FROM ${s}.latest_submission WHERE kind = 'profile'`,
      [id, version],
    );
    const job = await this.find(m, id);
    if (!job) throw new Error(`recomputation job ${id} vanished inside its own transaction`);
    return job;
  }

  /**
   * The next kampung to re-evaluate after `cursor` (those with a verified profile), locked in
   * the projection as the event path locks them, in kampung id order.
   */
  async nextBatch(m: EntityManager, cursor: string | null, limit: number): Promise<string[]> {
    const s = schemaOf(m);
    const rows: { id: string }[] = await m.query(
      `SELECT l.kampung_id AS id FROM ${s}.latest_submission l
         JOIN ${s}.kampung_projection p ON p.kampung_id = l.kampung_id
        WHERE l.kind = 'profile' AND l.kampung_id > $1::uuid
        ORDER BY l.kampung_id LIMIT $2
          FOR UPDATE OF p`,
      [cursor ?? '00000000-0000-0000-0000-000000000000', limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Kampung still on an older version after the pass (evaluated by a submission that read the
   * previous version just before the publish committed), locked like nextBatch.
   */
  async stragglers(m: EntityManager, version: number, limit: number): Promise<string[]> {
    const s = schemaOf(m);
    const rows: { id: string }[] = await m.query(
      `SELECT p.kampung_id AS id FROM ${s}.kampung_projection p
        WHERE p.kampung_id IN (SELECT kampung_id FROM ${s}.kampung_state WHERE rule_set_version < $1 LIMIT $2)
        ORDER BY p.kampung_id FOR UPDATE OF p`,
      [version, limit],
    );
    return rows.map((r) => r.id);
  }

  async advance(m: EntityManager, id: string, cursor: string | null, processed: number, changed: number) {
    await m.query(
      `UPDATE ${schemaOf(m)}.recompute_job SET cursor = COALESCE($2, cursor), processed = processed + $3,
         changed = changed + $4, error = NULL WHERE id = $1`,
      [id, cursor, processed, changed],
    );
  }

  /**
   * As advance, for a batch that ran alongside the one before it (which holds the job row until
   * it commits): waits for that commit, and advances only if it committed the cursor `after` and
   * the job still runs. Returns whether it did; if not, the caller rolls its batch back.
   */
  async advanceAfter(
    m: EntityManager,
    id: string,
    after: string,
    cursor: string,
    processed: number,
    changed: number,
  ): Promise<boolean> {
    const [, count]: [unknown, number] = await m.query(
      `UPDATE ${schemaOf(m)}.recompute_job SET cursor = $3, processed = processed + $4, changed = changed + $5,
         error = NULL WHERE id = $1 AND status = 'running' AND cursor = $2`,
      [id, after, cursor, processed, changed],
    );
    return count === 1;
  }

  async finish(m: EntityManager, id: string) {
    await m.query(
      `UPDATE ${schemaOf(m)}.recompute_job SET status = 'done', finished_at = now() WHERE id = $1`,
      [id],
    );
  }

  async fail(m: EntityManager, id: string, error: string) {
    await m.query(`UPDATE ${schemaOf(m)}.recompute_job SET error = $2 WHERE id = $1`, [
      id,
      error.slice(0, 2000),
    ]);
  }
}
