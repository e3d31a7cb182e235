import { Injectable } from '@nestjs/common';
import type { EntityManager, QueryRunner } from 'typeorm';
import type { Level } from '../rule-set/rule-set.definition';
import type { KampungLevelSort, SortOrder } from './kampung-levels.query';
import { schemaOf } from '@kkb/persistence';

/** Which kampung, as the service has resolved it: the region is already checked against the scope. */
export interface KampungLevelsWhere {
  /** `LIKE` pattern of the village codes in the (scoped) region. */
  villagePattern: string;
  levels?: Level[];
  assessed?: boolean;
  model?: boolean;
  q?: string;
  active: boolean;
}

export interface KampungLevelRow {
  kampungId: string;
  name: string;
  villageCode: string;
  level: Level | null;
  ruleSetVersion: number | null;
  evaluatedAt: Date | null;
  input: number | null;
  process: number | null;
  output: number | null;
  modelRegency: boolean;
  modelProvince: boolean;
  latitude: number | null;
  longitude: number | null;
  active: boolean;
  /** The sort key, as text, for the next page's cursor (k0, k1 as the sort has them). */
  k0: string;
  k1: string | null;
}

export interface KampungPointRow {
  kampungId: string;
  name: string;
  level: Level | null;
  latitude: number;
  longitude: number;
}

/**
 * Sort keys: each a non-null expression and the type its cursor value is cast to, so that keyset
 * paging is one row comparison. Not assessed ranks 0 (below dasar); never evaluated is -infinity.
 */
const SORT_KEYS: Record<KampungLevelSort, { expr: string; type: string }[]> = {
  name: [{ expr: 'p.name', type: 'text' }],
  village: [{ expr: 'p.village_code', type: 'text' }],
  level: [
    {
      expr: `CASE st.level WHEN 'dasar' THEN 1 WHEN 'berkembang' THEN 2 WHEN 'mandiri' THEN 3 WHEN 'berkelanjutan' THEN 4 ELSE 0 END`,
      type: 'int',
    },
    { expr: 'p.name', type: 'text' },
  ],
  evaluatedAt: [{ expr: `COALESCE(st.evaluated_at, '-infinity'::timestamptz)`, type: 'timestamptz' }],
};

export const sortArity = (sort: KampungLevelSort): number => SORT_KEYS[sort].length;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The kampung projection joined with each kampung's current level: the only SQL of these lists. */
@Injectable()
export class KampungLevelsRepository {
  private select(
    s: string,
    where: KampungLevelsWhere,
    sort: KampungLevelSort,
    order: SortOrder,
    after: { keys: unknown[]; kampungId: string } | null,
    limit: number | null,
  ): { sql: string; params: unknown[] } {
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const conds = [`p.village_code LIKE ${p(where.villagePattern)}`, `p.active = ${p(where.active)}`];
    if (where.levels?.length) conds.push(`st.level = ANY(${p(where.levels)}::text[])`);
    if (where.assessed !== undefined)
      conds.push(where.assessed ? 'st.kampung_id IS NOT NULL' : 'st.kampung_id IS NULL');
    if (where.model !== undefined) conds.push(`(p.model_regency OR p.model_province) = ${p(where.model)}`);
    if (where.q) {
      const like = p(`%${likeEscape(where.q)}%`);
      conds.push(`(p.name ILIKE ${like} OR p.village_code LIKE ${like})`);
    }
    const keys = SORT_KEYS[sort];
    const dir = order === 'asc' ? 'ASC' : 'DESC';
    if (after) {
      const left = [...keys.map((k) => k.expr), 'p.kampung_id'].join(', ');
      const right = [
        ...keys.map((k, i) => `${p(after.keys[i])}::${k.type}`),
        `${p(after.kampungId)}::uuid`,
      ].join(', ');
      conds.push(`(${left}) ${order === 'asc' ? '>' : '<'} (${right})`);
    }
    const sql = `
      SELECT p.kampung_id AS "kampungId", p.name, p.village_code AS "villageCode", st.level,
             st.rule_set_version AS "ruleSetVersion", st.evaluated_at AS "evaluatedAt",
             (e.indices->'input'->>'value')::float8 AS input, (e.indices->'process'->>'value')::float8 AS process,
             (e.indices->'output'->>'value')::float8 AS output,
             p.model_regency AS "modelRegency", p.model_province AS "modelProvince", p.latitude, p.longitude, p.active,
             (${keys[0].expr})::text AS k0, ${keys[1] ? `(${keys[1].expr})::text` : 'NULL'} AS k1
        FROM ${s}.kampung_projection p
        LEFT JOIN ${s}.kampung_state st ON st.kampung_id = p.kampung_id
        LEFT JOIN ${s}.evaluation e ON e.id = st.evaluation_id
       WHERE ${conds.join(' AND ')}
       ORDER BY ${[...keys.map((k) => `${k.expr} ${dir}`), `p.kampung_id ${dir}`].join(', ')}
       ${limit === null ? '' : `LIMIT ${p(limit)}`}`;
    return { sql, params };
  }

  /** One page in sort order after the given key (limit + 1 rows: the extra one says there is more). */
  page(
    m: EntityManager,
    where: KampungLevelsWhere,
    sort: KampungLevelSort,
    order: SortOrder,
    after: { keys: unknown[]; kampungId: string } | null,
    limit: number,
  ): Promise<KampungLevelRow[]> {
    const { sql, params } = this.select(schemaOf(m), where, sort, order, after, limit + 1);
    return m.query(sql, params);
  }

  /** Kampung with coordinates, compact, in id order. */
  points(m: EntityManager, where: KampungLevelsWhere): Promise<KampungPointRow[]> {
    const { sql, params } = this.select(schemaOf(m), where, 'name', 'asc', null, null);
    return m.query(
      `SELECT "kampungId", name, level, latitude, longitude FROM (${sql}) k
        WHERE latitude IS NOT NULL AND longitude IS NOT NULL`,
      params,
    );
  }

  /**
   * Opens a server-side cursor over every matching row in sort order, inside a read-only
   * repeatable-read transaction on `qr` (one snapshot for the whole export); `fetch` then reads
   * it batch by batch. The caller closes it with `closeCursor`, whatever happens.
   */
  async openCursor(qr: QueryRunner, where: KampungLevelsWhere, sort: KampungLevelSort, order: SortOrder) {
    const { sql, params } = this.select(schemaOf(qr.manager), where, sort, order, null, null);
    await qr.startTransaction('REPEATABLE READ');
    await qr.query('SET TRANSACTION READ ONLY');
    await qr.query(`DECLARE kampung_levels_export NO SCROLL CURSOR FOR ${sql}`, params);
  }

  fetch(qr: QueryRunner, n: number): Promise<KampungLevelRow[]> {
    return qr.query(`FETCH FORWARD ${Math.trunc(n)} FROM kampung_levels_export`);
  }

  async closeCursor(qr: QueryRunner): Promise<void> {
    try {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
    } finally {
      await qr.release();
    }
  }
}
