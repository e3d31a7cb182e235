import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/** Submissions: client-made ids, the answers, the workflow state and the supersede history. */
export class CreateSubmission1764300500200 implements MigrationInterface {
  name = 'CreateSubmission1764300500200';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      CREATE TABLE ${s}.submission (
        id uuid NOT NULL,
        kampung_id uuid NOT NULL,
        village_code text NOT NULL,
        region_code text COLLATE "C" NOT NULL,
        instrument_code text NOT NULL,
        instrument_version integer NOT NULL,
        kind text NOT NULL,
        period_year smallint NOT NULL,
        period_month smallint NOT NULL,
        answers jsonb NOT NULL,
        body_hash text NOT NULL,
        status text NOT NULL DEFAULT 'submitted',
        via text NOT NULL,
        import_id uuid,
        submitted_at timestamptz NOT NULL DEFAULT now(),
        submitted_by text NOT NULL,
        supersedes uuid,
        superseded_by uuid,
        superseded_at timestamptz,
        verified_at timestamptz,
        verified_by text,
        rejected_at timestamptz,
        rejected_by text,
        rejection_reason text,
        CONSTRAINT submission_pkey PRIMARY KEY (id),
        CONSTRAINT submission_instrument_fkey FOREIGN KEY (instrument_code, instrument_version)
          REFERENCES ${s}.instrument (code, version),
        CONSTRAINT submission_status_check CHECK (status IN ('submitted', 'verified', 'rejected', 'superseded')),
        CONSTRAINT submission_kind_check CHECK (kind IN ('profile', 'monthly-report')),
        CONSTRAINT submission_via_check CHECK (via IN ('api', 'import')),
        CONSTRAINT submission_period_check CHECK (period_year BETWEEN 2000 AND 2100 AND period_month BETWEEN 1 AND 12),
        CONSTRAINT submission_region_code_check CHECK (region_code ~ '^[0-9]{10}$'),
        CONSTRAINT submission_rejection_check CHECK (status <> 'rejected' OR rejection_reason IS NOT NULL)
      )`);
    await qr.query(
      `CREATE UNIQUE INDEX submission_current_key ON ${s}.submission (kampung_id, kind, period_year, period_month)
       WHERE status <> 'superseded'`,
    );
    await qr.query(`CREATE INDEX submission_region_idx ON ${s}.submission (region_code, submitted_at DESC)`);
    await qr.query(
      `CREATE INDEX submission_status_idx ON ${s}.submission (status, submitted_at) WHERE status = 'submitted'`,
    );
    await qr.query(
      `COMMENT ON TABLE ${s}.submission IS 'Kampung profiles and monthly reports; at most one current (not superseded) per kampung, kind and period, the rest is history'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.submission.id IS 'Client-made UUID (made on the device): the idempotency key'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.submission.body_hash IS 'SHA-256 of the canonical request body: a retry with the same id must carry the same body'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.submission.village_code IS 'Dotted village code of the kampung, from the projection'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.submission.region_code IS 'Compact village code, for region-scope prefix filters'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.submission.answers IS 'Answers keyed by the instrument question ids, as validated'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.submission.status IS 'submitted, then verified or rejected; superseded once a newer submission for the same kampung, kind and period arrives'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.submission.via IS 'api (one HTTP submission) or import (a CSV row)'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.submission.supersedes IS 'The submission this one replaced'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.submission.superseded_by IS 'The submission that replaced this one'`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP TABLE ${schemaOf(qr)}.submission`);
  }
}
