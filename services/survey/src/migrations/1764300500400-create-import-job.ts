import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/** CSV imports and the result of each of their rows. */
export class CreateImportJob1764300500400 implements MigrationInterface {
  name = 'CreateImportJob1764300500400';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      CREATE TABLE ${s}.import_job (
        id uuid NOT NULL,
        instrument_code text NOT NULL,
        instrument_version integer NOT NULL,
        status text NOT NULL DEFAULT 'running',
        rows integer NOT NULL DEFAULT 0,
        created integer NOT NULL DEFAULT 0,
        unchanged integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        error text,
        started_by text NOT NULL,
        scope text COLLATE "C" NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CONSTRAINT import_job_pkey PRIMARY KEY (id),
        CONSTRAINT import_job_status_check CHECK (status IN ('running', 'completed', 'failed'))
      )`);
    await qr.query(`
      CREATE TABLE ${s}.import_row (
        import_id uuid NOT NULL,
        row_number integer NOT NULL,
        submission_id uuid,
        outcome text NOT NULL,
        errors jsonb,
        CONSTRAINT import_row_pkey PRIMARY KEY (import_id, row_number),
        CONSTRAINT import_row_import_id_fkey FOREIGN KEY (import_id) REFERENCES ${s}.import_job (id) ON DELETE CASCADE,
        CONSTRAINT import_row_outcome_check CHECK (outcome IN ('created', 'unchanged', 'failed'))
      )`);
    await qr.query(
      `COMMENT ON TABLE ${s}.import_job IS 'A CSV import: one row per upload, with running counts; the rows themselves become submissions'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.import_job.scope IS 'Region scope of the officer who started it; readers must cover it'`,
    );
    await qr.query(
      `COMMENT ON TABLE ${s}.import_row IS 'The result of each CSV data row (row_number 1 is the first row after the header)'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.import_row.errors IS 'Failing fields with reasons, for outcome failed'`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`DROP TABLE ${s}.import_row`);
    await qr.query(`DROP TABLE ${s}.import_job`);
  }
}
