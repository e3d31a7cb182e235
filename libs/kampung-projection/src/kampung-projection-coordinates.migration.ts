import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/**
 * The model flags and coordinates carried by kampung events, kept so that lists and maps can show
 * them next to this service's own data. Rows projected before this migration get false / null
 * until the kampung's next event.
 */
export class KampungProjectionModelAndCoordinates1764302000000 implements MigrationInterface {
  name = 'KampungProjectionModelAndCoordinates1764302000000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      ALTER TABLE ${s}.kampung_projection
        ADD COLUMN model_regency boolean NOT NULL DEFAULT false,
        ADD COLUMN model_province boolean NOT NULL DEFAULT false,
        ADD COLUMN latitude double precision,
        ADD COLUMN longitude double precision,
        ADD CONSTRAINT kampung_projection_latitude_check CHECK (latitude BETWEEN -90 AND 90),
        ADD CONSTRAINT kampung_projection_longitude_check CHECK (longitude BETWEEN -180 AND 180)`);
    await qr.query(
      `CREATE INDEX kampung_projection_village_pattern_idx ON ${s}.kampung_projection (village_code text_pattern_ops)`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.kampung_projection.model_regency IS 'The kampung is its regency''s model Kampung KB'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.kampung_projection.model_province IS 'The kampung is its province''s model Kampung KB'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.kampung_projection.latitude IS 'WGS 84 latitude from the register; null when it has none'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.kampung_projection.longitude IS 'WGS 84 longitude from the register; null when it has none'`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`DROP INDEX ${s}.kampung_projection_village_pattern_idx`);
    await qr.query(`
      ALTER TABLE ${s}.kampung_projection
        DROP COLUMN model_regency, DROP COLUMN model_province, DROP COLUMN latitude, DROP COLUMN longitude`);
  }
}
