import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

export class CreateKampung1764300200000 implements MigrationInterface {
  name = 'CreateKampung1764300200000';

  async up(qr: QueryRunner): Promise<void> {
    const s = `${schemaOf(qr)}`;
    await qr.query(`
      CREATE TABLE ${s}.kampung (
        id uuid NOT NULL,
        village_code text NOT NULL,
        name text NOT NULL,
        launch_date date NOT NULL,
        description text,
        active boolean NOT NULL DEFAULT true,
        model_regency boolean NOT NULL DEFAULT false,
        model_province boolean NOT NULL DEFAULT false,
        merged_into uuid,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT kampung_pkey PRIMARY KEY (id),
        CONSTRAINT kampung_village_code_check CHECK (village_code ~ '^\\d{2}\\.\\d{2}\\.\\d{2}\\.\\d{4}$'),
        CONSTRAINT kampung_merged_into_fkey FOREIGN KEY (merged_into) REFERENCES ${s}.kampung (id)
      )`);
    await qr.query(
      `CREATE UNIQUE INDEX kampung_active_village_key ON ${s}.kampung (village_code) WHERE active`,
    );
    await qr.query(
      `COMMENT ON TABLE ${s}.kampung IS 'The Kampung KB register: one row per kampung, at most one active per village'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.kampung.village_code IS 'Dotted Kemendagri village (desa/kelurahan) code'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.kampung.launch_date IS 'Date of the pencanangan (launch)'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.kampung.version IS 'Optimistic-concurrency version; also the aggregate version in events'`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = `${schemaOf(qr)}`;
    await qr.query(`DROP TABLE ${s}.kampung`);
  }
}
