import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/** The W3C trace context of the work that wrote an outbox row, for the relay to pass on. */
export class AddOutboxTraceContext1764400000000 implements MigrationInterface {
  name = 'AddOutboxTraceContext1764400000000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    // Nullable without a default: adding them rewrites nothing, whatever the table's size.
    await qr.query(`ALTER TABLE ${s}.outbox ADD COLUMN traceparent text, ADD COLUMN tracestate text`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.outbox.traceparent IS 'W3C traceparent of the span that wrote the row (null when tracing is off); the relay publishes it as a NATS header'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.outbox.tracestate IS 'W3C tracestate that came with traceparent, if any'`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`ALTER TABLE ${s}.outbox DROP COLUMN tracestate, DROP COLUMN traceparent`);
  }
}
