import type { MigrationInterface, QueryRunner } from 'typeorm';
import { AddOutboxTraceContext1764400000000 } from './outbox-trace-context.migration';
import { schemaOf } from '@kkb/persistence';

/** Outbox and inbox tables; the first of MESSAGING_MIGRATIONS. */
export class CreateMessagingTables1764300000000 implements MigrationInterface {
  name = 'CreateMessagingTables1764300000000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`
      CREATE TABLE ${s}.outbox (
        id uuid NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        subject text NOT NULL,
        type text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        CONSTRAINT outbox_pkey PRIMARY KEY (id)
      )`);
    await qr.query(`CREATE INDEX outbox_unpublished_idx ON ${s}.outbox (seq) WHERE published_at IS NULL`);
    await qr.query(
      `CREATE INDEX outbox_published_at_idx ON ${s}.outbox (published_at) WHERE published_at IS NOT NULL`,
    );
    await qr.query(
      `COMMENT ON TABLE ${s}.outbox IS 'Events committed with their state change; the relay publishes them to JetStream with Nats-Msg-Id = id'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.outbox.seq IS 'Commit-order key: the relay publishes in this order'`,
    );
    await qr.query(`COMMENT ON COLUMN ${s}.outbox.payload IS 'The whole CloudEvent, JSON structured mode'`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.outbox.published_at IS 'Set when JetStream acknowledged the publish; swept after the retention period'`,
    );
    await qr.query(`
      CREATE TABLE ${s}.inbox (
        consumer text NOT NULL,
        event_id text NOT NULL,
        type text NOT NULL,
        handled_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inbox_pkey PRIMARY KEY (consumer, event_id)
      )`);
    await qr.query(
      `COMMENT ON TABLE ${s}.inbox IS 'Events each durable consumer has handled, written in the handler transaction: a redelivery is a no-op'`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`DROP TABLE ${s}.inbox`);
    await qr.query(`DROP TABLE ${s}.outbox`);
  }
}

/**
 * Every migration of the messaging tables, oldest first: each service lists them
 * (`...MESSAGING_MIGRATIONS`) before its own, so a new one here reaches every service.
 */
export const MESSAGING_MIGRATIONS = [CreateMessagingTables1764300000000, AddOutboxTraceContext1764400000000];
