import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/**
 * Coverage counters per province, regency and district, kept by a trigger on kampung (so every
 * write path, SQL included, keeps them right) and recounted after each region import. A national
 * coverage query then reads 38 rows instead of counting 83,762 villages and kampung.
 */
export class CreateCoverageCount1764300600000 implements MigrationInterface {
  name = 'CreateCoverageCount1764300600000';

  async up(qr: QueryRunner): Promise<void> {
    const s = `${schemaOf(qr)}`;
    await qr.query(`
      CREATE TABLE ${s}.coverage_count (
        code text COLLATE "C" NOT NULL,
        villages integer NOT NULL DEFAULT 0,
        kampung integer NOT NULL DEFAULT 0,
        CONSTRAINT coverage_count_pkey PRIMARY KEY (code),
        CONSTRAINT coverage_count_code_fkey FOREIGN KEY (code) REFERENCES ${s}.region (code)
      )`);
    await qr.query(
      `COMMENT ON TABLE ${s}.coverage_count IS 'Active villages and villages with an active kampung, per province, regency and district'`,
    );
    await qr.query(`
      CREATE FUNCTION ${s}.coverage_count_recount() RETURNS void LANGUAGE sql AS $$
        INSERT INTO ${s}.coverage_count (code, villages, kampung)
        SELECT r.code, COALESCE(v.n, 0), COALESCE(k.n, 0)
          FROM ${s}.region r
          LEFT JOIN (SELECT a AS code, count(*) AS n FROM ${s}.region,
                       unnest(ARRAY[substr(code, 1, 2), substr(code, 1, 5), substr(code, 1, 8)]) AS a
                      WHERE level = 4 AND active GROUP BY a) v USING (code)
          LEFT JOIN (SELECT a AS code, count(*) AS n FROM ${s}.kampung,
                       unnest(ARRAY[substr(village_code, 1, 2), substr(village_code, 1, 5), substr(village_code, 1, 8)]) AS a
                      WHERE active GROUP BY a) k USING (code)
         WHERE r.level < 4
        ON CONFLICT (code) DO UPDATE SET villages = EXCLUDED.villages, kampung = EXCLUDED.kampung
      $$`);
    await qr.query(`
      CREATE FUNCTION ${s}.kampung_coverage_count() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.active THEN
          UPDATE ${s}.coverage_count SET kampung = kampung - 1
           WHERE code IN (substr(OLD.village_code, 1, 2), substr(OLD.village_code, 1, 5), substr(OLD.village_code, 1, 8));
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.active THEN
          UPDATE ${s}.coverage_count SET kampung = kampung + 1
           WHERE code IN (substr(NEW.village_code, 1, 2), substr(NEW.village_code, 1, 5), substr(NEW.village_code, 1, 8));
        END IF;
        RETURN NULL;
      END $$`);
    await qr.query(`CREATE TRIGGER kampung_coverage_count_ins_del AFTER INSERT OR DELETE ON ${s}.kampung
                      FOR EACH ROW EXECUTE FUNCTION ${s}.kampung_coverage_count()`);
    await qr.query(`CREATE TRIGGER kampung_coverage_count_upd AFTER UPDATE OF active, village_code ON ${s}.kampung
                      FOR EACH ROW WHEN (OLD.active IS DISTINCT FROM NEW.active OR OLD.village_code IS DISTINCT FROM NEW.village_code)
                      EXECUTE FUNCTION ${s}.kampung_coverage_count()`);
    await qr.query(`SELECT ${s}.coverage_count_recount()`);
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = `${schemaOf(qr)}`;
    await qr.query(`DROP TRIGGER kampung_coverage_count_upd ON ${s}.kampung`);
    await qr.query(`DROP TRIGGER kampung_coverage_count_ins_del ON ${s}.kampung`);
    await qr.query(`DROP FUNCTION ${s}.kampung_coverage_count()`);
    await qr.query(`DROP FUNCTION ${s}.coverage_count_recount()`);
    await qr.query(`DROP TABLE ${s}.coverage_count`);
  }
}
