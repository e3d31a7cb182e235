import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/**
 * Issue 16, the event feed (`GET /events?after=`). Its cursor is a position in `received_event`
 * that must never pass over an event that commits later, so the events get their `seq` in
 * commit order as inbox items do (migration 1764302400000): inserted with `arrival` (a plain
 * identity, no lock) and seq NULL, numbered later by a short sequencing transaction
 * (FeedRepository.sequence) under an advisory lock. The events already there are numbered now,
 * in the order they were received.
 */
export class ReceivedEventFeedOrder1764302500000 implements MigrationInterface {
  name = 'ReceivedEventFeedOrder1764302500000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`ALTER TABLE ${s}.received_event ADD COLUMN seq bigint`);
    await qr.query(`CREATE SEQUENCE ${s}.received_event_seq_seq AS bigint OWNED BY ${s}.received_event.seq`);
    await qr.query(`
      WITH p AS MATERIALIZED (
        SELECT event_id, nextval('${s}.received_event_seq_seq') AS seq
          FROM (SELECT event_id FROM ${s}.received_event ORDER BY received_at, occurred_at, event_id) o)
      UPDATE ${s}.received_event e SET seq = p.seq FROM p WHERE e.event_id = p.event_id`);
    await qr.query(`ALTER TABLE ${s}.received_event ADD COLUMN arrival bigint GENERATED ALWAYS AS IDENTITY`);
    await qr.query(`CREATE UNIQUE INDEX received_event_seq_idx ON ${s}.received_event (seq)`);
    await qr.query(
      `CREATE INDEX received_event_unsequenced_idx ON ${s}.received_event (arrival) WHERE seq IS NULL`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.received_event.seq IS 'Commit order, the position of the event feed: set by the sequencer after the event committed (null until then, and the event not served); an event never gets a seq below one a reader has seen'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.received_event.arrival IS 'Insertion order (taken without a lock, so not commit order): orders the events one sequencing run numbers'`,
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`DROP INDEX ${s}.received_event_unsequenced_idx`);
    await qr.query(`DROP INDEX ${s}.received_event_seq_idx`);
    await qr.query(`ALTER TABLE ${s}.received_event DROP COLUMN arrival`);
    await qr.query(`ALTER TABLE ${s}.received_event DROP COLUMN seq`);
  }
}
