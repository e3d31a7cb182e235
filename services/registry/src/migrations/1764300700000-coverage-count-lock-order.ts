import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/**
 * The coverage trigger updated its province, regency and district counters in one statement,
 * which locks the rows in whatever order it finds them: two registrations in one province could
 * take them in opposite orders and deadlock (one caller got a 500). The counters are now changed
 * one row at a time in code order (province, regency, district), the same order in every
 * transaction, and a move between villages applies its net change per row.
 */
export class CoverageCountLockOrder1764300700000 implements MigrationInterface {
  name = 'CoverageCountLockOrder1764300700000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      CREATE OR REPLACE FUNCTION ${s}.kampung_coverage_count() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        codes text[] := '{}';
        deltas integer[] := '{}';
        d record;
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.active THEN
          codes := codes || ARRAY[substr(OLD.village_code, 1, 2), substr(OLD.village_code, 1, 5), substr(OLD.village_code, 1, 8)];
          deltas := deltas || ARRAY[-1, -1, -1];
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.active THEN
          codes := codes || ARRAY[substr(NEW.village_code, 1, 2), substr(NEW.village_code, 1, 5), substr(NEW.village_code, 1, 8)];
          deltas := deltas || ARRAY[1, 1, 1];
        END IF;
        FOR d IN
          SELECT u.code, sum(u.delta)::integer AS delta
            FROM unnest(codes, deltas) AS u(code, delta)
           GROUP BY u.code HAVING sum(u.delta) <> 0
           ORDER BY u.code COLLATE "C"
        LOOP
          UPDATE ${s}.coverage_count SET kampung = kampung + d.delta WHERE code = d.code;
        END LOOP;
        RETURN NULL;
      END $$`);
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      CREATE OR REPLACE FUNCTION ${s}.kampung_coverage_count() RETURNS trigger LANGUAGE plpgsql AS $$
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
  }
}
