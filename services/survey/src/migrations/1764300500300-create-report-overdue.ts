import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/** One row per kampung and month found overdue: its primary key makes the event exactly-once. */
export class CreateReportOverdue1764300500300 implements MigrationInterface {
  name = 'CreateReportOverdue1764300500300';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      CREATE TABLE ${s}.report_overdue (
        kampung_id uuid NOT NULL,
        period_year smallint NOT NULL,
        period_month smallint NOT NULL,
        village_code text NOT NULL,
        due_date date NOT NULL,
        event_id uuid NOT NULL,
        detected_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT report_overdue_pkey PRIMARY KEY (kampung_id, period_year, period_month),
        CONSTRAINT report_overdue_event_id_key UNIQUE (event_id)
      )`);
    await qr.query(
      `COMMENT ON TABLE ${s}.report_overdue IS 'Monthly reports found overdue; inserted with the report overdue event in one transaction, so each is published once'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.report_overdue.due_date IS 'Last day the report was due (Asia/Jakarta)'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.report_overdue.event_id IS 'Id of the report overdue event in the outbox'`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP TABLE ${schemaOf(qr)}.report_overdue`);
  }
}
