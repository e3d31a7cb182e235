import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Level } from '../rule-set/rule-set.definition';
import type { Answers, IndicatorResult, IndexResult } from './evaluator';
import { schemaOf } from '@kkb/persistence';

export interface VerifiedSubmission {
  kampungId: string;
  kind: 'profile' | 'monthly-report';
  submissionId: string;
  /** `YYYY-MM-01`. */
  period: string;
  verifiedAt: string;
  instrumentCode: string;
  instrumentVersion: number;
  verifiedBy: string;
  answers: Answers;
}

/** What an evaluation reads of one kampung. */
export interface KampungInputs {
  kampungId: string;
  villageCode: string;
  profileId: string;
  profilePeriod: string;
  profile: Answers;
  reportId: string | null;
  reportPeriod: string | null;
  report: Answers | null;
  previousLevel: Level | null;
}

/** One evaluation row as written. */
export interface EvaluationRecord {
  id: string;
  kampung_id: string;
  village_code: string;
  rule_set_version: number;
  level: Level;
  previous_level: Level | null;
  changed: boolean;
  indices: Record<string, IndexResult>;
  indicators: Omit<IndicatorResult, 'index' | 'maxScore'>[];
  profile_submission_id: string;
  profile_period: string;
  report_submission_id: string | null;
  report_period: string | null;
  trigger: 'submission' | 'rule-set';
  job_id: string | null;
  evaluated_at: string;
}

const RECORD_COLUMNS = `id uuid, kampung_id uuid, village_code text, rule_set_version integer, level text,
  previous_level text, changed boolean, indices jsonb, indicators jsonb,
  profile_submission_id uuid, profile_period date, report_submission_id uuid, report_period date,
  trigger text, job_id uuid, evaluated_at timestamptz`;

/** The only place that writes submissions, evaluations, kampung_state and kampung_level_month. */
@Injectable()
export class EvaluationRepository {
  /**
   * In one statement: locks the kampung's projection row (so this evaluation and a recomputation
   * batch never interleave), archives the verified submission, and keeps it as the one to
   * evaluate from if it is later: a later period, or the same period verified later (a
   * correction). Nothing is written for a kampung not in the projection. The archive and the
   * latest row select from the locked row, so the lock is taken before either is written.
   */
  async lockAndStoreLatest(
    m: EntityManager,
    s: VerifiedSubmission,
  ): Promise<'unknown-kampung' | 'kept' | 'older'> {
    const t = schemaOf(m);
    const [row]: { found: number; kept: number }[] = await m.query(
      `WITH k AS (
         SELECT kampung_id FROM ${t}.kampung_projection WHERE kampung_id = $2::uuid FOR UPDATE),
       archived AS (
         INSERT INTO ${t}.verified_submission (submission_id, kampung_id, kind, period, verified_at,
           verified_by, instrument_code, instrument_version, answers)
         SELECT $1::uuid, k.kampung_id, $3::text, $4::date, $5::timestamptz, $6::text, $7::text, $8::int, $9::jsonb
           FROM k
         ON CONFLICT (submission_id) DO NOTHING),
       latest AS (
         INSERT INTO ${t}.latest_submission AS l
           (kampung_id, kind, submission_id, period, verified_at, instrument_code, instrument_version, answers)
         SELECT k.kampung_id, $3::text, $1::uuid, $4::date, $5::timestamptz, $7::text, $8::int, $9::jsonb FROM k
         ON CONFLICT (kampung_id, kind) DO UPDATE SET
           submission_id = EXCLUDED.submission_id, period = EXCLUDED.period, verified_at = EXCLUDED.verified_at,
           instrument_code = EXCLUDED.instrument_code, instrument_version = EXCLUDED.instrument_version,
           answers = EXCLUDED.answers, received_at = now()
         WHERE (EXCLUDED.period, EXCLUDED.verified_at) > (l.period, l.verified_at)
         RETURNING 1)
       SELECT (SELECT count(*)::int FROM k) AS found, (SELECT count(*)::int FROM latest) AS kept`,
      [
        s.submissionId,
        s.kampungId,
        s.kind,
        s.period,
        s.verifiedAt,
        s.verifiedBy,
        s.instrumentCode,
        s.instrumentVersion,
        JSON.stringify(s.answers),
      ],
    );
    if (!row.found) return 'unknown-kampung';
    return row.kept ? 'kept' : 'older';
  }

  /** Inputs of the given kampung that have a verified profile (the others are not assessed). */
  async inputs(m: EntityManager, kampungIds: string[]): Promise<KampungInputs[]> {
    const s = schemaOf(m);
    return m.query(
      `SELECT p.kampung_id AS "kampungId", p.village_code AS "villageCode",
              pr.submission_id AS "profileId", pr.period AS "profilePeriod", pr.answers AS profile,
              rp.submission_id AS "reportId", rp.period AS "reportPeriod", rp.answers AS report,
              st.level AS "previousLevel"
         FROM ${s}.kampung_projection p
         JOIN ${s}.latest_submission pr ON pr.kampung_id = p.kampung_id AND pr.kind = 'profile'
         LEFT JOIN ${s}.latest_submission rp ON rp.kampung_id = p.kampung_id AND rp.kind = 'monthly-report'
         LEFT JOIN ${s}.kampung_state st ON st.kampung_id = p.kampung_id
        WHERE p.kampung_id = ANY($1::uuid[])
        ORDER BY p.kampung_id`,
      [kampungIds],
    );
  }

  /**
   * Appends the evaluations, moves each kampung's current level, and records the level of the
   * month for those whose level changed: one statement, whatever the number of rows. (The
   * triggers of migration 1764303000000-level-counts add the changes to the level counters.) One
   * JSON document of the records measured faster than one unnest array parameter per column.
   */
  async write(m: EntityManager, records: EvaluationRecord[]): Promise<void> {
    if (!records.length) return;
    const s = schemaOf(m);
    await m.query(
      `WITH x AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${RECORD_COLUMNS})),
       ins AS (
         INSERT INTO ${s}.evaluation (id, kampung_id, rule_set_version, level, previous_level, changed, indices,
           indicators, profile_submission_id, profile_period, report_submission_id, report_period,
           trigger, job_id, evaluated_at)
         SELECT id, kampung_id, rule_set_version, level, previous_level, changed, indices, indicators,
           profile_submission_id, profile_period, report_submission_id, report_period, trigger, job_id, evaluated_at
           FROM x),
       st AS (
         INSERT INTO ${s}.kampung_state AS k (kampung_id, village_code, level, evaluation_id, rule_set_version, evaluated_at)
         SELECT kampung_id, village_code, level, id, rule_set_version, evaluated_at FROM x
         ON CONFLICT (kampung_id) DO UPDATE SET village_code = EXCLUDED.village_code, level = EXCLUDED.level,
           evaluation_id = EXCLUDED.evaluation_id, rule_set_version = EXCLUDED.rule_set_version,
           evaluated_at = EXCLUDED.evaluated_at)
       INSERT INTO ${s}.kampung_level_month AS l (kampung_id, month, village_code, level)
       SELECT kampung_id, date_trunc('month', evaluated_at AT TIME ZONE 'Asia/Jakarta')::date, village_code, level
         FROM x WHERE changed
       ON CONFLICT (kampung_id, month) DO UPDATE SET level = EXCLUDED.level, village_code = EXCLUDED.village_code`,
      [JSON.stringify(records)],
    );
  }
}
