import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { schemaOf } from '@kkb/persistence';
import type { IndicatorResult, IndexResult } from '../evaluation/evaluator';
import type { IndexName, Level } from '../rule-set/rule-set.definition';

/** An evaluation as stored. */
export interface EvaluationRow {
  id: string;
  seq: string;
  level: Level;
  previous_level: Level | null;
  changed: boolean;
  rule_set_version: number;
  indices: Record<IndexName, IndexResult>;
  indicators: Omit<IndicatorResult, 'index' | 'maxScore'>[];
  trigger: string;
  profile_submission_id: string;
  profile_period: string;
  report_submission_id: string | null;
  report_period: string | null;
  evaluated_at: Date;
}

/** Reads behind a kampung's classification: the projection, its evaluations and the answers used. */
@Injectable()
export class ExplainRepository {
  /** A kampung of the projection, or undefined. */
  async kampung(
    m: EntityManager,
    id: string,
  ): Promise<{ kampungId: string; villageCode: string; name: string } | undefined> {
    const rows = await m.query(
      `SELECT kampung_id AS "kampungId", village_code AS "villageCode", name
         FROM ${schemaOf(m)}.kampung_projection WHERE kampung_id = $1`,
      [id],
    );
    return rows[0];
  }

  /** The kampung's current evaluation, or undefined when it has none. */
  async currentEvaluation(m: EntityManager, kampungId: string): Promise<EvaluationRow | undefined> {
    const s = schemaOf(m);
    const [e]: EvaluationRow[] = await m.query(
      `SELECT e.* FROM ${s}.kampung_state st JOIN ${s}.evaluation e ON e.id = st.evaluation_id WHERE st.kampung_id = $1`,
      [kampungId],
    );
    return e;
  }

  /** The kampung's latest monthly report (id and period), or undefined. */
  async latestReport(
    m: EntityManager,
    kampungId: string,
  ): Promise<{ id: string; period: string } | undefined> {
    const [report] = await m.query(
      `SELECT submission_id AS id, period FROM ${schemaOf(m)}.latest_submission WHERE kampung_id = $1 AND kind = 'monthly-report'`,
      [kampungId],
    );
    return report;
  }

  /** The answers of those of `ids` that are verified submissions. */
  verifiedAnswers(
    m: EntityManager,
    ids: string[],
  ): Promise<{ id: string; answers: Record<string, unknown> }[]> {
    return m.query(
      `SELECT submission_id AS id, answers FROM ${schemaOf(m)}.verified_submission WHERE submission_id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /** A page of the kampung's evaluations, newest first, before `beforeSeq` when given (`limit` rows). */
  evaluations(
    m: EntityManager,
    kampungId: string,
    beforeSeq: string | null,
    limit: number,
  ): Promise<Omit<EvaluationRow, 'indicators'>[]> {
    return m.query(
      `SELECT id, seq, level, previous_level, changed, rule_set_version, indices, trigger, profile_submission_id,
              profile_period, report_submission_id, report_period, evaluated_at
         FROM ${schemaOf(m)}.evaluation
        WHERE kampung_id = $1 AND ($2::bigint IS NULL OR seq < $2::bigint)
        ORDER BY seq DESC LIMIT $3`,
      [kampungId, beforeSeq, limit],
    );
  }
}
