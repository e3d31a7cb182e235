import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { schemaOf } from '@kkb/persistence';
import { REGION_COLUMNS, type RegionRow } from './region-view';

/** What a region search asks for; every value is a query parameter, in this order. */
export interface RegionSearch {
  /** The region searched within: its dotted code and the LIKE pattern of everything under it. */
  within: { code: string; under: string } | null;
  /** LIKE pattern on the search form of the name; null: no name term (results by code). */
  name: string | null;
  /** Level number (1 province … 4 village), or null for all. */
  level: number | null;
  active: boolean;
  /** Keyset cursor: `[searchName, code]` with a name term, `[code]` without. */
  after: readonly string[] | null;
  /** Rows to read (the page size plus one). */
  limit: number;
}

/** The region table: reads of the register's codes, and the import's writes. */
@Injectable()
export class RegionRepository {
  /** The region with the dotted code, if any. */
  async find(m: EntityManager, code: string): Promise<RegionRow | undefined> {
    const rows: RegionRow[] = await m.query(
      `SELECT ${REGION_COLUMNS} FROM ${schemaOf(m)}.region WHERE code = $1`,
      [code],
    );
    return rows[0];
  }

  /** A page of the direct children of `parent`, by code, after the code `after`. */
  children(
    m: EntityManager,
    parent: string,
    after: string | null,
    active: boolean | null,
    limit: number,
  ): Promise<RegionRow[]> {
    return m.query(
      `SELECT ${REGION_COLUMNS} FROM ${schemaOf(m)}.region
        WHERE parent_code = $1 AND ($2::text IS NULL OR code > $2) AND ($3::boolean IS NULL OR active = $3)
        ORDER BY code LIMIT $4`,
      [parent, after, active, limit],
    );
  }

  /** The regions with the given dotted codes, province first. */
  byCodes(m: EntityManager, codes: string[]): Promise<RegionRow[]> {
    return m.query(
      `SELECT ${REGION_COLUMNS} FROM ${schemaOf(m)}.region WHERE code = ANY($1) ORDER BY level`,
      [codes],
    );
  }

  /** A page of regions matching the search, by search name and code with a name term, else by code. */
  search(m: EntityManager, q: RegionSearch): Promise<(RegionRow & { search_name: string })[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.within) {
      params.push(q.within.code, q.within.under);
      where.push(`(code = $${params.length - 1} OR code LIKE $${params.length})`);
    }
    if (q.name !== null) add(`search_name LIKE ?`, q.name);
    if (q.level !== null) add('level = ?', q.level);
    add('active = ?', q.active);
    const byName = q.name !== null;
    if (q.after) {
      if (byName) {
        params.push(q.after[0], q.after[1]);
        where.push(`(search_name, code) > ($${params.length - 1}, $${params.length})`);
      } else add('code > ?', q.after[0]);
    }
    params.push(q.limit);
    return m.query(
      `SELECT ${REGION_COLUMNS}, search_name FROM ${schemaOf(m)}.region WHERE ${where.join(' AND ')}
        ORDER BY ${byName ? 'search_name, code' : 'code'} LIMIT $${params.length}`,
      params,
    );
  }

  /** Whether the region table has no row at all. */
  async isEmpty(m: EntityManager): Promise<boolean> {
    const [row] = await m.query(`SELECT NOT EXISTS (SELECT 1 FROM ${schemaOf(m)}.region) AS empty`);
    return row.empty;
  }

  /** Whether the region table has any row (asked under the import lock). */
  async any(m: EntityManager): Promise<boolean> {
    const [row] = await m.query(`SELECT EXISTS (SELECT 1 FROM ${schemaOf(m)}.region) AS any`);
    return row.any;
  }

  /** Takes the transaction-scoped advisory lock `key` if free, without waiting; whether it was. */
  async tryLock(m: EntityManager, key: string): Promise<boolean> {
    const [lock] = await m.query('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS got', [key]);
    return lock.got;
  }

  /** Takes the transaction-scoped advisory lock `key`, waiting for it. */
  async lock(m: EntityManager, key: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [key]);
  }

  /** Whether there are active regions and all of them come from `source`. */
  async allActiveFrom(m: EntityManager, source: string): Promise<boolean> {
    const s = schemaOf(m);
    const [row] = await m.query(
      `SELECT EXISTS (SELECT 1 FROM ${s}.region WHERE active)
              AND NOT EXISTS (SELECT 1 FROM ${s}.region WHERE active AND source <> $1) AS same`,
      [source],
    );
    return row.same;
  }

  /** Creates the import's staging table, dropped when the transaction commits. */
  async createImportTable(m: EntityManager): Promise<void> {
    await m.query(`CREATE TEMP TABLE region_import (
          code text COLLATE "C", compact_code text COLLATE "C", name text, search_name text COLLATE "C",
          level smallint, kind text, parent_code text COLLATE "C") ON COMMIT DROP`);
  }

  /** Adds rows to the staging table, one array per column. */
  async stage(
    m: EntityManager,
    cols: {
      code: string[];
      compact: string[];
      name: string[];
      search: string[];
      level: number[];
      kind: string[];
      parent: (string | null)[];
    },
  ): Promise<void> {
    await m.query(
      `INSERT INTO region_import SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::text[], $7::text[])`,
      [cols.code, cols.compact, cols.name, cols.search, cols.level, cols.kind, cols.parent],
    );
  }

  /** Inserts the staged regions, updating changed or inactive ones; one row per region written. */
  upsertStaged(m: EntityManager, source: string): Promise<{ inserted: boolean }[]> {
    return m.query(
      `INSERT INTO ${schemaOf(m)}.region AS r (code, compact_code, name, search_name, level, kind, parent_code, active, source)
         SELECT code, compact_code, name, search_name, level, kind, parent_code, true, $1 FROM region_import ORDER BY level, code
         ON CONFLICT (code) DO UPDATE SET
           name = EXCLUDED.name, search_name = EXCLUDED.search_name, kind = EXCLUDED.kind,
           parent_code = EXCLUDED.parent_code, active = true, source = EXCLUDED.source, updated_at = now()
         WHERE r.name IS DISTINCT FROM EXCLUDED.name OR r.kind IS DISTINCT FROM EXCLUDED.kind
            OR r.parent_code IS DISTINCT FROM EXCLUDED.parent_code OR NOT r.active
         RETURNING (xmax = 0) AS inserted`,
      [source],
    );
  }

  /** Marks inactive the active regions missing from the staging table; how many. */
  async deactivateUnstaged(m: EntityManager): Promise<number> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [, deactivated]: [unknown[], number] = await m.query(
      `UPDATE ${schemaOf(m)}.region r SET active = false, updated_at = now()
          WHERE r.active AND NOT EXISTS (SELECT 1 FROM region_import i WHERE i.code = r.code)
`,
    );
    return deactivated;
  }

  /** Recomputes the coverage counters from the regions and kampung. */
  async recountCoverage(m: EntityManager): Promise<void> {
    await m.query(`SELECT ${schemaOf(m)}.coverage_count_recount()`);
  }

  /** Active regions counted per level number. */
  activeByLevel(m: EntityManager): Promise<{ level: number; n: number }[]> {
    return m.query(`SELECT level, count(*)::int AS n FROM ${schemaOf(m)}.region WHERE active GROUP BY level`);
  }
}
