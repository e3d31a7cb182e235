import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SubmissionKind, SurveyAnswers } from '@kkb/contracts';
import { schemaOf } from '@kkb/persistence';
import type { PreparedSubmission, Submission, SubmissionStatus } from './submission.model';

/**
 * A row of the submission table, as `SELECT *` / `RETURNING *` gives it, or as its `to_jsonb`
 * (then the timestamps are ISO text).
 */
export interface SubmissionRow {
  id: string;
  kampung_id: string;
  village_code: string;
  region_code: string;
  instrument_code: string;
  instrument_version: number;
  kind: SubmissionKind;
  period_year: number;
  period_month: number;
  answers: SurveyAnswers;
  body_hash: string;
  status: SubmissionStatus;
  via: 'api' | 'import';
  import_id: string | null;
  submitted_at: Date | string;
  submitted_by: string;
  supersedes: string | null;
  superseded_by: string | null;
  superseded_at: Date | string | null;
  verified_at: Date | string | null;
  verified_by: string | null;
  rejected_at: Date | string | null;
  rejected_by: string | null;
  rejection_reason: string | null;
}

/** A timestamp from a row (a Date) or from `to_jsonb` of a row (ISO text). */
function dateOf(v: Date | string | null | undefined): Date | null {
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v : new Date(v);
}

/** The one mapping of a submission row onto a Submission. */
export function submissionFromRow(r: SubmissionRow): Submission {
  return {
    id: r.id,
    kampungId: r.kampung_id,
    villageCode: r.village_code,
    regionCode: r.region_code,
    instrumentCode: r.instrument_code,
    instrumentVersion: Number(r.instrument_version),
    kind: r.kind,
    periodYear: Number(r.period_year),
    periodMonth: Number(r.period_month),
    answers: r.answers,
    bodyHash: r.body_hash,
    status: r.status,
    via: r.via,
    importId: r.import_id ?? null,
    submittedAt: dateOf(r.submitted_at) as Date,
    submittedBy: r.submitted_by,
    supersedes: r.supersedes ?? null,
    supersededBy: r.superseded_by ?? null,
    supersededAt: dateOf(r.superseded_at),
    verifiedAt: dateOf(r.verified_at),
    verifiedBy: r.verified_by ?? null,
    rejectedAt: dateOf(r.rejected_at),
    rejectedBy: r.rejected_by ?? null,
    rejectionReason: r.rejection_reason ?? null,
  };
}

/** What one supersede-and-insert statement did. */
export interface BatchWrite {
  /** Current submissions the batch replaced, each with the status it had before. */
  superseded: { submission: Submission; previousStatus: SubmissionStatus }[];
  /** The rows inserted: ids not seen before. */
  inserted: Submission[];
  /** The stored rows of ids that existed already (as of the statement's snapshot). */
  existing: Submission[];
}

/** The filters of a submission list (the caller has checked `region` against its scope). */
export interface SubmissionListFilter {
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
}

/** TypeORM answers an UPDATE with `[rows, rowCount]` and anything else with the rows. */
function rowsOf<T>(raw: unknown): T[] {
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number')
    return raw[0] as T[];
  return raw as T[];
}

/**
 * Postgres unique_violation on the one-current-submission index: a concurrent writer took a
 * period this transaction meant to take; the whole transaction may start over.
 */
export function lostCurrentRace(err: unknown): boolean {
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
 * The only SQL of the submission table. Every method runs on the EntityManager it is given; the
 * caller (SubmissionService) owns the transaction and the outbox events.
 */
@Injectable()
export class SubmissionRepository {
  /**
   * Writes submissions whose ids and (kampung, kind, period) keys are all distinct, in one
   * statement whatever the batch size:
   * 1. marks the current submission of each key superseded (unless the new id exists already:
   *    then this is a retry and nothing may change);
   * 2. inserts the new rows, `ON CONFLICT (id) DO NOTHING`: an id that exists is a retry,
   *    decided race-free by the primary key;
   * 3. reads back the stored rows of retries.
   * A concurrent writer taking the same period fails the statement on the partial unique index
   * (see lostCurrentRace).
   */
  async supersedeAndInsert(m: EntityManager, items: PreparedSubmission[]): Promise<BatchWrite> {
    const s = schemaOf(m);
    const col = <T>(f: (i: PreparedSubmission) => T) => items.map(f);

    // One statement supersedes, inserts and reads back retries. The scalar subquery makes the
    // UPDATE finish before the first row is inserted, so the superseded row has left the
    // one-current index when the new one enters it.
    const parts: {
      part: 'superseded' | 'inserted' | 'existing';
      previous_status: string | null;
      row: SubmissionRow;
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
    const out: BatchWrite = { superseded: [], inserted: [], existing: [] };
    for (const p of parts) {
      const submission = submissionFromRow(p.row);
      if (p.part === 'superseded')
        out.superseded.push({ submission, previousStatus: p.previous_status as SubmissionStatus });
      else if (p.part === 'inserted') out.inserted.push(submission);
      else out.existing.push(submission);
    }
    return out;
  }

  /** The submissions of these ids that exist. */
  async findMany(m: EntityManager, ids: string[]): Promise<Submission[]> {
    const rows: SubmissionRow[] = await m.query(
      `SELECT * FROM ${schemaOf(m)}.submission WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows.map(submissionFromRow);
  }

  /** One submission; `lock` takes its row lock (FOR UPDATE) for the rest of the transaction. */
  async find(m: EntityManager, id: string, opts: { lock?: boolean } = {}): Promise<Submission | null> {
    const rows: SubmissionRow[] = await m.query(
      `SELECT * FROM ${schemaOf(m)}.submission WHERE id = $1${opts.lock ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows.length ? submissionFromRow(rows[0]) : null;
  }

  /**
   * Marks a submission verified or rejected, now, by `by`, if it is `submitted` and its region
   * starts with `scope` (the caller's compact region prefix; '' is national): the row lock, the
   * checks and the change in one statement. Null when nothing matched (the caller finds out why).
   */
  async decide(
    m: EntityManager,
    id: string,
    scope: string,
    change: { to: 'verified'; by: string } | { to: 'rejected'; by: string; reason: string },
  ): Promise<Submission | null> {
    const set =
      change.to === 'verified'
        ? `status = 'verified', verified_at = now(), verified_by = $3`
        : `status = 'rejected', rejected_at = now(), rejected_by = $3, rejection_reason = $4`;
    const raw: unknown = await m.query(
      `UPDATE ${schemaOf(m)}.submission SET ${set}
        WHERE id = $1 AND status = 'submitted' AND starts_with(region_code, $2) RETURNING *`,
      change.to === 'verified' ? [id, scope, change.by] : [id, scope, change.by, change.reason],
    );
    const [row] = rowsOf<SubmissionRow>(raw);
    return row ? submissionFromRow(row) : null;
  }

  /**
   * Submissions within a region prefix (and, when given, a narrower one), newest first, history
   * included unless `current`; each with its kampung's name from the kampung projection.
   */
  async list(
    m: EntityManager,
    q: SubmissionListFilter,
  ): Promise<(Submission & { kampungName: string | null })[]> {
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
    const s = schemaOf(m);
    const rows: (SubmissionRow & { kampung_name: string | null })[] = await m.query(
      `SELECT s.*, p.name AS kampung_name
         FROM ${s}.submission s LEFT JOIN ${s}.kampung_projection p ON p.kampung_id = s.kampung_id
        WHERE ${where.join(' AND ')}
        ORDER BY s.submitted_at DESC, s.id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return rows.map((r) => ({
      ...submissionFromRow(r),
      kampungName: r.kampung_name ?? null,
    }));
  }

  /** The active profile of a kampung: its verified, current profile of the latest period. */
  async activeProfile(m: EntityManager, kampungId: string): Promise<Submission | null> {
    const rows: SubmissionRow[] = await m.query(
      `SELECT * FROM ${schemaOf(m)}.submission
        WHERE kampung_id = $1 AND kind = 'profile' AND status = 'verified'
        ORDER BY period_year DESC, period_month DESC LIMIT 1`,
      [kampungId],
    );
    return rows.length ? submissionFromRow(rows[0]) : null;
  }
}
