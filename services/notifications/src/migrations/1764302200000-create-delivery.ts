import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '@kkb/persistence';

export class CreateDelivery1764302200000 implements MigrationInterface {
  name = 'CreateDelivery1764302200000';

  async up(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`ALTER TABLE ${s}.received_event ADD COLUMN region_code text NOT NULL DEFAULT ''`);
    await qr.query(`
      UPDATE ${s}.received_event
         SET region_code = COALESCE(replace(event->'data'->>'villageCode', '.', ''),
                                    CASE WHEN province_code = '00' THEN '' ELSE province_code END)`);
    await qr.query(
      `COMMENT ON COLUMN ${s}.received_event.region_code IS 'Compact code of the region the event is about: its village when it names one, else its province; '''' for a national event'`,
    );
    await qr.query(`CREATE INDEX received_event_occurred_at_idx ON ${s}.received_event (occurred_at)`);

    await qr.query(`
      CREATE TABLE ${s}.delivery (
        id uuid NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        subscription_id uuid NOT NULL,
        event_id text NOT NULL,
        origin text NOT NULL DEFAULT 'event',
        origin_id uuid,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz,
        last_status integer,
        last_error text,
        last_latency_ms integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        CONSTRAINT delivery_pkey PRIMARY KEY (id),
        CONSTRAINT delivery_subscription_id_fkey FOREIGN KEY (subscription_id)
          REFERENCES ${s}.subscription (id) ON DELETE CASCADE,
        CONSTRAINT delivery_event_id_fkey FOREIGN KEY (event_id) REFERENCES ${s}.received_event (event_id),
        CONSTRAINT delivery_status_check CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
        CONSTRAINT delivery_origin_check CHECK (origin IN ('event', 'redelivery', 'replay'))
      )`);
    await qr.query(
      `CREATE UNIQUE INDEX delivery_event_subscription_key ON ${s}.delivery (event_id, subscription_id) WHERE origin = 'event'`,
    );
    await qr.query(
      `CREATE INDEX delivery_due_idx ON ${s}.delivery (subscription_id, next_attempt_at) WHERE status = 'pending'`,
    );
    await qr.query(`CREATE INDEX delivery_log_idx ON ${s}.delivery (subscription_id, seq)`);
    const comments: [string, string][] = [
      ['', 'One webhook delivery of one event to one subscription, and where it stands'],
      ['seq', 'Creation order, for the delivery log cursor'],
      ['origin', 'event (the fan-out: at most one per event and subscription), redelivery or replay'],
      ['origin_id', 'For a redelivery the delivery it repeats; for a replay the replay batch'],
      [
        'status',
        'pending (waiting or being attempted), delivered (2xx), failed (attempts exhausted), cancelled',
      ],
      ['next_attempt_at', 'When the next attempt is due (backoff with jitter after a failure)'],
      ['lease_until', 'Set while a worker attempts it: others skip it until then (a crashed worker lets go)'],
      ['last_status', 'HTTP status of the last attempt; null when it got no response'],
      ['last_error', 'What went wrong in the last attempt (never contains a secret)'],
    ];
    for (const [column, text] of comments) await comment(qr, s, 'delivery', column, text);

    await qr.query(`
      CREATE TABLE ${s}.delivery_attempt (
        delivery_id uuid NOT NULL,
        attempt integer NOT NULL,
        started_at timestamptz NOT NULL,
        status_code integer,
        latency_ms integer NOT NULL,
        error text,
        outcome text NOT NULL,
        CONSTRAINT delivery_attempt_pkey PRIMARY KEY (delivery_id, attempt),
        CONSTRAINT delivery_attempt_delivery_id_fkey FOREIGN KEY (delivery_id)
          REFERENCES ${s}.delivery (id) ON DELETE CASCADE,
        CONSTRAINT delivery_attempt_outcome_check CHECK (outcome IN ('delivered', 'retry', 'failed', 'gone', 'refused'))
      )`);
    await comment(qr, s, 'delivery_attempt', '', 'Every HTTP attempt of a delivery: the delivery log');
    await comment(
      qr,
      s,
      'delivery_attempt',
      'outcome',
      'delivered (2xx), retry (will be tried again), failed (the last attempt), gone (410), refused (address not allowed)',
    );
  }

  async down(qr: QueryRunner): Promise<void> {
    const s = schemaOf(qr);
    await qr.query(`DROP TABLE ${s}.delivery_attempt`);
    await qr.query(`DROP TABLE ${s}.delivery`);
    await qr.query(`DROP INDEX ${s}.received_event_occurred_at_idx`);
    await qr.query(`ALTER TABLE ${s}.received_event DROP COLUMN region_code`);
  }
}

async function comment(qr: QueryRunner, s: string, table: string, column: string, text: string) {
  const target = column ? `COLUMN ${s}.${table}.${column}` : `TABLE ${s}.${table}`;
  await qr.query(`COMMENT ON ${target} IS '${text.replace(/'/g, "''")}'`);
}
