import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/**
 * The audit of the dead-letter admin API: one row per action on one letter. Created in the schema
 * of the service that serves the API (notifications; see DeadLetterAdminModule).
 */
export class CreateDeadLetterAudit1764900000000 implements MigrationInterface {
  name = 'CreateDeadLetterAudit1764900000000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      CREATE TABLE ${s}.dead_letter_audit (
        id bigint GENERATED ALWAYS AS IDENTITY,
        at timestamptz NOT NULL DEFAULT now(),
        actor text NOT NULL,
        actor_role text NOT NULL,
        action text NOT NULL CHECK (action IN ('inspect', 'replay', 'discard')),
        bulk uuid,
        consumer text,
        letter_seq bigint NOT NULL,
        event_id text,
        event_type text,
        outcome text NOT NULL DEFAULT 'requested',
        new_letter_seq bigint,
        detail text,
        finished_at timestamptz,
        CONSTRAINT dead_letter_audit_pkey PRIMARY KEY (id)
      )`);
    await qr.query(`CREATE INDEX dead_letter_audit_consumer_idx ON ${s}.dead_letter_audit (consumer, id)`);
    await qr.query(
      `COMMENT ON TABLE ${s}.dead_letter_audit IS 'Who inspected, replayed or discarded which dead letter (KKB_DLQ sequence), when, and the outcome; written before the action, completed after it'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.dead_letter_audit.bulk IS 'Shared by the rows of one replay-all or discard-all'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.dead_letter_audit.outcome IS 'requested (the action did not finish), handled, duplicate, ignored, dead-lettered, discarded, shown, or the failure'`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP TABLE ${schemaOf(qr)}.dead_letter_audit`);
  }
}
