import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/** The Kemendagri region tree, and the kampung's link to its village. */
export class CreateRegion1764300400000 implements MigrationInterface {
  name = 'CreateRegion1764300400000';

  async up(qr: QueryRunner): Promise<void> {
    const s = `${schemaOf(qr)}`;
    // Codes use the C collation so that prefix searches (`LIKE '16.10.%'`) use the btree index.
    await qr.query(`
      CREATE TABLE ${s}.region (
        code text COLLATE "C" NOT NULL,
        compact_code text COLLATE "C" NOT NULL,
        name text NOT NULL,
        search_name text COLLATE "C" NOT NULL,
        level smallint NOT NULL,
        kind text NOT NULL,
        parent_code text COLLATE "C",
        active boolean NOT NULL DEFAULT true,
        source text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT region_pkey PRIMARY KEY (code),
        CONSTRAINT region_compact_code_key UNIQUE (compact_code),
        CONSTRAINT region_parent_code_fkey FOREIGN KEY (parent_code) REFERENCES ${s}.region (code),
        CONSTRAINT region_level_check CHECK (level BETWEEN 1 AND 4),
        CONSTRAINT region_kind_check CHECK (kind IN ('provinsi', 'kabupaten', 'kota', 'kecamatan', 'desa', 'kelurahan', 'desa_adat')),
        CONSTRAINT region_code_check CHECK (code ~ '^\\d{2}(\\.\\d{2}(\\.\\d{2}(\\.\\d{4})?)?)?$')
      )`);
    await qr.query(`CREATE INDEX region_parent_code_idx ON ${s}.region (parent_code, code)`);
    await qr.query(`CREATE INDEX region_search_name_idx ON ${s}.region (search_name, code)`);
    await qr.query(`CREATE INDEX region_active_village_idx ON ${s}.region (code) WHERE level = 4 AND active`);
    await qr.query(
      `COMMENT ON TABLE ${s}.region IS 'Kemendagri region tree: provinsi, kabupaten/kota, kecamatan, desa/kelurahan'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.region.code IS 'Dotted official code, e.g. 16.10.05.2041'`);
    await qr.query(`COMMENT ON COLUMN ${s}.region.compact_code IS 'The code without dots, e.g. 1610052041'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.region.search_name IS 'Lower-case name without diacritics, for case- and accent-insensitive search'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.region.level IS '1 province, 2 regency, 3 district, 4 village'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.region.active IS 'False once a code vanished from the source (never deleted: kampung refer to it)'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.region.source IS 'Where the code came from, e.g. idn-area-data@4.0.1'`,
    );

    await qr.query(`ALTER TABLE ${s}.kampung ALTER COLUMN village_code TYPE text COLLATE "C"`);
    await qr.query(
      `ALTER TABLE ${s}.kampung ADD CONSTRAINT kampung_village_code_fkey FOREIGN KEY (village_code) REFERENCES ${s}.region (code)`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = `${schemaOf(qr)}`;
    await qr.query(`ALTER TABLE ${s}.kampung DROP CONSTRAINT kampung_village_code_fkey`);
    await qr.query(`ALTER TABLE ${s}.kampung ALTER COLUMN village_code TYPE text COLLATE "default"`);
    await qr.query(`DROP TABLE ${s}.region`);
  }
}
