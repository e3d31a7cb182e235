import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/** Which kampung a coverage figure counts: all, one village, or every village under a prefix. */
export type KampungFilter = { village: string } | { under: string } | null;

/** A region's coverage figures: its villages and the villages with an active Kampung KB. */
export interface CountRow {
  code: string;
  name: string;
  level: number;
  villages: number;
  kampung: number;
}

/** Coverage reads: the trigger-kept counters (coverage_count) and the kampung table. */
@Injectable()
export class CoverageRepository {
  /** The counters of the active provinces, by code. */
  provinceCounts(m: EntityManager): Promise<CountRow[]> {
    return this.counts(m, `length(c.code) = 2`, []);
  }

  /** The counters of the region with the dotted code, if it is active. */
  async regionCount(m: EntityManager, code: string): Promise<CountRow | undefined> {
    const [own] = await this.counts(m, `c.code = $1`, [code]);
    return own;
  }

  /** The counters of the active regions matching `pattern` whose codes are `length` long, by code. */
  childCounts(m: EntityManager, pattern: string, length: number): Promise<CountRow[]> {
    return this.counts(m, `c.code LIKE $1 AND length(c.code) = $2`, [pattern, length]);
  }

  /** Active kampung in the village with the dotted code. */
  async activeKampungIn(m: EntityManager, village: string): Promise<number> {
    const [k] = await m.query(
      `SELECT count(*)::int AS n FROM ${schemaOf(m)}.kampung WHERE village_code = $1 AND active`,
      [village],
    );
    return k.n;
  }

  /** The active villages matching `pattern`, by code, each as 1 village and 0 or 1 kampung. */
  villageCounts(m: EntityManager, pattern: string): Promise<CountRow[]> {
    const s = schemaOf(m);
    return m.query(
      `SELECT r.code, r.name, r.level, 1 AS villages,
              (EXISTS (SELECT 1 FROM ${s}.kampung k WHERE k.village_code = r.code AND k.active))::int AS kampung
         FROM ${s}.region r WHERE r.code LIKE $1 AND r.level = 4 AND r.active ORDER BY r.code`,
      [pattern],
    );
  }

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

  private counts(m: EntityManager, where: string, params: unknown[]): Promise<CountRow[]> {
    const s = schemaOf(m);
    return m.query(
      `SELECT c.code, r.name, r.level, c.villages, c.kampung FROM ${s}.coverage_count c
         CROSS JOIN LATERAL (SELECT name, level, active, parent_code FROM ${s}.region WHERE code = c.code) r
        WHERE ${where} AND r.active ORDER BY c.code`,
      params,
    );
  }
}
