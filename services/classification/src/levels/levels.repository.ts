import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { schemaOf } from '@kkb/persistence';
import type { Level } from '../rule-set/rule-set.definition';

const LEVEL_COLUMNS = ['dasar', 'berkembang', 'mandiri', 'berkelanjutan'] as const;

/**
 * Level counts, from the per-regency counters (level_count, level_month_count: see migration
 * 1764303000000-level-counts) for the nation, a province and a regency, and from the projection
 * and the monthly level history below a regency.
 */
@Injectable()
export class LevelsRepository {
  /**
   * As countsByChild, from the counters: `prefix` is the dotted region ('' the nation, `16`, or
   * `16.10`) and `childLength` at most 5 (a regency).
   */
  countedByChild(
    m: EntityManager,
    prefix: string,
    childLength: number,
  ): Promise<{ child: string; level: Level | null; n: number }[]> {
    // Summed per child first (a few thousand counter rows), then one (level, n) row per level.
    return m.query(
      `WITH g AS (
         SELECT substr(regency, 1, $2) AS child, sum(kampung) AS kampung,
                ${LEVEL_COLUMNS.map((l) => `sum(${l}) AS ${l}`).join(', ')}
           FROM ${schemaOf(m)}.level_count WHERE regency LIKE $1 GROUP BY 1)
       SELECT g.child, v.level, v.n::int AS n
         FROM g, LATERAL (VALUES (NULL::text, g.kampung - ${LEVEL_COLUMNS.map((l) => `g.${l}`).join(' - ')}),
                                 ${LEVEL_COLUMNS.map((l) => `('${l}', g.${l})`).join(', ')}) AS v(level, n)
        WHERE v.n <> 0 ORDER BY 1`,
      [`${prefix}%`, childLength],
    );
  }

  /**
   * As monthlyChanges, from the counters (`prefix` as in countedByChild): every level of every
   * month with a change, with its running count.
   */
  countedMonthlyChanges(
    m: EntityManager,
    prefix: string,
    first: string,
    last: string,
  ): Promise<{ month: string; level: Level; n: number }[]> {
    return m.query(
      `WITH g AS (
         SELECT greatest(month, $2::date) AS m, ${LEVEL_COLUMNS.map((l) => `sum(${l}) AS ${l}`).join(', ')}
           FROM ${schemaOf(m)}.level_month_count
          WHERE regency LIKE $1 AND month <= $3::date
          GROUP BY 1)
       SELECT to_char(g.m, 'YYYY-MM') AS month, v.level, (sum(v.n) OVER (PARTITION BY v.level ORDER BY g.m))::int AS n
         FROM g, LATERAL (VALUES ${LEVEL_COLUMNS.map((l) => `('${l}', g.${l})`).join(', ')}) AS v(level, n)`,
      [`${prefix}%`, `${first}-01`, `${last}-01`],
    );
  }

  /**
   * Active kampung of the villages matching `pattern`, per level (null: not assessed) and per
   * child region (the first `childLength` characters of the village code; 0: one group).
   */
  countsByChild(
    m: EntityManager,
    pattern: string,
    childLength: number,
  ): Promise<{ child: string; level: Level | null; n: number }[]> {
    const s = schemaOf(m);
    return m.query(
      `SELECT substr(p.village_code, 1, $2) AS child, st.level, count(*)::int AS n
         FROM ${s}.kampung_projection p
         LEFT JOIN ${s}.kampung_state st ON st.kampung_id = p.kampung_id
        WHERE p.active AND p.village_code LIKE $1
        GROUP BY 1, 2 ORDER BY 1`,
      [pattern, childLength],
    );
  }

  /**
   * The level distribution's changes per month between `first` and `last` (`YYYY-MM`): for each
   * month with a change, the running count of each level changed.
   */
  monthlyChanges(
    m: EntityManager,
    pattern: string,
    first: string,
    last: string,
  ): Promise<{ month: string; level: Level; n: number }[]> {
    return m.query(
      `WITH r AS (
         SELECT level, month AS from_m, lead(month) OVER (PARTITION BY kampung_id ORDER BY month) AS to_m
           FROM ${schemaOf(m)}.kampung_level_month
          WHERE village_code LIKE $1 AND month <= $3::date),
       d AS (
         SELECT greatest(from_m, $2::date) AS m, level, 1 AS delta FROM r WHERE to_m IS NULL OR to_m > $2::date
         UNION ALL
         SELECT to_m, level, -1 FROM r WHERE to_m > $2::date AND to_m <= $3::date),
       g AS (SELECT m, level, sum(delta) AS delta FROM d GROUP BY m, level)
       SELECT to_char(m, 'YYYY-MM') AS month, level, (sum(delta) OVER (PARTITION BY level ORDER BY m))::int AS n
         FROM g`,
      [pattern, `${first}-01`, `${last}-01`],
    );
  }
}
