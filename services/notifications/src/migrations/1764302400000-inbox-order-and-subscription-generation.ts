import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

/**
 * Issue 15. (1) Inbox items no longer take their `seq` when inserted under a lock that
 * serialized every fan-out commit: they are inserted with `arrival` (a plain sequence, no lock)
 * and seq NULL, and get their `seq` later, in commit order, from a short sequencing transaction
 * (InboxRepository.sequence) that readers run before they read. (2) `subscription_generation`
 * counts the changes that matter to routing events (a subscription added, removed, or its
 * patterns, region or status changed), so the fan-out can keep the compiled subscriptions in
 * memory and check with one read per transaction that they are current.
 */
export class InboxOrderAndSubscriptionGeneration1764302400000 implements MigrationInterface {
  name = 'InboxOrderAndSubscriptionGeneration1764302400000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`ALTER TABLE ${s}.inbox_item ALTER COLUMN seq DROP IDENTITY`);
    await qr.query(`ALTER TABLE ${s}.inbox_item ALTER COLUMN seq DROP NOT NULL`);
    await qr.query(`CREATE SEQUENCE ${s}.inbox_item_seq_seq AS bigint OWNED BY ${s}.inbox_item.seq`);
    await qr.query(
      `SELECT setval('${s}.inbox_item_seq_seq', COALESCE((SELECT max(seq) FROM ${s}.inbox_item), 0) + 1, false)`,
    );
    await qr.query(`ALTER TABLE ${s}.inbox_item ADD COLUMN arrival bigint GENERATED ALWAYS AS IDENTITY`);
    await qr.query(`CREATE INDEX inbox_item_unsequenced_idx ON ${s}.inbox_item (arrival) WHERE seq IS NULL`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.inbox_item.seq IS 'Commit order, gap-free for readers: set by the sequencer after the item committed (null until then, and the item not listed); an item never gets a seq below one a reader has seen'`,
    );
    await qr.query(
      `COMMENT ON COLUMN ${s}.inbox_item.arrival IS 'Insertion order (taken without a lock, so not commit order): orders the items one sequencing run numbers'`,
    );

    await qr.query(`
      CREATE TABLE ${s}.subscription_generation (
        id boolean NOT NULL DEFAULT true,
        generation bigint NOT NULL,
        CONSTRAINT subscription_generation_pkey PRIMARY KEY (id),
        CONSTRAINT subscription_generation_one_row CHECK (id)
      )`);
    await qr.query(`INSERT INTO ${s}.subscription_generation (generation) VALUES (1)`);
    await qr.query(
      `COMMENT ON TABLE ${s}.subscription_generation IS 'One row: bumped (by triggers on subscription) whenever which subscriptions take which events changes; the fan-out reloads its compiled subscriptions when it moved'`,
    );
    await qr.query(`
      CREATE FUNCTION ${s}.bump_subscription_generation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE ${s}.subscription_generation SET generation = generation + 1;
        RETURN NULL;
      END $$`);
    await qr.query(`
      CREATE TRIGGER subscription_routing_added_or_removed AFTER INSERT OR DELETE ON ${s}.subscription
        FOR EACH STATEMENT EXECUTE FUNCTION ${s}.bump_subscription_generation()`);
    await qr.query(`
      CREATE TRIGGER subscription_routing_changed AFTER UPDATE OF status, type_pattern, region_prefix ON ${s}.subscription
        FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.type_pattern IS DISTINCT FROM NEW.type_pattern
                           OR OLD.region_prefix IS DISTINCT FROM NEW.region_prefix)
        EXECUTE FUNCTION ${s}.bump_subscription_generation()`);
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`DROP TRIGGER subscription_routing_changed ON ${s}.subscription`);
    await qr.query(`DROP TRIGGER subscription_routing_added_or_removed ON ${s}.subscription`);
    await qr.query(`DROP FUNCTION ${s}.bump_subscription_generation()`);
    await qr.query(`DROP TABLE ${s}.subscription_generation`);
    // Items not sequenced yet take their place after the others, in arrival order.
    await qr.query(`
      WITH p AS MATERIALIZED (
        SELECT id, nextval('${s}.inbox_item_seq_seq') AS seq
          FROM (SELECT id FROM ${s}.inbox_item WHERE seq IS NULL ORDER BY arrival) o)
      UPDATE ${s}.inbox_item i SET seq = p.seq FROM p WHERE i.id = p.id`);
    await qr.query(`DROP INDEX ${s}.inbox_item_unsequenced_idx`);
    await qr.query(`ALTER TABLE ${s}.inbox_item DROP COLUMN arrival`);
    const [{ next }] = await qr.query(`SELECT COALESCE(max(seq), 0) + 1 AS next FROM ${s}.inbox_item`);
    await qr.query(`ALTER TABLE ${s}.inbox_item ALTER COLUMN seq SET NOT NULL`);
    await qr.query(`DROP SEQUENCE ${s}.inbox_item_seq_seq`);
    await qr.query(
      `ALTER TABLE ${s}.inbox_item ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (START WITH ${Number(next)})`,
    );
  }
}
