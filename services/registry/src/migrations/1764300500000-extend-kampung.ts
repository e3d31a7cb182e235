import type { MigrationInterface, QueryRunner } from 'typeorm';
import { SEKSI_CODES, SELECTION_CRITERIA_CODES, SK_ISSUER_CODES } from '../kampung/code-lists';
import { schemaOf } from '@kkb/persistence';

const list = (codes: readonly string[]) => codes.map((c) => `'${c}'`).join(', ');

/** The whole register entry: coordinates, selection criteria, model flags, Pokja, field officer, audit. */
export class ExtendKampung1764300500000 implements MigrationInterface {
  name = 'ExtendKampung1764300500000';

  async up(qr: QueryRunner): Promise<void> {
    const s = `${schemaOf(qr)}`;
    await qr.query(`
      ALTER TABLE ${s}.kampung
        ADD COLUMN rw text,
        ADD COLUMN latitude numeric(9, 6),
        ADD COLUMN longitude numeric(9, 6),
        ADD COLUMN selection_criteria text[] NOT NULL DEFAULT '{}',
        ADD COLUMN pokja_sk_number text,
        ADD COLUMN pokja_sk_date date,
        ADD COLUMN pokja_sk_issuer text,
        ADD COLUMN pokja_trained boolean NOT NULL DEFAULT false,
        ADD COLUMN field_officer_nip text,
        ADD COLUMN field_officer_name text,
        ADD COLUMN field_officer_contact text,
        ADD COLUMN status_reason text,
        ADD CONSTRAINT kampung_latitude_check CHECK (latitude BETWEEN -90 AND 90),
        ADD CONSTRAINT kampung_longitude_check CHECK (longitude BETWEEN -180 AND 180),
        ADD CONSTRAINT kampung_pokja_sk_issuer_check CHECK (pokja_sk_issuer IN (${list(SK_ISSUER_CODES)})),
        ADD CONSTRAINT kampung_selection_criteria_check CHECK (selection_criteria <@ ARRAY[${list(SELECTION_CRITERIA_CODES)}]::text[])`);
    await qr.query(
      `CREATE UNIQUE INDEX kampung_model_regency_key ON ${s}.kampung (substr(village_code, 1, 5)) WHERE active AND model_regency`,
    );
    await qr.query(
      `CREATE UNIQUE INDEX kampung_model_province_key ON ${s}.kampung (substr(village_code, 1, 2)) WHERE active AND model_province`,
    );
    await qr.query(`CREATE INDEX kampung_village_code_idx ON ${s}.kampung (village_code, id)`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.kampung.selection_criteria IS 'Why this village was chosen: codes from the selection-criteria list'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.kampung.pokja_sk_issuer IS 'Who signed the Pokja decree (SK): gubernur, bupati_walikota, camat, kepala_desa'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.kampung.field_officer_nip IS 'Id number (NIP) of the field officer (PLKB/PKB)'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.kampung.status_reason IS 'Reason of the last deactivation, reactivation or merge'`,
    );
    await qr.query(
      `COMMENT ON INDEX ${s}.kampung_model_regency_key IS 'At most one active model (percontohan) kampung per regency'`,
    );
    await qr.query(
      `COMMENT ON INDEX ${s}.kampung_model_province_key IS 'At most one active model (percontohan) kampung per province'`,
    );

    await qr.query(`
      CREATE TABLE ${s}.pokja_member (
        kampung_id uuid NOT NULL,
        ordinal smallint NOT NULL,
        name text NOT NULL,
        position text NOT NULL,
        seksi text,
        CONSTRAINT pokja_member_pkey PRIMARY KEY (kampung_id, ordinal),
        CONSTRAINT pokja_member_kampung_id_fkey FOREIGN KEY (kampung_id) REFERENCES ${s}.kampung (id) ON DELETE CASCADE,
        CONSTRAINT pokja_member_seksi_check CHECK (seksi IN (${list(SEKSI_CODES)}))
      )`);
    await qr.query(
      `COMMENT ON TABLE ${s}.pokja_member IS 'Members of a kampung''s Pokja (working group), in the order given'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.pokja_member.seksi IS 'The family-function section the member leads, if any'`,
    );

    await qr.query(`
      CREATE TABLE ${s}.kampung_audit (
        id bigint GENERATED ALWAYS AS IDENTITY,
        kampung_id uuid NOT NULL,
        version integer NOT NULL,
        action text NOT NULL,
        actor text NOT NULL,
        actor_role text,
        at timestamptz NOT NULL DEFAULT now(),
        changes jsonb NOT NULL DEFAULT '{}',
        reason text,
        correlation_id text,
        CONSTRAINT kampung_audit_pkey PRIMARY KEY (id),
        CONSTRAINT kampung_audit_kampung_id_fkey FOREIGN KEY (kampung_id) REFERENCES ${s}.kampung (id),
        CONSTRAINT kampung_audit_action_check CHECK (action IN ('registered', 'updated', 'deactivated', 'reactivated', 'merged'))
      )`);
    await qr.query(`CREATE INDEX kampung_audit_kampung_idx ON ${s}.kampung_audit (kampung_id, id)`);
    await qr.query(
      `COMMENT ON TABLE ${s}.kampung_audit IS 'Every change to a kampung: who, when, what changed (field: {from, to}) and why'`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = `${schemaOf(qr)}`;
    await qr.query(`DROP TABLE ${s}.kampung_audit`);
    await qr.query(`DROP TABLE ${s}.pokja_member`);
    await qr.query(`DROP INDEX ${s}.kampung_village_code_idx`);
    await qr.query(`DROP INDEX ${s}.kampung_model_province_key`);
    await qr.query(`DROP INDEX ${s}.kampung_model_regency_key`);
    await qr.query(`
      ALTER TABLE ${s}.kampung
        DROP COLUMN rw, DROP COLUMN latitude, DROP COLUMN longitude, DROP COLUMN selection_criteria,
        DROP COLUMN pokja_sk_number, DROP COLUMN pokja_sk_date, DROP COLUMN pokja_sk_issuer, DROP COLUMN pokja_trained,
        DROP COLUMN field_officer_nip, DROP COLUMN field_officer_name, DROP COLUMN field_officer_contact,
        DROP COLUMN status_reason`);
  }
}
