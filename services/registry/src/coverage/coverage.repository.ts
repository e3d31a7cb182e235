import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/** Which kampung a coverage figure counts: all, one village, or every village under a prefix. */
export type KampungFilter = { village: string } | { under: string } | null;

/** Coverage reads of the kampung table that are not the trigger-kept counters. */
@Injectable()
export class CoverageRepository {
  /**
   * Active kampung counted cumulatively by launch month, one row per month from the first launch
   * month to the current one (or the last launch month, if later); empty without kampung.
   */
  async cumulativeByLaunchMonth(
    m: EntityManager,
    filter: KampungFilter,
  ): Promise<{ month: string; kampung: number }[]> {
    const rows: { month: string; kampung: number }[] = await m.query(
      `WITH launches AS (
         SELECT date_trunc('month', launch_date)::date AS month, count(*)::int AS n
           FROM ${schemaOf(m)}.kampung
          WHERE active AND ($1::text IS NULL OR village_code = $1) AND ($2::text IS NULL OR village_code LIKE $2)
          GROUP BY 1
       ), span AS (
         SELECT min(month) AS first, greatest(max(month), date_trunc('month', now())::date) AS last FROM launches
       )
       SELECT to_char(g.month, 'YYYY-MM') AS month,
              (sum(coalesce(l.n, 0)) OVER (ORDER BY g.month))::int AS kampung
         FROM span, generate_series(span.first, span.last, interval '1 month') AS g(month)
         LEFT JOIN launches l ON l.month = g.month
        ORDER BY g.month`,
      [
        filter && 'village' in filter ? filter.village : null,
        filter && 'under' in filter ? filter.under : null,
      ],
    );
    return rows;
  }
}
