import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

export class CreateReceivedEvent1764300300000 implements MigrationInterface {
  name = 'CreateReceivedEvent1764300300000';

  async up(qr: QueryRunner): Promise<void> {
    const s = `${schemaOf(qr)}`;
    await qr.query(`
      CREATE TABLE ${s}.received_event (
        event_id text NOT NULL,
        type text NOT NULL,
        province_code char(2) NOT NULL,
        subject text NOT NULL,
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        event jsonb NOT NULL,
        CONSTRAINT received_event_pkey PRIMARY KEY (event_id)
      )`);
    await qr.query(
      `CREATE INDEX received_event_province_time_idx ON ${s}.received_event (province_code, occurred_at)`,
    );
    await qr.query(
      `COMMENT ON TABLE ${s}.received_event IS 'Platform events taken in by the notifications service (whole CloudEvents)'`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    await qr.query(`DROP TABLE ${schemaOf(qr)}.received_event`);
  }
}
