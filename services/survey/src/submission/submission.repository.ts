import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { SubmissionKind, SurveyAnswers } from '@kkb/contracts';
import { OutboxService } from '@kkb/messaging';
import type { Submission, SubmissionStatus } from './submission.entity';
import { submittedEvent, supersededEvent, type OutboxItem } from './submission.events';
import { submissionFromRow } from './submission.view';
import { schemaOf } from '@kkb/persistence';

/** A submission that passed validation and scope, ready to be written. */
export interface PreparedSubmission {
  id: string;
  kampungId: string;
  villageCode: string;
  regionCode: string;
  instrumentCode: string;
  instrumentVersion: number;
  kind: SubmissionKind;
  period: { year: number; month: number };
  answers: SurveyAnswers;
  bodyHash: string;
  submittedBy: string;
  via: 'api' | 'import';
  importId?: string;
}

export type WriteOutcome =
  | { outcome: 'created'; submission: Submission; superseded?: Submission }
  | { outcome: 'unchanged'; submission: Submission }
  | { outcome: 'conflict'; submission: Submission };

const MAX_ATTEMPTS = 5;

/** TypeORM answers an UPDATE with `[rows, rowCount]` and anything else with the rows. */
export function rowsOf(raw: unknown): Record<string, unknown>[] {
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number')
    return raw[0] as Record<string, unknown>[];
  return raw as Record<string, unknown>[];
}

/** Postgres unique_violation on the one-current-submission index: a concurrent writer won a period. */
function lostCurrentRace(err: unknown): boolean {
  const e = err as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  const code = e.code ?? e.driverError?.code;
  const constraint = e.constraint ?? e.driverError?.constraint;
  return code === '23505' && constraint === 'submission_current_key';
}

/**
 * The only code that writes submissions. Every write commits with its outbox events in one
 * transaction, so an event is published if and only if the change happened.
 */
@Injectable()
export class SubmissionRepository {
  private readonly s: string;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly outbox: OutboxService,
  ) {
    this.s = schemaOf(ds);
  }

  /**
   * Writes submissions whose ids and (kampung, kind, period) keys are all distinct, in one
   * transaction of a fixed number of round trips whatever the batch size. One statement:
   * 1. marks the current submission of each key superseded (unless the new id exists already:
   *    then this is a retry and nothing may change);
   * 2. inserts the new rows, `ON CONFLICT (id) DO NOTHING`: an id that exists is a retry,
   *    decided race-free by the primary key;
   * 3. reads back the stored rows of retries, which are then compared by body hash: same body,
   *    the stored submission; else a conflict.
   * Then `submitted` and `superseded` events go to the outbox, and `extra` (the import's per-row
   * results) joins the same transaction.
   * A concurrent writer taking the same period (the partial unique index) makes the transaction
   * start over, and this time it supersedes that writer's row.
   */
  async writeBatch(
    items: PreparedSubmission[],
    extra?: (manager: EntityManager, outcomes: WriteOutcome[]) => Promise<void>,
  ): Promise<WriteOutcome[]> {
    if (!items.length) return [];
    const ids = new Set(items.map((i) => i.id));
    const keys = new Set(items.map((i) => `${i.kampungId}|${i.kind}|${i.period.year}|${i.period.month}`));
    if (ids.size !== items.length || keys.size !== items.length)
      throw new Error('writeBatch needs distinct ids and distinct kampung periods');
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.ds.transaction((m) => this.writeOnce(m, items, extra));
      } catch (err) {
        if (attempt >= MAX_ATTEMPTS || !lostCurrentRace(err)) throw err;
      }
    }
  }

  private async writeOnce(
    m: EntityManager,
    items: PreparedSubmission[],
    extra?: (manager: EntityManager, outcomes: WriteOutcome[]) => Promise<void>,
  ): Promise<WriteOutcome[]> {
    const s = this.s;
    const col = <T>(f: (i: PreparedSubmission) => T) => items.map(f);

    // One statement supersedes, inserts and reads back retries. The scalar subquery makes the
    // UPDATE finish before the first row is inserted, so the superseded row has left the
    // one-current index when the new one enters it.
    const parts: {
      part: 'superseded' | 'inserted' | 'existing';
      previous_status: string | null;
      row: Record<string, unknown>;
    }[] = await m.query(
      `WITH n AS (
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[],
                                $8::int[], $9::int[], $10::text[], $11::text[], $12::text[], $13::uuid[], $14::text[])
             AS n(id, kampung_id, village_code, region_code, instrument_code, instrument_version, kind, y, m,
                  answers, body_hash, via, import_id, submitted_by)
         ), prev AS (
           SELECT o.id, o.status AS previous_status, n.id AS by_id
             FROM ${s}.submission o JOIN n
               ON o.kampung_id = n.kampung_id AND o.kind = n.kind AND o.period_year = n.y AND o.period_month = n.m
            WHERE o.status <> 'superseded' AND o.id <> n.id
              AND NOT EXISTS (SELECT 1 FROM ${s}.submission x WHERE x.id = n.id)
            FOR UPDATE OF o
         ), upd AS (
           UPDATE ${s}.submission o SET status = 'superseded', superseded_by = prev.by_id, superseded_at = now()
             FROM prev WHERE o.id = prev.id
           RETURNING o.*, prev.previous_status
         ), ins AS (
           INSERT INTO ${s}.submission (id, kampung_id, village_code, region_code, instrument_code, instrument_version,
                                        kind, period_year, period_month, answers, body_hash, via, import_id,
                                        submitted_by, supersedes)
           SELECT n.id, n.kampung_id, n.village_code, n.region_code, n.instrument_code, n.instrument_version, n.kind,
                  n.y, n.m, n.answers::jsonb, n.body_hash, n.via, n.import_id, n.submitted_by, u.id
             FROM n LEFT JOIN upd u ON u.superseded_by = n.id
            WHERE (SELECT count(*) FROM upd) >= 0
           ON CONFLICT (id) DO NOTHING
           RETURNING *
         )
         SELECT 'superseded' AS part, u.previous_status, to_jsonb(u) AS row FROM upd u
         UNION ALL SELECT 'inserted', NULL, to_jsonb(i) FROM ins i
         UNION ALL SELECT 'existing', NULL, to_jsonb(x) FROM ${s}.submission x JOIN n ON x.id = n.id`,
      [
        col((i) => i.id),
        col((i) => i.kampungId),
        col((i) => i.villageCode),
        col((i) => i.regionCode),
        col((i) => i.instrumentCode),
        col((i) => i.instrumentVersion),
        col((i) => i.kind),
        col((i) => i.period.year),
        col((i) => i.period.month),
        col((i) => JSON.stringify(i.answers)),
        col((i) => i.bodyHash),
        col((i) => i.via),
        col((i) => i.importId ?? null),
        col((i) => i.submittedBy),
      ],
    );
    const replaced = new Map<string, { row: Submission; previous: SubmissionStatus }>();
    const created = new Map<string, Submission>();
    const stored = new Map<string, Submission>();
    for (const p of parts) {
      const row = submissionFromRow(p.row);
      if (p.part === 'superseded')
        replaced.set(row.supersededBy as string, { row, previous: p.previous_status as SubmissionStatus });
      else if (p.part === 'inserted') created.set(row.id, row);
      else stored.set(row.id, row);
    }

    const retried = items.filter((i) => !created.has(i.id));
    if (retried.some((i) => replaced.has(i.id))) {
      // The id was committed by a concurrent request after this statement's snapshot: start over,
      // so that nothing is superseded for what is a retry.
      throw Object.assign(new Error('retry raced with its original'), {
        code: '23505',
        constraint: 'submission_current_key',
      });
    }
    const unseen = retried.filter((i) => !stored.has(i.id));
    if (unseen.length) {
      // Same race, without a row to supersede: read what the other request committed.
      const rows: Record<string, unknown>[] = await m.query(
        `SELECT * FROM ${s}.submission WHERE id = ANY($1::uuid[])`,
        [unseen.map((i) => i.id)],
      );
      for (const r of rows) stored.set(r.id as string, submissionFromRow(r));
    }

    const events: OutboxItem[] = [];
    const outcomes: WriteOutcome[] = items.map((i) => {
      const row = created.get(i.id);
      if (row) {
        const old = replaced.get(i.id);
        if (old) events.push(supersededEvent(old.row, old.previous as 'submitted' | 'verified' | 'rejected'));
        events.push(submittedEvent(row));
        return { outcome: 'created', submission: row, ...(old ? { superseded: old.row } : {}) };
      }
      const existing = stored.get(i.id);
      if (!existing) throw new Error(`submission ${i.id} neither inserted nor found`);
      return existing.bodyHash === i.bodyHash
        ? { outcome: 'unchanged', submission: existing }
        : { outcome: 'conflict', submission: existing };
    });
    await this.outbox.addMany(m, events);
    if (extra) await extra(m, outcomes);
    return outcomes;
  }

  async get(id: string): Promise<Submission | null> {
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT * FROM ${this.s}.submission WHERE id = $1`,
      [id],
    );
    return rows.length ? submissionFromRow(rows[0]) : null;
  }

  /**
   * Moves a `submitted` submission to verified or rejected, with its event, in one transaction.
   * `check` sees the locked row first (scope, state) and throws to refuse.
   */
  async transition(
    id: string,
    check: (current: Submission) => void,
    change: { to: 'verified'; by: string } | { to: 'rejected'; by: string; reason: string },
    event: (s: Submission) => OutboxItem,
  ): Promise<Submission | null> {
    return this.ds.transaction(async (m) => {
      const rows: Record<string, unknown>[] = await m.query(
        `SELECT * FROM ${this.s}.submission WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!rows.length) return null;
      check(submissionFromRow(rows[0]));
      const updated = rowsOf(
        change.to === 'verified'
          ? await m.query(
              `UPDATE ${this.s}.submission SET status = 'verified', verified_at = now(), verified_by = $2
                WHERE id = $1 RETURNING *`,
              [id, change.by],
            )
          : await m.query(
              `UPDATE ${this.s}.submission
                  SET status = 'rejected', rejected_at = now(), rejected_by = $2, rejection_reason = $3
                WHERE id = $1 RETURNING *`,
              [id, change.by, change.reason],
            ),
      );
      const s = submissionFromRow(updated[0]);
      await this.outbox.addMany(m, [event(s)]);
      return s;
    });
  }

  /**
   * Submissions within a region prefix (and, when given, a narrower one), newest first, history
   * included unless `current`; each with its kampung's name from the kampung projection.
   */
  async list(q: {
    regionPrefix: string;
    region?: string;
    kampungId?: string;
    instrument?: string;
    kind?: SubmissionKind;
    year?: number;
    month?: number;
    status?: SubmissionStatus;
    current?: boolean;
    limit: number;
    offset: number;
  }): Promise<(Submission & { kampungName: string | null })[]> {
    const where = [`s.region_code LIKE $1`];
    const params: unknown[] = [`${q.regionPrefix}%`];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.region) add(`s.region_code LIKE ? || '%'`, q.region);
    if (q.kampungId) add('s.kampung_id = ?', q.kampungId);
    if (q.instrument) add('s.instrument_code = ?', q.instrument);
    if (q.kind) add('s.kind = ?', q.kind);
    if (q.year) add('s.period_year = ?', q.year);
    if (q.month) add('s.period_month = ?', q.month);
    if (q.status) add('s.status = ?', q.status);
    if (q.current) where.push(`s.status <> 'superseded'`);
    params.push(q.limit, q.offset);
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT s.*, p.name AS kampung_name
         FROM ${this.s}.submission s LEFT JOIN ${this.s}.kampung_projection p ON p.kampung_id = s.kampung_id
        WHERE ${where.join(' AND ')}
        ORDER BY s.submitted_at DESC, s.id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map((r) => ({
      ...submissionFromRow(r),
      kampungName: (r.kampung_name as string | null) ?? null,
    }));
  }

  /** The active profile of a kampung: its verified, current profile of the latest period. */
  async activeProfile(kampungId: string): Promise<Submission | null> {
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT * FROM ${this.s}.submission
        WHERE kampung_id = $1 AND kind = 'profile' AND status = 'verified'
        ORDER BY period_year DESC, period_month DESC LIMIT 1`,
      [kampungId],
    );
    return rows.length ? submissionFromRow(rows[0]) : null;
  }
}
