import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

const LEVELS = ['dasar', 'berkembang', 'mandiri', 'berkelanjutan'] as const;
/**
 * The counter row a transaction adds to: one of 4 per key, by server process. Two transactions
 * on different connections (a recomputation batch and the event consumers, or two batches) then
 * rarely lock the same row, where one row per regency and month made each wait for the other's
 * commit; the reads sum the stripes (4 × 514 rows for the nation).
 */
const STRIPE = 'pg_backend_pid() % 4';

/** `sum(d) FILTER (WHERE level = 'dasar') AS dasar, ...` over rows (level, d). */
const pivot = (d: string) =>
  LEVELS.map((l) => `COALESCE(sum(${d}) FILTER (WHERE level = '${l}'), 0)::int AS ${l}`).join(', ');
const notAllZero = (cols: string[]) => `(${cols.join(', ')}) <> (${cols.map(() => '0').join(', ')})`;

/**
 * Counters for the level aggregates (GET /api/v1/levels and /levels/history), so that a national
 * query reads a few thousand small rows instead of every kampung and every month of changes.
 *
 * Key: the REGENCY (dotted `PP.RR`), never the province or the nation. Every write that changes
 * a level adds to the counter rows of its own regency only, so concurrent evaluations in different
 * regencies never queue on one hot row (a national or province row would be locked by every
 * evaluation of the month until its transaction commits, serialising the event consumers and the
 * recomputation). The reads sum at most 514 regency rows (× the months asked for), which is what
 * the nation and province queries need (a province breakdown is by regency). Districts and
 * villages keep reading the base tables: a regency has a few hundred kampung at most. Each key has
 * up to 4 rows (`stripe`, by server process: see STRIPE), so that even two transactions in the same
 * regency and month, such as a recomputation batch (which touches every regency) and an event
 * consumer, or two batches, rarely wait on each other; the reads sum them.
 *
 * - level_count: per regency, the ACTIVE kampung of the projection (by its village code) and, of
 *   those, how many have each current level (kampung_state); not assessed = kampung − the levels.
 *   Exactly what LevelsRepository.countsByChild counted with a LEFT JOIN.
 * - level_month_count: per regency and month, the NET CHANGE of kampung at each level: each
 *   kampung_level_month row adds 1 to its level at its month and takes it away again at the
 *   kampung's next row (the end of that run); the level distribution at the end of month m is the
 *   sum of the changes of the months up to m. Inactive kampung stay counted, as the history query
 *   counted them (it never looked at the projection). A run ends at the kampung's next row
 *   wherever that row's village is: the national history is exactly what counting the month rows
 *   gave; a region's differs only for a kampung whose village moved to another regency, which now
 *   leaves the old regency at its next level change instead of staying counted there for ever.
 *
 * Kept by statement-level triggers (transition tables) on kampung_projection, kampung_state and
 * kampung_level_month, in the transaction of the write: every path (the event handler, the
 * recomputation, the projection of registry events, SQL loads) keeps them right, and a batch of
 * thousands of rows costs one grouped upsert per table, rows in key order (no lock-order deadlock
 * between two writers). Backfilled here from the base tables; level_count_of_base() and
 * level_month_count_of_base() give the recount they must equal.
 */
export class LevelCounts1764303000000 implements MigrationInterface {
  name = 'LevelCounts1764303000000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(
      `LOCK TABLE ${s}.kampung_projection, ${s}.kampung_state, ${s}.kampung_level_month IN SHARE ROW EXCLUSIVE MODE`,
    );
    await qr.query(`
      CREATE TABLE ${s}.level_count (
        regency text COLLATE "C" NOT NULL,
        stripe smallint NOT NULL DEFAULT 0,
        kampung integer NOT NULL DEFAULT 0,
        ${LEVELS.map((l) => `${l} integer NOT NULL DEFAULT 0`).join(', ')},
        CONSTRAINT level_count_pkey PRIMARY KEY (regency, stripe)
      )`);
    await qr.query(
      `COMMENT ON TABLE ${s}.level_count IS 'Per regency: active kampung and their current levels (kept by triggers on kampung_projection and kampung_state)'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.level_count.regency IS 'Dotted regency code, e.g. 16.10'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.level_count.stripe IS 'Which of the regency''s rows (server process id mod 4): the regency''s counts are the sum of its stripes'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.level_count.kampung IS 'Active kampung of the projection in the regency'`,
    );
    for (const l of LEVELS)
      await qr.query(`COMMENT ON COLUMN ${s}.level_count.${l} IS 'Of those, kampung now at level ${l}'`);

    await qr.query(`
      CREATE TABLE ${s}.level_month_count (
        regency text COLLATE "C" NOT NULL,
        month date NOT NULL,
        stripe smallint NOT NULL DEFAULT 0,
        ${LEVELS.map((l) => `${l} integer NOT NULL DEFAULT 0`).join(', ')},
        CONSTRAINT level_month_count_pkey PRIMARY KEY (regency, month, stripe)
      )`);
    await qr.query(
      `COMMENT ON TABLE ${s}.level_month_count IS 'Per regency and month, the net change of kampung at each level (kept by a trigger on kampung_level_month): a month''s distribution is the sum up to it'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.level_month_count.regency IS 'Dotted regency code, e.g. 16.10'`);
    await qr.query(`COMMENT ON COLUMN ${s}.level_month_count.month IS 'First day of the month'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.level_month_count.stripe IS 'Which of the rows of the regency and month (server process id mod 4): they add up'`,
    );
    for (const l of LEVELS)
      await qr.query(
        `COMMENT ON COLUMN ${s}.level_month_count.${l} IS 'Kampung at level ${l} at the end of the month minus at the end of the month before'`,
      );

    // The recounts from the base tables: the backfill, and what the counters must always equal.
    await qr.query(`
      CREATE FUNCTION ${s}.level_count_of_base()
        RETURNS TABLE (regency text, kampung integer, ${LEVELS.map((l) => `${l} integer`).join(', ')})
        LANGUAGE sql STABLE AS $$
        SELECT substr(p.village_code, 1, 5), count(*)::int, ${pivot('1')}
          FROM ${s}.kampung_projection p
          LEFT JOIN ${s}.kampung_state st ON st.kampung_id = p.kampung_id
         WHERE p.active
         GROUP BY 1
      $$`);
    await qr.query(`
      CREATE FUNCTION ${s}.level_month_count_of_base()
        RETURNS TABLE (regency text, month date, ${LEVELS.map((l) => `${l} integer`).join(', ')})
        LANGUAGE sql STABLE AS $$
        SELECT regency, month, ${pivot('d')} FROM (${runChanges(`${s}.kampung_level_month`, 1)}) c
         GROUP BY regency, month
        HAVING ${notAllZero(LEVELS.map((l) => `COALESCE(sum(d) FILTER (WHERE level = '${l}'), 0)`))}
      $$`);

    // Each trigger nets the old rows (-1) against the new ones (+1) per key with a hash aggregate
    // (no join between the transition tables, which have no statistics: a nested loop between
    // two 2,000-row tables took half a second), and reads other tables only for what changed.
    const signed = (rows: string, sign: number, columns: string, where = '') =>
      `SELECT ${columns}, ${sign} AS d FROM ${rows}${where ? ` WHERE ${where}` : ''}`;
    const both = (columns: string, where = '') => ({
      ins: signed('new_rows', 1, columns, where),
      upd: `${signed('new_rows', 1, columns, where)} UNION ALL ${signed('old_rows', -1, columns, where)}`,
      del: signed('old_rows', -1, columns, where),
    });
    const body = (cases: { ins: string; upd: string; del: string }) => `
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${cases.ins};
        ELSIF TG_OP = 'UPDATE' THEN
          ${cases.upd};
        ELSE
          ${cases.del};
        END IF;
        RETURN NULL;
      END`;
    const map = <T, U>(o: { ins: T; upd: T; del: T }, f: (v: T) => U) => ({
      ins: f(o.ins),
      upd: f(o.upd),
      del: f(o.del),
    });

    // kampung_projection: a kampung appears, goes (in)active or changes regency; its level is the
    // one kampung_state holds.
    const projectionDelta = (rows: string) =>
      `SELECT c.regency, st.level, c.d FROM (
         SELECT kampung_id, substr(village_code, 1, 5) AS regency, sum(d)::int AS d FROM (${rows}) u
          GROUP BY 1, 2 HAVING sum(d) <> 0) c
         LEFT JOIN ${s}.kampung_state st ON st.kampung_id = c.kampung_id`;
    await qr.query(`
      CREATE FUNCTION ${s}.level_count_projection() RETURNS trigger LANGUAGE plpgsql AS $$
      ${body(map(both('kampung_id, village_code', 'active'), (rows) => upsertLevelCount(s, projectionDelta(rows), true)))}
      $$`);
    // kampung_state: a kampung's current level changes (the projection says whether and where it counts).
    const stateDelta = (rows: string) =>
      `SELECT substr(p.village_code, 1, 5) AS regency, c.level, c.d FROM (
         SELECT kampung_id, level, sum(d)::int AS d FROM (${rows}) u GROUP BY 1, 2 HAVING sum(d) <> 0) c
         JOIN ${s}.kampung_projection p ON p.kampung_id = c.kampung_id
        WHERE p.active`;
    await qr.query(`
      CREATE FUNCTION ${s}.level_count_state() RETURNS trigger LANGUAGE plpgsql AS $$
      ${body(map(both('kampung_id, level'), (rows) => upsertLevelCount(s, stateDelta(rows), false)))}
      $$`);
    // kampung_level_month: the runs of the kampung touched, after (a: the table now) minus before
    // (b: the table now without the new rows, with the old ones).
    const cols = 'kampung_id, month, village_code, level';
    const monthDelta = (keys: string, before: string) => `
      WITH k AS (SELECT DISTINCT kampung_id FROM (${keys}) k),
      a AS (SELECT ${cols.replace(/(\w+)/g, 'l.$1')} FROM ${s}.kampung_level_month l JOIN k ON k.kampung_id = l.kampung_id),
      b AS (${before})
      ${upsertLevelMonthCount(s, `${runChanges('a', 1)} UNION ALL ${runChanges('b', -1)}`)}`;
    const notReplaced = `SELECT ${cols} FROM (
        SELECT ${cols}, src, bool_or(src = 'n') OVER (PARTITION BY kampung_id, month) AS replaced
          FROM (SELECT ${cols}, 'a' AS src FROM a UNION ALL SELECT ${cols}, 'n' FROM new_rows) t) w
       WHERE src = 'a' AND NOT replaced`;
    const old = `SELECT ${cols} FROM old_rows`;
    await qr.query(`
      CREATE FUNCTION ${s}.level_month_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
      ${body({
        ins: monthDelta('SELECT kampung_id FROM new_rows', notReplaced),
        upd: monthDelta(
          'SELECT kampung_id FROM new_rows UNION ALL SELECT kampung_id FROM old_rows',
          `${notReplaced} UNION ALL ${old}`,
        ),
        del: monthDelta('SELECT kampung_id FROM old_rows', `SELECT ${cols} FROM a UNION ALL ${old}`),
      })}
      $$`);

    for (const [table, fn] of [
      ['kampung_projection', 'level_count_projection'],
      ['kampung_state', 'level_count_state'],
      ['kampung_level_month', 'level_month_count_change'],
    ]) {
      await qr.query(`CREATE TRIGGER ${table}_count_ins AFTER INSERT ON ${s}.${table}
                        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${s}.${fn}()`);
      await qr.query(`CREATE TRIGGER ${table}_count_upd AFTER UPDATE ON ${s}.${table}
                        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION ${s}.${fn}()`);
      await qr.query(`CREATE TRIGGER ${table}_count_del AFTER DELETE ON ${s}.${table}
                        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${s}.${fn}()`);
    }

    const l = LEVELS.join(', ');
    await qr.query(
      `INSERT INTO ${s}.level_count (regency, kampung, ${l}) SELECT * FROM ${s}.level_count_of_base()`,
    );
    await qr.query(
      `INSERT INTO ${s}.level_month_count (regency, month, ${l}) SELECT * FROM ${s}.level_month_count_of_base()`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    for (const table of ['kampung_projection', 'kampung_state', 'kampung_level_month'])
      for (const op of ['ins', 'upd', 'del'])
        await qr.query(`DROP TRIGGER ${table}_count_${op} ON ${s}.${table}`);
    await qr.query(`DROP FUNCTION ${s}.level_month_count_change()`);
    await qr.query(`DROP FUNCTION ${s}.level_count_state()`);
    await qr.query(`DROP FUNCTION ${s}.level_count_projection()`);
    await qr.query(`DROP FUNCTION ${s}.level_month_count_of_base()`);
    await qr.query(`DROP FUNCTION ${s}.level_count_of_base()`);
    await qr.query(`DROP TABLE ${s}.level_month_count`);
    await qr.query(`DROP TABLE ${s}.level_count`);
  }
}

/**
 * The changes a set of kampung_level_month rows makes, as (regency, month, level, d): `sign` at
 * each row's month, `-sign` at the month of the kampung's next row (the end of that run).
 */
function runChanges(rows: string, sign: number): string {
  return `SELECT substr(village_code, 1, 5) AS regency, month, level, ${sign} AS d FROM ${rows}
          UNION ALL
          SELECT regency, next_month, level, ${-sign} FROM (
            SELECT substr(village_code, 1, 5) AS regency, level,
                   lead(month) OVER (PARTITION BY kampung_id ORDER BY month) AS next_month FROM ${rows}) n
           WHERE next_month IS NOT NULL`;
}

/** Adds the grouped (regency, level, d) rows of `delta` to level_count, in regency order. */
function upsertLevelCount(s: string, delta: string, kampung: boolean): string {
  const cols = [...(kampung ? ['kampung'] : []), ...LEVELS];
  return `INSERT INTO ${s}.level_count AS c (regency, stripe, ${cols.join(', ')})
    SELECT regency, ${STRIPE}, ${cols.join(', ')} FROM (SELECT regency, ${kampung ? 'sum(d)::int AS kampung, ' : ''}${pivot('d')} FROM (${delta}) x GROUP BY regency) g
     WHERE ${notAllZero(cols)}
     ORDER BY regency
    ON CONFLICT (regency, stripe) DO UPDATE SET ${cols.map((c) => `${c} = c.${c} + EXCLUDED.${c}`).join(', ')}`;
}

/** Adds the grouped (regency, month, level, d) rows of `delta` to level_month_count, in key order. */
function upsertLevelMonthCount(s: string, delta: string): string {
  return `INSERT INTO ${s}.level_month_count AS c (regency, month, stripe, ${LEVELS.join(', ')})
    SELECT regency, month, ${STRIPE}, ${LEVELS.join(', ')} FROM (SELECT regency, month, ${pivot('d')} FROM (${delta}) x GROUP BY regency, month) g
     WHERE ${notAllZero([...LEVELS])}
     ORDER BY regency, month
    ON CONFLICT (regency, month, stripe) DO UPDATE SET ${LEVELS.map((c) => `${c} = c.${c} + EXCLUDED.${c}`).join(', ')}`;
}
