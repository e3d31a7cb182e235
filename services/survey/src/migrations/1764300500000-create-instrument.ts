import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/** Instruments (form definitions) as data; a published version can never change. */
export class CreateInstrument1764300500000 implements MigrationInterface {
  name = 'CreateInstrument1764300500000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      CREATE TABLE ${s}.instrument (
        code text NOT NULL,
        version integer NOT NULL,
        kind text NOT NULL,
        title text NOT NULL,
        definition jsonb NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now(),
        published_by text NOT NULL,
        CONSTRAINT instrument_pkey PRIMARY KEY (code, version),
        CONSTRAINT instrument_code_check CHECK (code ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$'),
        CONSTRAINT instrument_version_check CHECK (version >= 1),
        CONSTRAINT instrument_kind_check CHECK (kind IN ('profile', 'monthly-report'))
      )`);
    await qr.query(`
      CREATE FUNCTION ${s}.instrument_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'instrument % version % is published and cannot change; publish a new version',
          OLD.code, OLD.version USING ERRCODE = 'integrity_constraint_violation';
      END $$`);
    await qr.query(`
      CREATE TRIGGER instrument_immutable_trg BEFORE UPDATE OR DELETE ON ${s}.instrument
      FOR EACH ROW EXECUTE FUNCTION ${s}.instrument_immutable()`);
    await qr.query(
      `COMMENT ON TABLE ${s}.instrument IS 'Form definitions as data, one row per published version; rows are immutable (trigger instrument_immutable_trg)'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.instrument.code IS 'Stable instrument code, e.g. monthly-report'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.instrument.version IS 'Version number; a new version is a new row, submissions record the one they answered'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.instrument.kind IS 'profile (kampung profile snapshot) or monthly-report; fixed for a code'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.instrument.definition IS 'Code lists, typed questions with stable ids, and cross-field rules (see libs/instrument-rules)'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.instrument.published_by IS 'Token subject of the national officer, or migration'`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`DROP TABLE ${s}.instrument`);
    await qr.query(`DROP FUNCTION ${s}.instrument_immutable()`);
  }
}
