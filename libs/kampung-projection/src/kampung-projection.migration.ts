import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

export class CreateKampungProjection1764300100000 implements MigrationInterface {
  name = 'CreateKampungProjection1764300100000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      CREATE TABLE ${s}.kampung_projection (
        kampung_id uuid NOT NULL,
        village_code text NOT NULL,
        province_code char(2) NOT NULL,
        name text NOT NULL,
        launch_date date NOT NULL,
        active boolean NOT NULL,
        merged_into uuid,
        version integer NOT NULL,
        last_event_id text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT kampung_projection_pkey PRIMARY KEY (kampung_id)
      )`);
    await qr.query(
      `CREATE INDEX kampung_projection_village_code_idx ON ${s}.kampung_projection (village_code)`,
    );
    await qr.query(
      `COMMENT ON TABLE ${s}.kampung_projection IS 'This service''s copy of the Kampung KB register, fed by registry kampung events'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.kampung_projection.version IS 'Aggregate version of the last applied event: older events are ignored'`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP TABLE ${schemaOf(qr)}.kampung_projection`);
  }
}
