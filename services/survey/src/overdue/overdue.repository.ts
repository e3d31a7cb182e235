import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/** A kampung's monthly report found overdue; the primary key makes its event exactly-once. */
export interface ReportOverdue {
  kampungId: string;
  villageCode: string;
  periodYear: number;
  periodMonth: number;
  /** `YYYY-MM-DD`. */
  dueDate: string;
  eventId: string;
  detectedAt: Date;
}

/** A row of the report_overdue table (due_date as `YYYY-MM-DD` text). */
export interface ReportOverdueRow {
  kampung_id: string;
  village_code: string;
  period_year: number;
  period_month: number;
  due_date: string;
  event_id: string;
  detected_at: Date;
}

/** The one mapping of a report_overdue row. */
export function reportOverdueFromRow(r: ReportOverdueRow): ReportOverdue {
  return {
    kampungId: r.kampung_id,
    villageCode: r.village_code,
    periodYear: Number(r.period_year),
    periodMonth: Number(r.period_month),
    dueDate: r.due_date,
    eventId: r.event_id,
    detectedAt: r.detected_at,
  };
}

/** The report_overdue table and the scan that fills it. */
@Injectable()
export class OverdueRepository {
  /** Takes the transaction-scoped advisory lock on `key` if free; false when another holds it. */
  async tryScanLock(m: EntityManager, key: string): Promise<boolean> {
    const [{ locked }] = await m.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [key]);
    return locked;
  }

  /**
   * Records up to `limit` active kampung-months of `months` without a submitted or verified
   * monthly report and not yet recorded (`ON CONFLICT DO NOTHING`), and returns the rows inserted.
   */
  async claimOverdue(
    m: EntityManager,
    months: { year: number; month: number; dueDate: string }[],
    limit: number,
  ): Promise<ReportOverdue[]> {
    const s = schemaOf(m);
    const rows: ReportOverdueRow[] = await m.query(
      `WITH t AS (
             SELECT * FROM unnest($1::int[], $2::int[], $3::date[]) AS t(y, m, due)
           ), cand AS (
             SELECT k.kampung_id, k.village_code, t.y, t.m, t.due
               FROM ${s}.kampung_projection k CROSS JOIN t
              WHERE k.active AND k.merged_into IS NULL
                AND make_date(t.y, t.m, 1) >= date_trunc('month', k.launch_date)::date
                AND NOT EXISTS (
                  SELECT 1 FROM ${s}.submission x
                   WHERE x.kampung_id = k.kampung_id AND x.kind = 'monthly-report'
                     AND x.period_year = t.y AND x.period_month = t.m
                     AND x.status <> 'superseded' AND x.status IN ('submitted', 'verified'))
                AND NOT EXISTS (
                  SELECT 1 FROM ${s}.report_overdue r
                   WHERE r.kampung_id = k.kampung_id AND r.period_year = t.y AND r.period_month = t.m)
              ORDER BY t.y, t.m, k.kampung_id
              LIMIT $4
           )
           INSERT INTO ${s}.report_overdue (kampung_id, period_year, period_month, village_code, due_date, event_id)
           SELECT kampung_id, y, m, village_code, due, gen_random_uuid() FROM cand
           ON CONFLICT DO NOTHING
           RETURNING kampung_id, village_code, period_year, period_month, to_char(due_date, 'YYYY-MM-DD') AS due_date,
                     event_id, detected_at`,
      [months.map((p) => p.year), months.map((p) => p.month), months.map((p) => p.dueDate), limit],
    );
    return rows.map(reportOverdueFromRow);
  }
}
